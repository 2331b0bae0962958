import { useEffect, useRef } from "react";
import { isCandidate, speakerLabel } from "../call/captions.js";

export default function Captions({ items }) {
  const box = useRef(null);

  // Keep the newest line in view unless the user scrolled up to read.
  const last = items[items.length - 1];
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const nearBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
    if (nearBottom) el.scrollTop = el.scrollHeight;
  }, [items.length, last?.text]);

  return (
    <div className="captions" data-testid="captions" role="log" aria-live="polite" ref={box}>
      {items.length === 0 && <p className="muted caption-empty">Captions will appear here once the conversation starts.</p>}
      {items.map((c) => (
        <p
          key={c.id}
          className={`caption ${isCandidate(c.speaker) ? "caption-you" : "caption-agent"}${c.final ? "" : " partial"}`}
          data-speaker={c.speaker}
          data-final={c.final ? "true" : "false"}
        >
          <span className="caption-speaker">{speakerLabel(c.speaker)}</span>
          <span className="caption-text">{c.text}</span>
        </p>
      ))}
    </div>
  );
}
