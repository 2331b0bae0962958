import { useCallback } from "react";

// srcObject cannot be set as a prop: a ref callback (re)binds it whenever the stream changes.
function useStreamRef(stream, play) {
  return useCallback(
    (el) => {
      if (!el) return;
      el.srcObject = stream ?? null;
      if (stream && play) el.play().catch(() => {}); // autoplay may need a gesture; the join click gives one
    },
    [stream, play],
  );
}

/** A muted, inline <video> showing a MediaStream (the self-view). */
export function StreamVideo({ stream, ...rest }) {
  return <video ref={useStreamRef(stream, false)} autoPlay muted playsInline {...rest} />;
}

/** An <audio> element playing a MediaStream (the interviewer's voice). */
export function StreamAudio({ stream, ...rest }) {
  return <audio ref={useStreamRef(stream, true)} autoPlay {...rest} />;
}
