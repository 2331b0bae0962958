import { useState } from "react";
import { api } from "../api.js";
import { Link, useNavigate } from "react-router";
import { LEVELS, TYPES } from "../format.js";
import FormError from "./FormError.jsx";

const MAX_ROLE = 100;

/** `locked`: a premium style the user has no plan or credit for (shows an upgrade button). */
export default function CompanyCard({ company, locked = false }) {
  const navigate = useNavigate();
  const [type, setType] = useState("system_design");
  const [role, setRole] = useState("Software Engineer");
  const [level, setLevel] = useState("mid");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const idp = `c-${company.id}`;

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
      const interview = await api.createInterview({ type, role: trimmed, level, company: company.id });
      navigate(`/interviews/${interview.id}`);
    } catch (err) {
      setError(err.code === "payment_required" ? "This style needs Premium or an interview credit." : err.message);
      setBusy(false);
    }
  }

  return (
    <form
      className={`card company-card company-${company.id}${locked ? " locked" : ""}`}
      onSubmit={start}
      data-testid={`company-${company.id}`}
    >
      <div className="company-head">
        <h3>{company.name}</h3>
        {company.premium ? (
          <span className="badge premium" data-testid="premium-badge">
            Premium
          </span>
        ) : (
          <span className="badge free">Free</span>
        )}
      </div>
      <p className="muted small-text">{company.blurb}</p>

      <label htmlFor={`${idp}-type`}>Type</label>
      <select id={`${idp}-type`} name="type" value={type} onChange={(e) => setType(e.target.value)}>
        {TYPES.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name}
          </option>
        ))}
      </select>

      <label htmlFor={`${idp}-role`}>Role</label>
      <input
        id={`${idp}-role`}
        name="role"
        type="text"
        maxLength={MAX_ROLE}
        value={role}
        onChange={(e) => setRole(e.target.value)}
        placeholder="Software Engineer"
      />

      <label htmlFor={`${idp}-level`}>Level</label>
      <select id={`${idp}-level`} name="level" value={level} onChange={(e) => setLevel(e.target.value)}>
        {LEVELS.map((l) => (
          <option key={l.id} value={l.id}>
            {l.name}
          </option>
        ))}
      </select>

      <FormError message={error} />
      {locked ? (
        <Link to="/pricing" className="button primary upgrade" data-testid={`upgrade-${company.id}`}>
          Upgrade to unlock
        </Link>
      ) : (
        <button type="submit" className="button primary" disabled={busy} data-testid="start-interview">
          {busy ? "Starting…" : "Start interview"}
        </button>
      )}
    </form>
  );
}
