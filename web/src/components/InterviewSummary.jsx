import { useCallback, useEffect, useRef, useState } from "react";
import { Link } from "react-router";
import { api } from "../api.js";
import { formatDate, formatDuration } from "../format.js";
import StatusBadge from "./StatusBadge.jsx";

const ENDINGS = {
  completed: "The interview is complete.",
  abandoned: "The interview ended before it was finished.",
  failed: "The interview stopped because of an error on our side.",
};

// The server makes the recording's files after the call (mixing both voices, joining picture
// and sound): poll until they are ready, a little slower each time, for at most a few minutes.
const POLL_FIRST_MS = 1000;
const POLL_MAX_MS = 5000;
const POLL_GIVE_UP_MS = 3 * 60 * 1000;

/** The recording's state: {media, phase: "loading"|"processing"|"ready"|"none"|"slow"|"error"}. */
function useRecording(interviewId) {
  const [media, setMedia] = useState(null);
  const [phase, setPhase] = useState("loading");
  const [error, setError] = useState("");
  const [attempt, setAttempt] = useState(0);
  const timer = useRef(null);

  useEffect(() => {
    let cancelled = false;
    const started = Date.now();
    let delay = POLL_FIRST_MS;
    setPhase("loading");
    setError("");

    const poll = async () => {
      try {
        const data = await api.getMedia(interviewId);
        if (cancelled) return;
        setMedia(data);
        const state = data?.state;
        if (state === "processing" || state === "recording") {
          if (Date.now() - started > POLL_GIVE_UP_MS) {
            setPhase("slow");
            return;
          }
          setPhase("processing");
          timer.current = setTimeout(poll, delay);
          delay = Math.min(POLL_MAX_MS, Math.round(delay * 1.5));
          return;
        }
        const playable = data && (data.interview || data.audio || data.video);
        setPhase(playable ? "ready" : "none");
      } catch (err) {
        if (cancelled) return;
        if (err.status === 404) {
          setPhase("none");
        } else {
          setError(err.message || "The recording could not be loaded.");
          setPhase("error");
        }
      }
    };
    poll();
    return () => {
      cancelled = true;
      clearTimeout(timer.current);
    };
  }, [interviewId, attempt]);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  return { media, phase, error, retry };
}

function Player({ media }) {
  if (media.interview) {
    // One file with picture and both voices.
    return (
      <video className="playback" controls preload="metadata" data-testid="recording-video">
        <source src={media.interview.url} type={media.interview.content_type || undefined} />
      </video>
    );
  }
  return (
    <>
      {media.video && !media.audio && (
        <video className="playback" controls preload="metadata" data-testid="recording-video">
          <source src={media.video.url} type={media.video.content_type || undefined} />
        </video>
      )}
      {media.audio && (
        <audio className="playback-audio" controls preload="metadata" data-testid="recording-audio">
          <source src={media.audio.url} type={media.audio.content_type || undefined} />
        </audio>
      )}
    </>
  );
}

function Downloads({ media }) {
  const links = [
    ["Both voices", media.audio],
    ["Your voice", media.stems?.candidate],
    ["Interviewer", media.stems?.interviewer],
  ].filter(([, file]) => file?.url);
  if (links.length < 2) return null;
  return (
    <p className="recording-downloads muted">
      Download audio:{" "}
      {links.map(([label, file], i) => (
        <span key={label}>
          {i > 0 && " · "}
          <a href={file.url} download>
            {label}
          </a>
        </span>
      ))}
    </p>
  );
}

function Recording({ interviewId }) {
  const { media, phase, error, retry } = useRecording(interviewId);
  if (phase === "loading") return <p className="muted">Loading recording…</p>;
  if (phase === "processing") {
    return (
      <div className="recording-processing" data-testid="recording-processing" role="status">
        <div className="spinner spinner-small" aria-hidden="true" />
        <span>Processing the recording… it appears here in a moment.</span>
      </div>
    );
  }
  if (phase === "slow") {
    return (
      <p className="muted" data-testid="recording-slow">
        The recording is taking longer than usual to prepare.{" "}
        <button type="button" className="link-button" onClick={retry}>
          Check again
        </button>
      </p>
    );
  }
  if (phase === "error") {
    return (
      <p className="form-error">
        {error}{" "}
        <button type="button" className="link-button" onClick={retry}>
          Try again
        </button>
      </p>
    );
  }
  if (phase === "none") {
    return <p className="muted">No recording is available for this interview.</p>;
  }
  return (
    <>
      <Player media={media} />
      <Downloads media={media} />
    </>
  );
}

/** Finished interview: status, duration, score and the recording (picture and both voices). */
export default function InterviewSummary({ interview }) {
  return (
    <section className="card summary" data-testid="summary">
      <div className="section-head">
        <h2>Summary</h2>
        <div className="summary-links">
          {interview.status !== "failed" && (
            <Link className="button primary small" to={`/interviews/${interview.id}/feedback`} data-testid="open-feedback">
              {interview.score != null ? `Feedback · ${Number(interview.score).toFixed(1)}/10` : "Feedback"}
            </Link>
          )}
          <Link className="button small" to={`/interviews/${interview.id}/replay`} data-testid="open-replay">
            Replay
          </Link>
        </div>
      </div>
      <p>{ENDINGS[interview.status] || ""}</p>
      <dl className="facts">
        <div>
          <dt>Status</dt>
          <dd>
            <StatusBadge status={interview.status} />
          </dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd data-testid="duration">{formatDuration(interview.duration_seconds)}</dd>
        </div>
        {interview.score != null && (
          <div>
            <dt>Score</dt>
            <dd data-testid="score">{interview.score}</dd>
          </div>
        )}
        <div>
          <dt>Started</dt>
          <dd>{formatDate(interview.started_at)}</dd>
        </div>
        <div>
          <dt>Ended</dt>
          <dd>{formatDate(interview.completed_at)}</dd>
        </div>
        {interview.stats && (
          <div>
            <dt>Transcript lines</dt>
            <dd>{interview.stats.transcript_count ?? 0}</dd>
          </div>
        )}
      </dl>

      <h3>Recording</h3>
      <Recording interviewId={interview.id} />
    </section>
  );
}
