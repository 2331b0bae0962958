import { useEffect, useState } from "react";
import Markdown from "./Markdown.jsx";

const DIFFICULTY = { easy: "Easy", medium: "Medium", hard: "Hard" };

function formatArgs(args) {
  return args.map((a) => JSON.stringify(a)).join(", ");
}

/**
 * The problem: title, difficulty, description (with its constraints and examples), the
 * visible tests, and hints revealed one at a time. `onHint(index)` records each hint taken.
 * Before the interviewer has `asked` it (introductions), only the title shows, so the
 * candidate can pick a language; the description opens when the question is asked.
 */
export default function QuestionPanel({ question, asked, hintsShown, onHint }) {
  const [open, setOpen] = useState(asked);
  useEffect(() => {
    if (asked) setOpen(true);
  }, [asked]);
  const hints = question.hints || [];
  const shown = Math.min(hintsShown, hints.length);

  return (
    <section
      className="card coding-question"
      data-testid={asked ? "question-card" : "question-panel"}
      aria-label="Question"
    >
      <div className="coding-question-head">
        <h2 data-testid="question-title">{question.title}</h2>
        <span className={`badge difficulty-${question.difficulty}`} data-testid="question-difficulty">
          {DIFFICULTY[question.difficulty] || question.difficulty}
        </span>
      </div>
      {question.tags?.length > 0 && (
        <p className="tags">
          {question.tags.map((t) => (
            <span key={t} className="tag">
              {t}
            </span>
          ))}
        </p>
      )}
      <button type="button" className="link-button" onClick={() => setOpen((o) => !o)} aria-expanded={open}>
        {open ? "Hide description" : "Show description"}
      </button>
      {!asked && !open && (
        <p className="muted small-text" data-testid="question-not-asked">
          Your interviewer presents this problem after the introductions.
        </p>
      )}
      {open && <Markdown source={question.description} />}

      <h3 className="sub-head">Tests you can run</h3>
      <ol className="examples" start={0}>
        {question.visible_tests.map((t, i) => (
          <li key={i}>
            <code>({formatArgs(t.args)})</code> → <code>{JSON.stringify(t.expected)}</code>
          </li>
        ))}
      </ol>
      {question.hidden_test_count > 0 && (
        <p className="muted small-text">Submit also runs {question.hidden_test_count} hidden tests.</p>
      )}

      <h3 className="sub-head">Hints</h3>
      {hints.length === 0 && <p className="muted small-text">No hints for this one.</p>}
      {hints.slice(0, shown).map((h, i) => (
        <p key={i} className="hint" data-testid={`hint-${i}`}>
          <strong>Hint {i + 1}.</strong> {h}
        </p>
      ))}
      {shown < hints.length && (
        <button type="button" className="button small" onClick={() => onHint(shown)} data-testid="show-hint">
          {shown === 0 ? "Show a hint" : "Show the next hint"} ({shown}/{hints.length})
        </button>
      )}
    </section>
  );
}
