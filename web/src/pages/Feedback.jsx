import { useEffect, useState } from "react";
import { Link, useParams } from "react-router";
import Header from "../components/Header.jsx";
import RubricTable from "../components/RubricTable.jsx";
import ScoreChart from "../components/ScoreChart.jsx";
import { useFeedback } from "../hooks/useFeedback.js";
import { useInterview } from "../hooks/useInterview.js";
import { companyName, formatDate, levelName, typeName } from "../format.js";

const STEPS = ["Collecting the transcript and whiteboard", "Scoring each rubric criterion", "Writing your feedback"];

function Pending({ state, since }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, []);
  const elapsed = Math.max(0, Math.round((now - since) / 1000));
  const step = state === "running" ? Math.min(2, 1 + Math.floor(elapsed / 4)) : 0;
  return (
    <section className="card feedback-pending" data-testid="feedback-pending" aria-live="polite">
      <div className="spinner" aria-hidden="true" />
      <div>
        <h2>Preparing your feedback…</h2>
        <ol className="steps">
          {STEPS.map((s, i) => (
            <li key={s} className={i < step ? "step-done" : i === step ? "step-now" : ""}>
              {s}
            </li>
          ))}
        </ol>
        <p className="muted small-text">
          {state === "running" ? "Scoring" : "Queued"} · {elapsed}s. This page updates by itself.
        </p>
      </div>
    </section>
  );
}

function scoreClass(score) {
  return score >= 7.5 ? "score-high" : score >= 5 ? "score-mid" : "score-low";
}

function Done({ id, feedback, regenerate, busy }) {
  return (
    <div className="feedback" data-testid="feedback">
      <section className="card feedback-top">
        <div className={`overall ${scoreClass(feedback.overall_score)}`} data-testid="overall-score">
          <span className="overall-num">{feedback.overall_score.toFixed(1)}</span>
          <span className="overall-of">/ 10</span>
        </div>
        <div className="feedback-summary">
          <h2>Summary</h2>
          <p data-testid="feedback-summary">{feedback.summary}</p>
          <p className="muted small-text">
            Generated {formatDate(feedback.created_at)} ·{" "}
            <Link to={`/interviews/${id}/replay`} data-testid="open-replay">
              Watch the replay
            </Link>{" "}
            ·{" "}
            <button type="button" className="link-button" onClick={regenerate} disabled={busy}>
              {busy ? "Requesting…" : "Regenerate"}
            </button>
          </p>
        </div>
      </section>

      <section className="card">
        <h2>Scores by category</h2>
        <ScoreChart rubric={feedback.rubric} />
      </section>

      <div className="two-col">
        <section className="card">
          <h2>Strengths</h2>
          <ul className="bullets good" data-testid="strengths">
            {feedback.strengths.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ul>
        </section>
        <section className="card">
          <h2>To improve</h2>
          <ul className="bullets improve" data-testid="improvements">
            {feedback.improvements.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ul>
        </section>
      </div>

      <section className="card">
        <h2>Rubric</h2>
        <p className="muted small-text">Overall = 2 × Σ weight × score. Click any evidence to replay that moment.</p>
        <RubricTable interviewId={id} rubric={feedback.rubric} />
      </section>

      {feedback.detailed_feedback && (
        <section className="card">
          <details>
            <summary>Detailed feedback</summary>
            <div className="detailed">
              {feedback.detailed_feedback.split(/\n\n+/).map((p) => (
                <p key={p}>{p}</p>
              ))}
            </div>
          </details>
        </section>
      )}
    </div>
  );
}

export default function FeedbackPage() {
  const { id } = useParams();
  const { interview, error: loadError, reload } = useInterview(id);
  const { feedback, state, error, regenerate, retry, busy } = useFeedback(id, {
    interviewStatus: interview?.status,
  });
  const [since] = useState(Date.now());

  useEffect(() => {
    document.title = "Feedback · Interview Agent";
  }, []);

  return (
    <>
      <Header />
      <main className="page" data-testid="feedback-page" data-state={state}>
        <p className="back">
          <Link to={`/interviews/${id}`}>← Interview</Link>
        </p>
        {loadError && !interview ? (
          <div className="card narrow" data-testid="load-error">
            <h1>{loadError.status === 404 ? "Interview not found" : "Could not load the interview"}</h1>
            <p className="muted">{loadError.status === 404 ? "It may have been deleted." : loadError.message}</p>
            {loadError.status !== 404 && (
              <button type="button" className="button" onClick={reload}>
                Retry
              </button>
            )}
          </div>
        ) : (
          <>
            <div className="room-head">
              <div>
                <h1>Feedback</h1>
                {interview && (
                  <p className="muted">
                    {companyName(interview.company)} · {typeName(interview.type)} · {levelName(interview.level)}{" "}
                    {interview.role} · {formatDate(interview.started_at || interview.created_at)}
                  </p>
                )}
              </div>
            </div>
            {state === "loading" && <p className="muted">Loading feedback…</p>}
            {(state === "pending" || state === "running") && <Pending state={state} since={since} />}
            {state === "done" && feedback && <Done id={id} feedback={feedback} regenerate={regenerate} busy={busy} />}
            {state === "failed" && (
              <section className="card" data-testid="feedback-failed">
                <h2>We could not score this interview</h2>
                <p className="muted">Something went wrong while generating feedback. You can try again.</p>
                <button type="button" className="button primary" onClick={regenerate} disabled={busy}>
                  Try again
                </button>
              </section>
            )}
            {state === "none" && (
              <section className="card" data-testid="feedback-none">
                <h2>No feedback for this interview</h2>
                <p className="muted">
                  Feedback is made when an interview is completed, or abandoned after enough conversation to judge.
                </p>
                {interview && ["completed", "abandoned"].includes(interview.status) && (
                  <button type="button" className="button primary" onClick={regenerate} disabled={busy}>
                    Generate feedback
                  </button>
                )}
              </section>
            )}
            {state === "error" && (
              <section className="card" data-testid="feedback-error">
                <h2>Could not load the feedback</h2>
                <p className="form-error">{error}</p>
                <button type="button" className="button" onClick={retry}>
                  Retry
                </button>
              </section>
            )}
            {error && state !== "error" && <p className="form-error">{error}</p>}
          </>
        )}
      </main>
    </>
  );
}
