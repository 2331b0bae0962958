import { useEffect, useState } from "react";
import { formatClock } from "../format.js";

/** Red dot + "REC mm:ss" counting from `since` (ms timestamp). */
export default function RecIndicator({ since }) {
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, []);

  return (
    <span className="rec" data-testid="rec" title="This session is being recorded">
      <span className="rec-dot" aria-hidden="true" />
      REC {formatClock((now - since) / 1000)}
    </span>
  );
}
