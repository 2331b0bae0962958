import { useEffect, useId, useState } from "react";
import { api } from "../api.js";
import { Link, useNavigate } from "react-router";
import { COMPANIES, LEVELS, TYPES } from "../format.js";
import FormError from "./FormError.jsx";
import "./NewInterviewForm.css";

const MAX_ROLE = 100;
export const LENGTHS = [30, 45, 60];

/** The question bank of one interview type, loaded once per type. */
function useQuestionBank(type) {
  const [bank, setBank] = useState({ type: null, items: [], error: "" });
  useEffect(() => {
    let cancelled = false;
    api
      .listQuestions(type)
      .then((data) => !cancelled && setBank({ type, items: data.items, error: "" }))
      .catch((err) => !cancelled && setBank({ type, items: [], error: err.message }));
    return () => {
      cancelled = true;
    };
  }, [type]);
  return { ...bank, loading: bank.type !== type };
}

/** One form for a new interview: style, type, role, level, length and (optionally) the question. */
/** `premiumOpen`: the user may start premium styles (a plan or a credit); else they offer an upgrade. */
export default function NewInterviewForm({ premiumOpen = true }) {
  const navigate = useNavigate();
  const [company, setCompany] = useState("free_practice");
  const [type, setType] = useState("system_design");
  const [role, setRole] = useState("Software Engineer");
  const [level, setLevel] = useState("mid");
  const [length, setLength] = useState(45);
  const [questionId, setQuestionId] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const bank = useQuestionBank(type);
  const id = useId();
  const chosen = COMPANIES.find((c) => c.id === company);
  const question = bank.items.find((q) => q.slug === questionId);

  function pickType(next) {
    setType(next);
    setQuestionId(""); // a question belongs to one bank
  }

  async function start(e) {
    e.preventDefault();
    const trimmed = role.trim();
    if (!trimmed) {
      setError("Enter the role you are interviewing for.");
      return;
    }
    setError("");
    setBusy(true);
    try {
      const interview = await api.createInterview({
        type,
        role: trimmed,
        level,
        company,
        length_minutes: length,
        question_id: questionId || null,
      });
      navigate(`/interviews/${interview.id}`);
    } catch (err) {
      setError(err.message);
      setBusy(false);
    }
  }

  return (
    <form className="card new-interview" onSubmit={start} data-testid="new-interview">
      <fieldset className="field">
        <legend>Interview style</legend>
        <div className="chips" role="radiogroup">
          {COMPANIES.map((c) => (
            <label
              key={c.id}
              className={`chip ${company === c.id ? "selected" : ""}`}
              data-testid={`company-${c.id}`}
            >
              <input
                type="radio"
                name="company"
                value={c.id}
                checked={company === c.id}
                onChange={() => setCompany(c.id)}
              />
              {c.name}
              {c.premium && (
                <span className="badge premium" data-testid="premium-badge">
                  Premium
                </span>
              )}
            </label>
          ))}
        </div>
        <p className="muted small-text chip-note" data-testid="style-note">
          {chosen.premium
            ? `${chosen.name} style: ${chosen.blurb} Premium styles follow how that company interviews: what its engineers probe, how hard they push and what they reward.`
            : "Free Practice: a friendly general interviewer who nudges you a little sooner when you are stuck. Premium styles follow a company's own interview loop."}
        </p>
      </fieldset>

      <fieldset className="field">
        <legend>Type</legend>
        <div className="segmented" role="radiogroup">
          {TYPES.map((t) => (
            <label key={t.id} className={type === t.id ? "selected" : ""} data-testid={`type-${t.id}`}>
              <input type="radio" name="type" value={t.id} checked={type === t.id} onChange={() => pickType(t.id)} />
              {t.name}
            </label>
          ))}
        </div>
      </fieldset>

      <div className="field-row">
        <div className="field">
          <label htmlFor={`${id}-role`}>Role</label>
          <input
            id={`${id}-role`}
            name="role"
            value={role}
            maxLength={MAX_ROLE}
            onChange={(e) => setRole(e.target.value)}
            placeholder="e.g. Backend Engineer"
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-level`}>Level</label>
          <select id={`${id}-level`} name="level" value={level} onChange={(e) => setLevel(e.target.value)}>
            {LEVELS.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name}
              </option>
            ))}
          </select>
        </div>
      </div>

      <fieldset className="field">
        <legend>Length</legend>
        <div className="segmented" role="radiogroup">
          {LENGTHS.map((m) => (
            <label key={m} className={length === m ? "selected" : ""} data-testid={`length-${m}`}>
              <input type="radio" name="length" value={m} checked={length === m} onChange={() => setLength(m)} />
              {m} min
            </label>
          ))}
        </div>
      </fieldset>

      <div className="field">
        <label htmlFor={`${id}-question`}>Question</label>
        <select
          id={`${id}-question`}
          name="question"
          value={questionId}
          onChange={(e) => setQuestionId(e.target.value)}
          disabled={bank.loading}
          data-testid="question-select"
        >
          <option value="">{bank.loading ? "Loading questions…" : "Let the interviewer choose"}</option>
          {bank.items.map((q) => (
            <option key={q.slug} value={q.slug}>
              {q.title}
              {q.type === "coding" ? ` (${q.difficulty})` : ""}
            </option>
          ))}
        </select>
        {bank.error && <p className="form-error small-text">Could not load the question bank: {bank.error}</p>}
        <p className="muted small-text" data-testid="question-summary">
          {question
            ? question.summary || `${question.title} · ${question.difficulty}${question.tags?.length ? " · " + question.tags.join(", ") : ""}`
            : "A question that fits your level and the interview style, picked when the interview starts."}
        </p>
      </div>

      <FormError message={error} />
      {chosen.premium && !premiumOpen ? (
        <div className="upgrade-row">
          <p className="muted small-text">
            {chosen.name} is a Premium style: subscribe, or buy a credit for one interview.
          </p>
          <Link to="/pricing" className="button primary big upgrade" data-testid={`upgrade-${chosen.id}`}>
            Upgrade to unlock {chosen.name}
          </Link>
        </div>
      ) : (
        <button type="submit" className="button primary big" disabled={busy} data-testid="start-interview">
          {busy ? "Starting…" : `Start a ${length}-minute interview`}
        </button>
      )}
    </form>
  );
}
