import { useEffect, useMemo, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { api } from "../api.js";
import Header from "../components/Header.jsx";
import ReplayTimeline from "../components/ReplayTimeline.jsx";
import TranscriptPane from "../components/TranscriptPane.jsx";
import { useInterview } from "../hooks/useInterview.js";
import { useReplayClock } from "../hooks/useReplayClock.js";
import { companyName, formatClock, typeName } from "../format.js";

/** The last item whose at_s is at or before t. */
function at(items, t) {
  let found = null;
  for (const it of items) {
    if (it.at_s <= t + 0.05) found = it;
    else break;
  }
  return found;
}

function useReplayData(id) {
  const [data, setData] = useState({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let cancelled = false;
    setData({ loading: true });
    Promise.all([api.getTimeline(id), api.getMedia(id).catch(() => null)])
      .then(([timeline, media]) => !cancelled && setData({ timeline, media }))
      .catch((err) => !cancelled && setData({ error: err }));
    return () => {
      cancelled = true;
    };
  }, [id, tick]);
  return { ...data, reload: () => setTick((t) => t + 1) };
}

function Whiteboard({ snapshots, time, onSeek }) {
  const current = at(snapshots, time);
  return (
    <section className="card replay-board" data-testid="replay-board">
      <h2>Whiteboard {current && <span className="muted small-text">at {formatClock(current.at_s)}</span>}</h2>
      {current ? (
        <img className="board-image" src={current.url} alt={`Whiteboard snapshot ${current.seq}`} data-testid="board-image" />
      ) : (
        <p className="muted">Nothing drawn yet at this point.</p>
      )}
      <div className="board-strip" data-testid="board-strip">
        {snapshots.map((s) => (
          <button
            type="button"
            key={s.seq}
            className={`thumb ${current?.seq === s.seq ? "thumb-current" : ""}`}
            onClick={() => onSeek(s.at_s)}
            data-testid="board-thumb"
            title={`Snapshot ${s.seq} at ${formatClock(s.at_s)}`}
          >
            <img src={s.url} alt="" loading="lazy" />
            <span>{formatClock(s.at_s)}</span>
          </button>
        ))}
      </div>
    </section>
  );
}

function CodeView({ code, time, onSeek }) {
  const current = at(code, time);
  return (
    <section className="card replay-code" data-testid="replay-code">
      <div className="section-head">
        <h2>Code {current && <span className="muted small-text">at {formatClock(current.at_s)}</span>}</h2>
        {current?.kind === "submission" && (
          <span className={`badge ${current.passed === current.total ? "badge-ok" : "badge-warn"}`}>
            {current.passed}/{current.total} tests
          </span>
        )}
      </div>
      {current ? <pre className="code-block"><code>{current.code}</code></pre> : <p className="muted">No code written yet at this point.</p>}
      <div className="code-steps">
        {code.map((c) => (
          <button type="button" key={`${c.kind}-${c.id}`} className="button small" onClick={() => onSeek(c.at_s)}>
            {formatClock(c.at_s)} {c.kind === "submission" ? `submit ${c.passed}/${c.total}` : "edit"}
          </button>
        ))}
      </div>
    </section>
  );
}

export default function ReplayPage() {
  const { id } = useParams();
  const [params] = useSearchParams();
  const start = Number(params.get("t")) || 0;
  const { interview } = useInterview(id);
  const { timeline, media, error, loading, reload } = useReplayData(id);
  // interview.webm is the picture with both voices in one file; else video and audio in sync.
  const combined = media?.interview?.url ? { ...media.interview, has_audio: true } : null;
  const video = combined || (media?.video?.url ? media.video : null);
  const audio = media?.audio?.url ? media.audio : null;
  const needsFollower = Boolean(video && audio && !video.has_audio);
  const clock = useReplayClock({ initialTime: start, hasFollower: needsFollower });
  const { time, seek } = clock;

  useEffect(() => {
    document.title = "Replay · Interview Agent";
  }, []);
  // A new ?t= (another evidence link) seeks the same player.
  useEffect(() => {
    if (params.get("t") != null) seek(start);
  }, [params, start, seek]);

  const lines = useMemo(() => timeline?.lines || [], [timeline]);
  const current = at(lines, time);
  const duration = clock.duration || timeline?.duration_s || (lines.length ? lines[lines.length - 1].at_s + 5 : 0);
  const showCode = (timeline?.code || []).length > 0 || interview?.type === "coding";

  return (
    <>
      <Header />
      <main className="page replay" data-testid="replay-page">
        <p className="back">
          <Link to={`/interviews/${id}/feedback`}>← Feedback</Link> · <Link to={`/interviews/${id}`}>Interview</Link>
        </p>
        <h1>Replay {interview && <span className="muted">· {companyName(interview.company)} {typeName(interview.type)}</span>}</h1>
        {loading && <p className="muted">Loading the recording…</p>}
        {error && (
          <div className="card narrow" data-testid="load-error">
            <h2>{error.status === 404 ? "Interview not found" : "Could not load the replay"}</h2>
            <p className="muted">{error.message}</p>
            {error.status !== 404 && (
              <button type="button" className="button" onClick={reload}>
                Retry
              </button>
            )}
          </div>
        )}
        {timeline && (
          <>
            <div className="replay-grid">
              <section className="card replay-player">
                {video ? (
                  <video ref={clock.primaryRef} className="playback" controls preload="auto" src={video.url} data-testid="replay-player" />
                ) : audio ? (
                  <audio ref={clock.primaryRef} className="playback-audio" controls preload="auto" src={audio.url} data-testid="replay-player" />
                ) : (
                  <p className="muted" data-testid="no-recording">No recording is available; the transcript and whiteboard still follow the timeline.</p>
                )}
                {needsFollower && <audio ref={clock.follower} preload="auto" src={audio.url} className="hidden" />}
                <ReplayTimeline
                  duration={duration}
                  time={time}
                  phases={timeline.phases}
                  snapshots={timeline.snapshots}
                  code={timeline.code}
                  onSeek={seek}
                />
              </section>
              <section className="card replay-side">
                <h2>Transcript</h2>
                <TranscriptPane lines={lines} current={current?.seq} onSeek={seek} />
              </section>
            </div>
            {timeline.snapshots.length > 0 ? (
              <Whiteboard snapshots={timeline.snapshots} time={time} onSeek={seek} />
            ) : (
              interview?.type === "system_design" && <p className="muted card">No whiteboard snapshots were saved for this interview.</p>
            )}
            {showCode && <CodeView code={timeline.code} time={time} onSeek={seek} />}
          </>
        )}
      </main>
    </>
  );
}
