import { useEffect, useRef } from "react";
import { formatClock } from "../format.js";

/** The transcript beside the player: the line being spoken is highlighted and kept in view;
 * clicking a line seeks there. */
export default function TranscriptPane({ lines, current, onSeek }) {
  const box = useRef(null);

  useEffect(() => {
    const el = box.current?.querySelector('[aria-current="true"]');
    if (!el || !box.current) return;
    const top = el.offsetTop - box.current.offsetTop;
    const { scrollTop, clientHeight } = box.current;
    if (top < scrollTop || top + el.offsetHeight > scrollTop + clientHeight) {
      box.current.scrollTo({ top: Math.max(0, top - clientHeight / 3), behavior: "smooth" });
    }
  }, [current]);

  if (!lines.length) return <p className="muted empty">No transcript was recorded.</p>;
  return (
    <ol className="replay-transcript" ref={box} data-testid="replay-transcript">
      {lines.map((ln) => (
        <li key={ln.seq}>
          <button
            type="button"
            className={`line line-${ln.speaker}`}
            aria-current={current === ln.seq ? "true" : undefined}
            data-testid="replay-line"
            data-seq={ln.seq}
            data-at={ln.at_s}
            onClick={() => onSeek(ln.at_s)}
          >
            <span className="line-time">{formatClock(ln.at_s)}</span>
            <span className="line-speaker">{ln.speaker === "agent" ? "Interviewer" : "You"}</span>
            <span className="line-text">{ln.text}</span>
          </button>
        </li>
      ))}
    </ol>
  );
}
