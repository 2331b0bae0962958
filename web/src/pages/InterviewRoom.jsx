import { Suspense, lazy, useEffect } from "react";
import { Link, useParams } from "react-router";
import { STATUS } from "../call/callReducer.js";
import { useInterviewCall } from "../call/useInterviewCall.js";
import { useLeaveGuard } from "../call/useLeaveGuard.js";
import { useInterview } from "../hooks/useInterview.js";
import { TERMINAL_STATUSES, companyName, formatDate, levelName, typeName } from "../format.js";
import Header from "../components/Header.jsx";
import StatusBadge from "../components/StatusBadge.jsx";
import LiveSession from "../components/LiveSession.jsx";
import InterviewSummary from "../components/InterviewSummary.jsx";
import QuestionCard from "../components/QuestionCard.jsx";
import PhaseProgress from "../components/PhaseProgress.jsx";
import RejoinPrompt from "../components/RejoinPrompt.jsx";
import "../components/room.css";
import Whiteboard from "../components/Whiteboard.jsx";

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

// Monaco is megabytes: only coding rooms load it.
const CodingRoom = lazy(() => import("../components/coding/CodingRoom.jsx"));

/** /interviews/:id — a fresh room (and call) per interview id. */
export default function InterviewRoomPage() {
  const { id } = useParams();
  return <InterviewRoom key={id} id={id} />;
}

function InterviewRoom({ id }) {
  const { interview, error, reload, reloadUntilFinal } = useInterview(id);
  // The call belongs to the room (not LiveSession), so its state can mark the root: data-call-state.
  const call = useInterviewCall(id, {
    onConnected: reload,
    onEnded: reloadUntilFinal,
    inProgress: interview?.status === "in_progress",
  });
  const room = call.state.room; // the latest `session.state`: question, phase, clock
  useLeaveGuard(call.state.status === STATUS.LIVE);

  useEffect(() => {
    document.title = interview
      ? `${companyName(interview.company)} ${typeName(interview.type)} · Interview Agent`
      : "Interview · Interview Agent";
  }, [interview]);

  return (
    <>
      <Header />
      <main
        className="page room"
        data-testid="room"
        data-call-state={call.state.status}
        data-connection-state={call.state.connectionState}
      >
        <p className="back">
          <Link to="/">← Dashboard</Link>
        </p>

        {error && !interview && (
          <div className="card narrow" data-testid="load-error">
            <h1>{error.status === 404 ? "Interview not found" : "Could not load the interview"}</h1>
            <p className="muted">{error.status === 404 ? "It may have been deleted." : error.message}</p>
            {error.status !== 404 && (
              <button type="button" className="button" onClick={reload}>
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
            {/* a live coding room shows its question in its own panel */}
            {(interview.type !== "coding" || TERMINAL_STATUSES.has(interview.status)) &&
              shownQuestion(interview, room) && (
              <QuestionCard question={shownQuestion(interview, room)} />
            )}
            {call.rejoinOffered && <RejoinPrompt onRejoin={call.join} />}
            {TERMINAL_STATUSES.has(interview.status) ? (
              <>
                <InterviewSummary interview={interview} />
                {/* the final drawing of a system-design interview */}
                {interview.type === "system_design" && <Whiteboard interviewId={interview.id} readOnly />}
              </>
            ) : interview.type === "coding" ? (
              <Suspense fallback={<p className="muted">Loading the coding room…</p>}>
                <CodingRoom
                  interview={interview}
                  call={call}
                  asked={!!shownQuestion(interview, room)}
                  phase={call.state.phase ?? interview.current_phase}
                  reload={reload}
                />
              </Suspense>
            ) : (
              <LiveSession
                call={call}
                phase={call.state.phase ?? interview.current_phase}
                interviewId={interview.id}
                interviewType={interview.type}
              />
            )}
          </>
        )}
      </main>
    </>
  );
}
