import { Suspense, lazy, useCallback, useEffect, useMemo, useRef, useState } from "react";
import "@excalidraw/excalidraw/index.css";
import { api } from "../api.js";
import { EXPORT_MAX_SIDE_PX, useCanvasSnapshots } from "../whiteboard/useCanvasSnapshots.js";

// Excalidraw's fonts are copied into the build (vite.config.js): nothing comes from a CDN.
window.EXCALIDRAW_ASSET_PATH = "/excalidraw-assets/";

// Excalidraw is big: it loads with the room of a system-design interview, not with every page.
const loadExcalidraw = () => import("@excalidraw/excalidraw");
const Excalidraw = lazy(() => loadExcalidraw().then((m) => ({ default: m.Excalidraw })));

async function exportPng(elements, appState, files) {
  const { exportToBlob } = await loadExcalidraw();
  return exportToBlob({
    elements: elements.filter((e) => !e.isDeleted),
    appState: { ...appState, exportBackground: true, viewBackgroundColor: appState?.viewBackgroundColor || "#ffffff" },
    files,
    mimeType: "image/png",
    maxWidthOrHeight: EXPORT_MAX_SIDE_PX,
  });
}

// Cheap and stable: changes whenever any element is added, edited or deleted.
function sceneVersion(elements) {
  let v = elements.length;
  for (const e of elements) v = (v * 31 + (e.version || 0) + (e.isDeleted ? 7 : 0)) % 2147483647;
  return v;
}

function StatusLine({ status, live, readOnly, empty }) {
  let text = "Draw your design here. It is saved while you are in the call.";
  let cls = "muted";
  if (readOnly) {
    return (
      <span className="board-status muted" data-testid="board-status" data-state="read-only">
        {empty ? "Nothing was drawn in this interview." : "The whiteboard as it was last saved."}
      </span>
    );
  }
  if (status.state === "pending") text = live ? "Unsaved changes…" : "Join the call to save your drawing.";
  if (status.state === "sending") text = "Saving…";
  if (status.state === "saved") text = status.restored ? "Restored your last saved drawing." : `Saved (snapshot ${status.seq}).`;
  if (status.state === "error") {
    text = status.message;
    cls = "error-text";
  }
  return (
    <span className={`board-status ${cls}`} data-testid="board-status" data-state={status.state}>
      {text}
    </span>
  );
}

/**
 * The system-design whiteboard: Excalidraw, restored from the server's latest snapshot,
 * sending debounced `canvas.snapshot` events through `send` while `live` (in the call).
 * `subscribe(listener)` hands it the call's server events (for `canvas.saved` and errors).
 * `readOnly`: the board of an ended interview, shown as it was last saved.
 */
const noSend = () => false;

export default function Whiteboard({ interviewId, send = noSend, live = false, subscribe, readOnly = false }) {
  const [restore, setRestore] = useState({ state: "loading" }); // loading | ready | error
  const snapshots = useCanvasSnapshots({ send, canSend: live, exportPng, getVersion: sceneVersion });
  const { markRestored, onServerEvent } = snapshots;
  const loadedFor = useRef(null);
  const excalidraw = useRef(null);
  // Excalidraw measures where its canvas is only on scroll and resize; content appearing above
  // the board (the question card) moves it without either, and strokes would land off target.
  // Re-measure as each stroke starts.
  const remeasure = useCallback(() => excalidraw.current?.refresh(), []);

  const load = useCallback(async () => {
    setRestore({ state: "loading" });
    try {
      const { snapshot } = await api.latestCanvas(interviewId);
      if (snapshot && snapshot.elements.length) markRestored();
      setRestore({
        state: "ready",
        empty: !snapshot || !snapshot.elements.length,
        initialData: snapshot
          ? { elements: snapshot.elements, appState: { ...snapshot.app_state }, scrollToContent: true }
          : { appState: { viewBackgroundColor: "#ffffff" } },
      });
    } catch (err) {
      setRestore({ state: "error", message: err.message || "Could not load the whiteboard." });
    }
  }, [interviewId, markRestored]);

  useEffect(() => {
    if (loadedFor.current === interviewId) return;
    loadedFor.current = interviewId;
    load();
  }, [interviewId, load]);

  useEffect(() => (subscribe ? subscribe(onServerEvent) : undefined), [subscribe, onServerEvent]);

  const uiOptions = useMemo(
    () => ({ canvasActions: { loadScene: false, saveToActiveFile: false, export: false, toggleTheme: false } }),
    [],
  );

  return (
    <section className="board card" aria-label="Whiteboard" data-testid="whiteboard">
      <div className="board-head">
        <h2 className="sub-head">Whiteboard</h2>
        <StatusLine status={snapshots.status} live={live} readOnly={readOnly} empty={restore.empty} />
      </div>
      <div className="board-canvas" onPointerDownCapture={remeasure} onPointerEnter={remeasure}>
        {restore.state === "loading" && <p className="muted board-placeholder">Loading the whiteboard…</p>}
        {restore.state === "error" && (
          <div className="board-placeholder">
            <p className="error-text">{restore.message}</p>
            <button type="button" className="button" onClick={load}>
              Retry
            </button>
          </div>
        )}
        {restore.state === "ready" && (
          <Suspense fallback={<p className="muted board-placeholder">Loading the whiteboard…</p>}>
            <Excalidraw
              excalidrawAPI={(instance) => {
                excalidraw.current = instance;
              }}
              initialData={restore.initialData}
              onChange={readOnly ? undefined : snapshots.onChange}
              viewModeEnabled={readOnly}
              UIOptions={uiOptions}
            />
          </Suspense>
        )}
      </div>
    </section>
  );
}
