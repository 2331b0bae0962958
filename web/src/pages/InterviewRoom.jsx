import { useCallback, useEffect, useState } from "react";
import { api } from "../api.js";
import { Link } from "../router.jsx";
import { TERMINAL_STATUSES, companyName, formatDate, levelName, typeName } from "../format.js";
import Header from "../components/Header.jsx";
import StatusBadge from "../components/StatusBadge.jsx";
import LiveSession from "../components/LiveSession.jsx";
import InterviewSummary from "../components/InterviewSummary.jsx";
import Whiteboard from "../components/Whiteboard.jsx"; // whiteboard (h12board)

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export default function InterviewRoom({ params }) {
  const id = params.id;
  const [interview, setInterview] = useState(null);
  const [error, setError] = useState(null); // {status, message}

  const load = useCallback(async () => {
    try {
      const data = await api.getInterview(id);
      setInterview(data);
      setError(null);
      return data;
    } catch (err) {
      setError({ status: err.status, message: err.message });
      return null;
    }
  }, [id]);

  useEffect(() => {
    setInterview(null);
    setError(null);
    load();
  }, [load]);

  // After leaving a call the server may need a moment to finalise the record.
  const reloadAfterCall = useCallback(async () => {
    for (let i = 0; i < 5; i++) {
      const data = await load();
      if (!data || TERMINAL_STATUSES.has(data.status)) return;
      await sleep(800);
    }
  }, [load]);

  useEffect(() => {
    document.title = interview
      ? `${companyName(interview.company)} ${typeName(interview.type)} · Interview Agent`
      : "Interview · Interview Agent";
  }, [interview]);

  return (
    <>
      <Header />
      <main className="page room">
        <p className="back">
          <Link to="/">← Dashboard</Link>
        </p>

        {error && !interview && (
          <div className="card narrow" data-testid="load-error">
            <h1>{error.status === 404 ? "Interview not found" : "Could not load the interview"}</h1>
            <p className="muted">{error.status === 404 ? "It may have been deleted." : error.message}</p>
            {error.status !== 404 && (
              <button type="button" className="button" onClick={load}>
                Retry
              </button>
            )}
          </div>
        )}

        {!interview && !error && <p className="muted">Loading interview…</p>}

        {interview && (
          <>
            <div className="room-head">
              <div>
                <h1>
                  {companyName(interview.company)} · {typeName(interview.type)}
                </h1>
                <p className="muted">
                  {levelName(interview.level)} {interview.role} · created {formatDate(interview.created_at)}
                </p>
              </div>
              <StatusBadge status={interview.status} />
            </div>
            {interview.question_text && (
              <div className="card question">
                <h2 className="sub-head">Question</h2>
                <p>{interview.question_text}</p>
              </div>
            )}
            {TERMINAL_STATUSES.has(interview.status) ? (
              <>
                <InterviewSummary interview={interview} />
                {/* whiteboard (h12board): the final drawing of a system-design interview */}
                {interview.type === "system_design" && <Whiteboard interviewId={interview.id} readOnly />}
              </>
            ) : (
              <LiveSession key={interview.id} interview={interview} onEnded={reloadAfterCall} onConnected={load} />
            )}
          </>
        )}
      </main>
    </>
  );
}
