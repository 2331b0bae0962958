import { formatClock } from "../format.js";

const PHASE_NAMES = { routing: "Joining", intro: "Introductions", interview: "Interview", closing: "Closing", done: "Done" };

/** The interview's phases as coloured spans, with marks for whiteboard snapshots and code,
 * and the playhead. Click anywhere to seek. */
export default function ReplayTimeline({ duration, time, phases, snapshots, code, onSeek }) {
  const total = Math.max(duration || 0, 1);
  const pct = (t) => `${Math.min(100, Math.max(0, (t / total) * 100))}%`;
  const spans = phases.map((p, i) => ({
    ...p,
    end: i + 1 < phases.length ? phases[i + 1].at_s : total,
  }));

  function click(e) {
    const rect = e.currentTarget.getBoundingClientRect();
    onSeek(((e.clientX - rect.left) / rect.width) * total);
  }

  return (
    <div className="timeline" data-testid="replay-timeline">
      <div
        className="timeline-track"
        onClick={click}
        role="slider"
        tabIndex={0}
        aria-label="Interview timeline"
        aria-valuemin={0}
        aria-valuemax={Math.round(total)}
        aria-valuenow={Math.round(time)}
        aria-valuetext={formatClock(time)}
        onKeyDown={(e) => {
          if (e.key === "ArrowRight") onSeek(Math.min(total, time + 5));
          if (e.key === "ArrowLeft") onSeek(Math.max(0, time - 5));
        }}
      >
        {spans.map((p) => (
          <span
            key={`${p.phase}-${p.at_s}`}
            className={`tl-phase tl-${p.phase}`}
            style={{ left: pct(p.at_s), width: `calc(${pct(p.end)} - ${pct(p.at_s)})` }}
            title={`${PHASE_NAMES[p.phase] || p.phase} from ${formatClock(p.at_s)}`}
          />
        ))}
        {snapshots.map((s) => (
          <span key={`s${s.seq}`} className="tl-mark tl-snap" style={{ left: pct(s.at_s) }} title={`Whiteboard ${s.seq}`} />
        ))}
        {code.map((c) => (
          <span key={`c${c.kind}${c.id}`} className={`tl-mark tl-code tl-${c.kind}`} style={{ left: pct(c.at_s) }}
            title={c.kind === "submission" ? `Submission ${c.passed}/${c.total}` : "Code"} />
        ))}
        <span className="tl-head" style={{ left: pct(time) }} />
      </div>
      <div className="timeline-legend muted small-text">
        {spans.map((p) => (
          <span key={`l-${p.phase}-${p.at_s}`} className="legend-item">
            <span className={`legend-dot tl-${p.phase}`} /> {PHASE_NAMES[p.phase] || p.phase} {formatClock(p.at_s)}
          </span>
        ))}
        <span className="legend-time">
          {formatClock(time)} / {formatClock(total)}
        </span>
      </div>
    </div>
  );
}
