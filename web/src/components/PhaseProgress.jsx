import { useEffect, useState } from "react";
import { formatClock } from "../format.js";

const CLOSING_PHASES = new Set(["closing", "done"]);

/** Seconds since `startedAt` (epoch seconds), re-rendered every second. */
function useElapsed(startedAt) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return startedAt ? Math.max(0, now / 1000 - startedAt) : 0;
}

/**
 * The interview's time plan as a progress bar (requirements → … → wrap-up, or understanding →
 * … → complexity) with a countdown. `plan` is [{id, label, start_s, end_s}] from `session.state`.
 */
export default function PhaseProgress({ plan, startedAt, lengthMinutes, phase }) {
  const elapsed = useElapsed(startedAt);
  if (!plan || plan.length === 0 || !startedAt) return null;
  const total = lengthMinutes * 60;
  const left = total - elapsed;
  let current = plan.findIndex((s) => elapsed < s.end_s);
  if (current < 0) current = plan.length - 1;
  if (CLOSING_PHASES.has(phase)) current = plan.length - 1; // the interviewer is wrapping up
  const stage = plan[current];

  return (
    <div className="phase-progress" data-testid="phase-progress" data-stage={stage.id}>
      <div className="pp-head">
        <span>
          <span className="muted">Now: </span>
          <strong data-testid="stage-label">{stage.label}</strong>
        </span>
        <span className={`countdown ${left < 0 ? "over" : left < 300 ? "soon" : ""}`} data-testid="countdown" role="timer">
          {left >= 0 ? `${formatClock(left)} left` : `${formatClock(-left)} over`}
          <span className="muted"> of {lengthMinutes} min</span>
        </span>
      </div>
      <ol className="pp-bar" aria-label="Interview stages">
        {plan.map((s, i) => {
          const span = s.end_s - s.start_s;
          const fill = i < current ? 1 : i > current ? 0 : Math.min(1, Math.max(0, (elapsed - s.start_s) / span));
          return (
            <li
              key={s.id}
              className={`pp-seg ${i < current ? "past" : i === current ? "current" : ""}`}
              style={{ flexGrow: span / total }}
              aria-current={i === current ? "step" : undefined}
              title={`${s.label}: minutes ${Math.round(s.start_s / 60)}–${Math.round(s.end_s / 60)}`}
            >
              <span className="pp-fill" style={{ width: `${Math.round(fill * 100)}%` }} />
              <span className="pp-label">{s.label}</span>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
