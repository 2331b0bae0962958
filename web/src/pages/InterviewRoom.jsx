import { useCallback, useEffect, useState } from "react";
import { api } from "../api.js";
import { Link } from "../router.jsx";
import { TERMINAL_STATUSES, companyName, formatDate, levelName, typeName } from "../format.js";
import Header from "../components/Header.jsx";
import StatusBadge from "../components/StatusBadge.jsx";
import LiveSession from "../components/LiveSession.jsx";
import InterviewSummary from "../components/InterviewSummary.jsx";
import QuestionCard from "../components/QuestionCard.jsx";
import PhaseProgress from "../components/PhaseProgress.jsx";
import "../components/room.css";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// The question is on screen once the interviewer has asked it (past the introductions).
const ASKED_PHASES = new Set(["interview", "closing", "done"]);

/** The question to show, from the live room state or else the stored record; null before it is asked. */
function shownQuestion(interview, room) {
  const phase = room?.phase ?? interview.current_phase;
  const ended = TERMINAL_STATUSES.has(interview.status);
  if (!ended && !ASKED_PHASES.has(phase)) return null;
  if (room?.question) return room.question;
  if (!interview.question_text) return null;
  return { id: interview.question_id, title: null, text: interview.question_text, type: interview.type };
}

export default function InterviewRoom({ params }) {
  const id = params.id;
  const [interview, setInterview] = useState(null);
  const [error, setError] = useState(null); // {status, message}
  const [room, setRoom] = useState(null); // the latest `session.state` of the live call

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
    setRoom(null);
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
                  {levelName(interview.level)} {interview.role} · {interview.length_minutes || 45} minutes · created{" "}
                  {formatDate(interview.created_at)}
                </p>
              </div>
              <StatusBadge status={interview.status} />
            </div>
            {room && !TERMINAL_STATUSES.has(interview.status) && (
              <PhaseProgress
                plan={room.plan}
                startedAt={room.started_at}
                lengthMinutes={room.length_minutes}
                phase={room.phase}
              />
            )}
            {shownQuestion(interview, room) && <QuestionCard question={shownQuestion(interview, room)} />}
            {TERMINAL_STATUSES.has(interview.status) ? (
              <InterviewSummary interview={interview} />
            ) : (
              <LiveSession
                key={interview.id}
                interview={interview}
                onEnded={reloadAfterCall}
                onConnected={load}
                onRoomState={setRoom}
              />
            )}
          </>
        )}
      </main>
    </>
  );
}
