import { useCallback, useEffect, useState } from "react";
import { api } from "../api.js";
import { Link } from "react-router";
import { companyName, formatDate, formatDuration, levelName, typeName } from "../format.js";
import StatusBadge from "./StatusBadge.jsx";
import FormError from "./FormError.jsx";

const PAGE_SIZE = 10;
const QUESTION_CHARS = 110;

function shorten(text) {
  const first = text.split(/(?<=[.?!])\s/)[0];
  return first.length <= QUESTION_CHARS ? first : `${first.slice(0, QUESTION_CHARS - 1).trimEnd()}…`;
}

export default function InterviewList() {
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState(null); // {items, total, limit, offset}
  const [error, setError] = useState("");
  const [loading, setLoading] = useState(true);
  const [deleting, setDeleting] = useState(null);

  const load = useCallback(async (off, { signal } = {}) => {
    setLoading(true);
    try {
      const data = await api.listInterviews(PAGE_SIZE, off);
      if (signal?.aborted) return;
      // The page we were on became empty (e.g. after a delete): step back.
      if (data.items.length === 0 && off > 0) {
        setOffset(Math.max(0, off - PAGE_SIZE));
        return;
      }
      setPage(data);
      setError("");
    } catch (err) {
      if (!signal?.aborted) setError(err.message);
    } finally {
      if (!signal?.aborted) setLoading(false);
    }
  }, []);

  useEffect(() => {
    const ctl = new AbortController();
    load(offset, { signal: ctl.signal });
    return () => ctl.abort();
  }, [offset, load]);

  async function remove(interview) {
    const label = `${companyName(interview.company)} ${typeName(interview.type).toLowerCase()} interview`;
    if (!window.confirm(`Delete this ${label}? This cannot be undone.`)) return;
    setDeleting(interview.id);
    try {
      await api.deleteInterview(interview.id);
      await load(offset);
    } catch (err) {
      setError(err.message);
    } finally {
      setDeleting(null);
    }
  }

  const items = page?.items || [];
  const total = page?.total ?? 0;
  const first = total ? offset + 1 : 0;
  const last = Math.min(offset + items.length, total);

  return (
    <section className="interviews" aria-busy={loading}>
      <div className="section-head">
        <h2>Your interviews</h2>
        {total > 0 && (
          <span className="muted" data-testid="page-info">
            {first}–{last} of {total}
          </span>
        )}
      </div>
      <FormError message={error} />

      {page && items.length === 0 && !error && (
        <p className="empty muted">No interviews yet — set one up above to start your first.</p>
      )}
      {!page && loading && <p className="muted">Loading…</p>}

      {items.length > 0 && (
        <ul className="interview-list" data-testid="interview-list">
          {items.map((it) => (
            <li key={it.id} className="interview-item" data-testid="interview-item">
              <Link to={`/interviews/${it.id}`} className="interview-link">
                <span className="il-main">
                  <strong>{companyName(it.company)}</strong>
                  <span>
                    {typeName(it.type)} · {levelName(it.level)}
                    {it.role ? ` · ${it.role}` : ""}
                  </span>
                  <span className="il-question muted" data-testid="interview-question" title={it.question_text || ""}>
                    {it.question_text ? shorten(it.question_text) : "Question chosen when the interview starts"}
                  </span>
                </span>
                <StatusBadge status={it.status} />
                <span className="il-score">
                  {it.score != null && (
                    <span className="score-chip" data-testid="interview-score" title="Feedback score">
                      {Number(it.score).toFixed(1)}
                      <span className="muted">/10</span>
                    </span>
                  )}
                </span>
                <span className="il-meta muted">
                  <span>{formatDate(it.created_at)}</span>
                  <span data-testid="interview-duration">
                    {it.duration_seconds != null
                      ? `${formatDuration(it.duration_seconds)} of ${it.length_minutes || 45} min`
                      : `${it.length_minutes || 45} min planned`}
                  </span>
                </span>
              </Link>
              <button
                type="button"
                className="button small danger"
                onClick={() => remove(it)}
                disabled={deleting === it.id}
                aria-label={`Delete interview ${it.id}`}
                data-testid="delete-interview"
              >
                {deleting === it.id ? "Deleting…" : "Delete"}
              </button>
            </li>
          ))}
        </ul>
      )}

      {total > PAGE_SIZE && (
        <nav className="pager" aria-label="Pagination">
          <button
            type="button"
            className="button small"
            disabled={offset === 0 || loading}
            onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}
            data-testid="prev-page"
          >
            ← Prev
          </button>
          <button
            type="button"
            className="button small"
            disabled={offset + PAGE_SIZE >= total || loading}
            onClick={() => setOffset(offset + PAGE_SIZE)}
            data-testid="next-page"
          >
            Next →
          </button>
        </nav>
      )}
    </section>
  );
}

