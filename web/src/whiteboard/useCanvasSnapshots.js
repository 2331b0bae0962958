import { useCallback, useEffect, useRef, useState } from "react";
import { blobToBase64 } from "./chunks.js";

// When the scene changed: ~2 s after the last change, and at least every 10 s while changes
// keep coming. Nothing is sent while nothing changes.
export const QUIET_MS = 2000;
export const MAX_WAIT_MS = 10000;
export const MAX_SIDE_PX = 1600;
const APP_STATE_KEYS = ["viewBackgroundColor", "scrollX", "scrollY", "zoom", "gridSize", "theme"];

/**
 * Debounced `canvas.snapshot` events for an Excalidraw scene.
 *
 * `send(event)` returns false when it cannot send now (no call yet); the change stays
 * pending and goes out once `canSend` turns true. `exportPng(elements, appState, files)`
 * returns a PNG Blob. Returns {onChange, onServerEvent, status, markRestored}.
 */
export function useCanvasSnapshots({ send, canSend, exportPng, getVersion }) {
  const [status, setStatus] = useState({ state: "idle" }); // idle | pending | sending | saved | error
  const scene = useRef(null); // {elements, appState, files, version}
  const sentVersion = useRef(null);
  const timers = useRef({ quiet: null, max: null });
  const busy = useRef(false);
  // The first change is Excalidraw loading its initial (restored or empty) scene: not news.
  const adoptNext = useRef(true);

  const clearTimers = () => {
    clearTimeout(timers.current.quiet);
    clearTimeout(timers.current.max);
    timers.current = { quiet: null, max: null };
  };

  const flush = useCallback(async () => {
    clearTimers();
    const s = scene.current;
    if (!s || s.version === sentVersion.current || busy.current) return;
    if (!canSend) {
      setStatus({ state: "pending" });
      return;
    }
    busy.current = true;
    setStatus({ state: "sending", version: s.version });
    try {
      const blob = await exportPng(s.elements, s.appState, s.files);
      const png = await blobToBase64(blob);
      const appState = {};
      for (const k of APP_STATE_KEYS) if (s.appState && k in s.appState) appState[k] = s.appState[k];
      const ok = send({ type: "canvas.snapshot", version: s.version, png, elements: s.elements, app_state: appState });
      if (ok) sentVersion.current = s.version;
      else setStatus({ state: "pending" });
    } catch (err) {
      setStatus({ state: "error", message: `Could not export the drawing: ${err.message || err}` });
    } finally {
      busy.current = false;
    }
    // Changes made while exporting go out on the next round.
    if (scene.current && scene.current.version !== sentVersion.current) schedule();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [canSend, send, exportPng]);

  const flushRef = useRef(flush);
  flushRef.current = flush;

  function schedule() {
    clearTimeout(timers.current.quiet);
    timers.current.quiet = setTimeout(() => flushRef.current(), QUIET_MS);
    if (!timers.current.max) timers.current.max = setTimeout(() => flushRef.current(), MAX_WAIT_MS);
  }

  const onChange = useCallback(
    (elements, appState, files) => {
      const version = getVersion(elements);
      if (scene.current && scene.current.version === version) return; // a selection, a scroll
      scene.current = { elements, appState, files, version };
      if (adoptNext.current) {
        adoptNext.current = false;
        sentVersion.current = version;
        return;
      }
      if (version === sentVersion.current) return;
      setStatus((st) => (st.state === "sending" ? st : { state: "pending" }));
      schedule();
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [getVersion],
  );

  // A call just started: send what was drawn before it.
  useEffect(() => {
    if (canSend && scene.current && scene.current.version !== sentVersion.current) schedule();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [canSend]);

  useEffect(() => clearTimers, []);

  const onServerEvent = useCallback((msg) => {
    if (msg.type === "canvas.saved") {
      setStatus({ state: "saved", seq: msg.seq, at: Date.now() });
    } else if (msg.type === "error" && /png|canvas|elements|app_state/i.test(msg.message || "")) {
      sentVersion.current = null; // let the next change try again
      setStatus({ state: "error", message: msg.message });
    }
  }, []);

  /** The scene restored from the server is already stored: do not send it back. */
  const markRestored = useCallback(() => {
    adoptNext.current = true;
    setStatus({ state: "saved", restored: true });
  }, []);

  return { onChange, onServerEvent, status, markRestored };
}

export { MAX_SIDE_PX as EXPORT_MAX_SIDE_PX };
