import { useEffect, useRef, useState } from "react";
import { MEDIA_PROBLEM, NO_CAMERA, groupDevices, mediaConstraints, mediaProblem, pickDevice } from "../call/devices.js";
import { audioContext } from "../call/useAudioLevel.js";
import { stopStream } from "../call/rtc.js";
import { MicLevel } from "./LevelMeter.jsx";
import { StreamVideo } from "./StreamMedia.jsx";
import "./presence.css";

const PROBLEM_TEXT = {
  [MEDIA_PROBLEM.DENIED]: {
    title: "Microphone access is blocked",
    body: "Allow the microphone (and camera) for this site — click the lock or camera icon in the address bar — then press Try again.",
  },
  [MEDIA_PROBLEM.NO_DEVICE]: {
    title: "No microphone found",
    body: "Connect a microphone or a headset and press Try again. The interview is spoken, so joining needs a microphone; once in, you can also type answers.",
  },
  [MEDIA_PROBLEM.IN_USE]: {
    title: "The microphone is busy",
    body: "Another application is using it. Close that application and press Try again.",
  },
  [MEDIA_PROBLEM.INSECURE]: {
    title: "This page cannot use the microphone",
    body: "Microphone access needs a secure page: open the site over https (or on localhost).",
  },
  [MEDIA_PROBLEM.OTHER]: {
    title: "Could not open the microphone",
    body: "Check your devices and press Try again.",
  },
};

/** A short two-note chime made on the spot (no media file): "can I hear the interviewer?". */
function playTestTone() {
  const ctx = audioContext();
  if (!ctx) return 0;
  const start = ctx.currentTime + 0.05;
  [523.25, 783.99].forEach((hz, i) => {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    const t = start + i * 0.35;
    osc.frequency.value = hz;
    gain.gain.setValueAtTime(0, t);
    gain.gain.linearRampToValueAtTime(0.25, t + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.001, t + 0.32);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t);
    osc.stop(t + 0.34);
  });
  return 800;
}

/**
 * The check before joining: pick the microphone and camera, see the preview and the mic level,
 * test the speaker. `onChange({ready, audioId, videoId})` tells the room what to join with; it
 * is ready only with a working microphone (the call needs one).
 */
export default function PreJoin({ onChange }) {
  const [check, setCheck] = useState({ status: "checking", problem: null, cameraMissing: false });
  const [stream, setStream] = useState(null);
  const [lists, setLists] = useState({ mics: [], cameras: [] });
  const [choice, setChoice] = useState({ audioId: "", videoId: "" });
  const [attempt, setAttempt] = useState(0);
  const [tone, setTone] = useState("idle"); // idle → playing → played
  const report = useRef(onChange);
  report.current = onChange;

  // Open the chosen devices (again on a change of device or a retry). The stream in use is in
  // `live`, stopped when replaced or on unmount (joining: the call opens its own).
  const live = useRef({ stream: null, audioId: "", videoId: "" });
  useEffect(() => () => stopStream(live.current.stream), []);
  useEffect(() => {
    const current = live.current;
    const cameraOk = choice.videoId === current.videoId || (choice.videoId === "" && current.stream);
    if (current.stream && choice.audioId === current.audioId && cameraOk) return undefined; // already open
    let cancelled = false;
    (async () => {
      setCheck((c) => ({ ...c, status: "checking" }));
      const media = navigator.mediaDevices;
      if (!media?.getUserMedia) {
        setCheck({ status: "problem", problem: MEDIA_PROBLEM.INSECURE, cameraMissing: false });
        return;
      }
      let opened;
      let cameraMissing = false;
      try {
        try {
          opened = await media.getUserMedia(mediaConstraints(choice));
        } catch (err) {
          if (mediaProblem(err) !== MEDIA_PROBLEM.NO_DEVICE || choice.videoId === NO_CAMERA) throw err;
          opened = await media.getUserMedia(mediaConstraints({ ...choice, videoId: NO_CAMERA }));
          cameraMissing = true; // a microphone but no camera: audio only
        }
      } catch (err) {
        if (cancelled) return;
        stopStream(live.current.stream);
        live.current = { stream: null, audioId: "", videoId: "" };
        setStream(null);
        setCheck({ status: "problem", problem: mediaProblem(err), cameraMissing: false });
        return;
      }
      const found = groupDevices(await media.enumerateDevices().catch(() => []));
      if (cancelled) return stopStream(opened);
      const inUse = (kind) => opened.getTracks().find((t) => t.kind === kind)?.getSettings?.().deviceId;
      const audioId = pickDevice(found.mics, choice.audioId, inUse("audio"));
      const videoId =
        choice.videoId === NO_CAMERA || cameraMissing ? NO_CAMERA : pickDevice(found.cameras, choice.videoId, inUse("video"));
      stopStream(live.current.stream);
      live.current = { stream: opened, audioId, videoId };
      setLists(found);
      setStream(opened);
      setCheck({ status: "ready", problem: null, cameraMissing: cameraMissing || found.cameras.length === 0 });
      setChoice((c) => (c.audioId === audioId && c.videoId === videoId ? c : { audioId, videoId }));
    })();
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [choice.audioId, choice.videoId, attempt]);

  // Plugging in or removing a device refreshes the lists.
  useEffect(() => {
    const media = navigator.mediaDevices;
    if (!media?.addEventListener) return undefined;
    const refresh = () => media.enumerateDevices().then((l) => setLists(groupDevices(l)), () => {});
    media.addEventListener("devicechange", refresh);
    return () => media.removeEventListener("devicechange", refresh);
  }, []);

  const ready = check.status === "ready" && !!stream && stream.getAudioTracks().length > 0;
  const audioId = choice.audioId;
  const videoId = check.cameraMissing ? NO_CAMERA : choice.videoId;
  useEffect(() => {
    report.current?.({ ready, audioId, videoId });
  }, [ready, audioId, videoId]);

  function testSpeaker() {
    setTone("playing");
    setTimeout(() => setTone("played"), playTestTone());
  }

  const hasVideo = !!stream && stream.getVideoTracks().length > 0;
  const problem = check.status === "problem" ? PROBLEM_TEXT[check.problem] : null;

  return (
    <div className="prejoin" data-testid="prejoin" data-status={check.status}>
      <div className="video-tile">
        <StreamVideo stream={hasVideo ? stream : null} className={hasVideo ? "" : "hidden"} data-testid="prejoin-preview" />
        {!hasVideo && (
          <div className="video-placeholder">
            {check.status === "checking"
              ? "Starting your camera and microphone…"
              : problem
                ? "No preview"
                : "Camera off — you will join with audio only"}
          </div>
        )}
        {hasVideo && <span className="video-label">Preview</span>}
      </div>

      {problem && (
        <div className="prejoin-problem" role="alert" data-testid="prejoin-error" data-kind={check.problem}>
          <strong>{problem.title}</strong>
          <p>{problem.body}</p>
          <button type="button" className="button small" onClick={() => setAttempt((n) => n + 1)} data-testid="prejoin-retry">
            Try again
          </button>
        </div>
      )}

      {!problem && (
        <div className="prejoin-fields">
          <label className="prejoin-field">
            <span>Microphone</span>
            <select
              value={choice.audioId}
              onChange={(e) => setChoice((c) => ({ ...c, audioId: e.target.value }))}
              disabled={lists.mics.length === 0}
              data-testid="mic-select"
            >
              {lists.mics.length === 0 && <option value="">Looking for microphones…</option>}
              {lists.mics.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.label}
                </option>
              ))}
            </select>
          </label>
          <label className="prejoin-field">
            <span>Camera</span>
            <select
              value={videoId}
              onChange={(e) => setChoice((c) => ({ ...c, videoId: e.target.value }))}
              disabled={check.cameraMissing && lists.cameras.length === 0}
              data-testid="camera-select"
            >
              {lists.cameras.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.label}
                </option>
              ))}
              <option value={NO_CAMERA}>{lists.cameras.length ? "No camera (audio only)" : "No camera found"}</option>
            </select>
          </label>
          <MicLevel stream={stream} data-testid="prejoin-mic-level" />
          <div className="prejoin-speaker">
            <button type="button" className="button small" onClick={testSpeaker} disabled={tone === "playing"} data-testid="speaker-test">
              {tone === "playing" ? "Playing…" : "Test speaker"}
            </button>
            <span className="muted small-text" data-testid="speaker-test-hint">
              {tone === "played" ? "Heard two notes? Your speaker works." : "Plays a short chime."}
            </span>
          </div>
          {check.cameraMissing && check.status === "ready" && (
            <p className="muted small-text prejoin-note">No camera found — you will join with audio only.</p>
          )}
        </div>
      )}
    </div>
  );
}
