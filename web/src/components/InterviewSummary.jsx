import { useEffect, useState } from "react";
import { Link } from "react-router";
import { api } from "../api.js";
import { formatDate, formatDuration } from "../format.js";
import StatusBadge from "./StatusBadge.jsx";

const ENDINGS = {
  completed: "The interview is complete.",
  abandoned: "The interview ended before it was finished.",
  failed: "The interview stopped because of an error on our side.",
};

/** Finished interview: status, duration, score and recording players. */
export default function InterviewSummary({ interview }) {
  const [media, setMedia] = useState(undefined); // undefined = loading, null = unavailable
  const [mediaError, setMediaError] = useState("");

  useEffect(() => {
    let cancelled = false;
    api
      .getMedia(interview.id)
      .then((data) => !cancelled && setMedia(data || null))
      .catch((err) => {
        if (cancelled) return;
        setMedia(null);
        if (err.status !== 404) setMediaError(err.message);
      });
    return () => {
      cancelled = true;
    };
  }, [interview.id]);

  const audio = media?.audio?.url ? media.audio : null;
  const video = media?.video?.url ? media.video : null;

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
      {media === undefined && <p className="muted">Loading recording…</p>}
      {mediaError && <p className="form-error">{mediaError}</p>}
      {media !== undefined && !audio && !video && !mediaError && (
        <p className="muted">No recording is available for this interview.</p>
      )}
      {video && (
        <video className="playback" controls preload="metadata" data-testid="recording-video">
          <source src={video.url} type={video.content_type || undefined} />
        </video>
      )}
      {audio && (
        <audio className="playback-audio" controls preload="metadata" data-testid="recording-audio">
          <source src={audio.url} type={audio.content_type || undefined} />
        </audio>
      )}
    </section>
  );
}
