import { useEffect } from "react";
import { Link } from "react-router";
import { COMPANIES } from "../format.js";
import "./Landing.css";

const STEPS = [
  {
    title: "Pick the interview",
    text: "System design or coding, your role and level, 30, 45 or 60 minutes, in a general practice style or a company's.",
  },
  {
    title: "Talk it through",
    text: "A voice interviewer asks the question, listens, and follows up on what you say, like a colleague across the table. Speak, or type when that is easier.",
  },
  {
    title: "Review and improve",
    text: "Play back the recording and read the transcript to see where your answers were strong and where they wandered.",
  },
];

const FEATURES = [
  ["Real conversation", "Speak naturally, interrupt, think out loud, or type an answer. Captions follow along."],
  ["Paced like the real thing", "The interviewer budgets the time: requirements, design, deep dives and a wrap-up."],
  ["Your question, or ours", "Pick a question from the bank, or let the interviewer choose one for your level."],
  ["Everything kept", "The recording and the transcript of every interview you hold."],
];

/** The first page a visitor sees: what the product is, and a way in. */
export default function Landing() {
  useEffect(() => {
    document.title = "Interview Agent · Practice technical interviews by voice";
  }, []);

  return (
    <div className="landing" data-testid="landing">
      <header className="app-header landing-header">
        <Link to="/" className="brand">
          <span className="brand-mark">IA</span> Interview Agent
        </Link>
        <nav className="landing-nav">
          <Link to="/login" className="button small">
            Log in
          </Link>
          <Link to="/signup" className="button small primary">
            Sign up free
          </Link>
        </nav>
      </header>

      <main>
        <section className="hero">
          <h1>Practice technical interviews out loud, with an AI interviewer.</h1>
          <p className="hero-lead">
            Interview Agent runs a live mock interview by voice: system design or coding, paced to the length you
            choose, with follow-up questions on what you actually said. Afterwards you get the recording and the
            transcript to review.
          </p>
          <div className="hero-actions">
            <Link to="/signup" className="button primary big" data-testid="landing-signup">
              Start practicing, free
            </Link>
            <Link to="/login" className="button big">
              I have an account
            </Link>
          </div>
          <p className="muted small-text">Needs a microphone; a camera is optional. Works in a modern desktop browser.</p>
        </section>

        <section className="steps" aria-label="How it works">
          {STEPS.map((s, i) => (
            <div key={s.title} className="card step">
              <span className="step-number">{i + 1}</span>
              <h2>{s.title}</h2>
              <p className="muted">{s.text}</p>
            </div>
          ))}
        </section>

        <section className="features">
          <h2>What you get</h2>
          <ul className="feature-list">
            {FEATURES.map(([title, text]) => (
              <li key={title}>
                <strong>{title}</strong>
                <span className="muted">{text}</span>
              </li>
            ))}
          </ul>
        </section>

        <section className="styles-band">
          <h2>Interview styles</h2>
          <p className="muted">
            Free Practice is open to everyone. Premium styles follow how a company interviews: what its engineers
            probe, how hard they push, and what they reward.
          </p>
          <div className="chip-row">
            {COMPANIES.map((c) => (
              <span key={c.id} className={`style-chip ${c.premium ? "premium" : "free"}`}>
                {c.name}
                <span className={`badge ${c.premium ? "premium" : "free"}`}>{c.premium ? "Premium" : "Free"}</span>
              </span>
            ))}
          </div>
        </section>
      </main>

      <footer className="landing-footer muted small-text">
        Interview Agent · practice, not judgement: your recordings and transcripts are yours alone.
      </footer>
    </div>
  );
}
