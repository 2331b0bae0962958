// The sound level of a MediaStream's audio, measured with a Web Audio AnalyserNode.
import { useEffect, useState } from "react";
import { quantizeLevel, rmsLevel, smoothLevel } from "./audioLevel.js";

const SAMPLE_MS = 50;
let sharedContext = null;

/** One AudioContext for the page (browsers cap how many may exist); resumed on each use. */
export function audioContext() {
  const Ctx = typeof window !== "undefined" && (window.AudioContext || window.webkitAudioContext);
  if (!Ctx) return null;
  if (!sharedContext || sharedContext.state === "closed") sharedContext = new Ctx();
  if (sharedContext.state === "suspended") sharedContext.resume().catch(() => {});
  return sharedContext;
}

/**
 * useAudioLevel(stream, onSample?) → 0..1, smoothed and rounded to 1/50 (0 without audio).
 * `onSample(level, now)` sees every unrounded sample (20 a second), e.g. to note when a voice
 * was last heard. A remote WebRTC stream must also play in a media element to be measured
 * (StreamAudio does that).
 */
export function useAudioLevel(stream, onSample) {
  const [level, setLevel] = useState(0);

  useEffect(() => {
    if (!stream || stream.getAudioTracks().length === 0) {
      setLevel(0);
      return undefined;
    }
    const ctx = audioContext();
    if (!ctx) return undefined;
    let source;
    try {
      source = ctx.createMediaStreamSource(stream);
    } catch {
      return undefined; // a stream whose tracks have ended
    }
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 1024;
    source.connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    let smoothed = 0;
    const timer = setInterval(() => {
      analyser.getFloatTimeDomainData(samples);
      smoothed = smoothLevel(smoothed, rmsLevel(samples));
      onSample?.(smoothed, Date.now());
      const shown = quantizeLevel(smoothed);
      setLevel((prev) => (prev === shown ? prev : shown));
    }, SAMPLE_MS);
    return () => {
      clearInterval(timer);
      source.disconnect();
      analyser.disconnect();
      setLevel(0);
    };
    // onSample is read through the closure of the first render on purpose: callers pass a stable one.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stream]);

  return level;
}
