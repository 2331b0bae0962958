import { useCallback, useEffect, useRef, useState } from "react";
import { connectInterview, getLocalMedia, sendEvent, stopStream, waitForClose } from "../rtc.js";
import { applyCaption } from "../captions.js";
import Captions from "./Captions.jsx";
import Notice from "./Notice.jsx";
import RecIndicator from "./RecIndicator.jsx";
import TypedAnswer from "./TypedAnswer.jsx";
import Whiteboard from "./Whiteboard.jsx"; // whiteboard (h12board)
import { sendChunked } from "../whiteboard/chunks.js"; // whiteboard (h12board)

// The server lets the goodbye play for up to 20 s after "done" before it hangs up.
const DONE_FALLBACK_MS = 25000;

const FAILED_MESSAGE =
  "The connection failed — check your network (a firewall or VPN may block WebRTC) and join again.";

/**
 * The live part of the interview room: join (mic/camera + WebRTC), captions,
 * phase, recording indicator, end. `onEnded()` reloads the interview record
 * after leaving; `onConnected()` is called when the peer connection connects.
 */
export default function LiveSession({ interview, onEnded, onConnected }) {
  const [stage, setStage] = useState("idle"); // idle | joining | live | ending | ended
  const [connState, setConnState] = useState("idle");
  const [connectedAt, setConnectedAt] = useState(null);
  const [phase, setPhase] = useState(interview.current_phase || null);
  const [captions, setCaptions] = useState([]);
  const [notice, setNotice] = useState(null);
  const [stream, setStream] = useState(null);
  const [micOn, setMicOn] = useState(true);
  const [camOn, setCamOn] = useState(true);

  const session = useRef({ pc: null, channel: null, stream: null, finishing: false });
  const mounted = useRef(false);
  const selfView = useRef(null);
  const remoteAudio = useRef(null);

  // --- whiteboard (h12board): server events to the board, its snapshots out in chunks ---
  const boardListeners = useRef(new Set());
  const subscribeBoard = useCallback((fn) => {
    boardListeners.current.add(fn);
    return () => boardListeners.current.delete(fn);
  }, []);
  const sendBoard = useCallback((event) => sendChunked(session.current.channel, event), []);
  // --- end whiteboard ---

  // Release everything (safe to call repeatedly).
  const teardown = useCallback(() => {
    const s = session.current;
    if (s.channel) {
      try {
        s.channel.close();
      } catch {
        /* already closed */
      }
    }
    if (s.pc) s.pc.close();
    stopStream(s.stream);
    if (remoteAudio.current) remoteAudio.current.srcObject = null;
    session.current = { pc: null, channel: null, stream: null, finishing: false };
  }, []);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      teardown();
    };
  }, [teardown]);

  useEffect(() => {
    if (selfView.current) selfView.current.srcObject = stream;
  }, [stream]);

  // Leave the call: optionally tell the server, give it ≤1 s, close, reload the record.
  const finish = useCallback(
    async ({ sendEnd }) => {
      const s = session.current;
      if (!s.pc || s.finishing) return;
      s.finishing = true;
      setStage("ending");
      if (sendEnd) sendEvent(s.channel, { type: "session.end" });
      await waitForClose(s.pc, sendEnd ? s.channel : null, 1000);
      teardown();
      if (!mounted.current) return;
      setStream(null);
      setConnState("closed");
      setStage("ended");
      await onEnded();
    },
    [teardown, onEnded],
  );

  const fail = useCallback(
    (message) => {
      teardown();
      if (!mounted.current) return;
      setStream(null);
      setConnState("failed");
      setNotice({ message });
      setStage("idle");
    },
    [teardown],
  );

  function handleMessage(msg) {
    boardListeners.current.forEach((fn) => fn(msg)); // whiteboard (h12board)
    switch (msg.type) {
      case "caption":
        setCaptions((list) => applyCaption(list, msg));
        break;
      case "phase":
        setPhase(msg.phase ?? null);
        if (msg.phase === "done") {
          // The interviewer wrapped up. The server ends the call once its goodbye has
          // played (the channel closes and we leave); leave anyway if that never comes.
          setTimeout(() => finish({ sendEnd: false }), DONE_FALLBACK_MS);
        }
        break;
      case "error":
        setNotice({ code: msg.code, message: msg.message || "Something went wrong in the session." });
        break;
      default:
        break;
    }
  }

  async function join() {
    if (stage === "joining" || session.current.pc) return;
    setNotice(null);
    setCaptions([]);
    setConnectedAt(null);
    setConnState("new");
    setStage("joining");

    let media;
    try {
      media = await getLocalMedia();
    } catch (err) {
      if (!mounted.current) return;
      setConnState("idle");
      setNotice({ message: err.message });
      setStage("idle");
      return;
    }
    if (!mounted.current) {
      stopStream(media);
      return;
    }
    session.current.stream = media;
    media.getAudioTracks().forEach((t) => (t.enabled = micOn));
    media.getVideoTracks().forEach((t) => (t.enabled = camOn));
    setStream(media);

    try {
      const { pc, channel } = await connectInterview(interview.id, media, {
        onTrack: (e) => {
          if (e.track.kind !== "audio" || !remoteAudio.current) return;
          remoteAudio.current.srcObject = e.streams[0] || new MediaStream([e.track]);
          remoteAudio.current.play().catch(() => {});
        },
        onConnectionState: (state) => {
          if (!mounted.current) return;
          setConnState(state);
          if (state === "connected") {
            setConnectedAt((t) => t ?? Date.now());
            if (onConnected) onConnected(); // refresh the record (status → in_progress)
          }
          if (state === "failed") fail(FAILED_MESSAGE);
        },
        onMessage: handleMessage,
        onChannelClose: () => {
          const s = session.current;
          if (!s.pc || s.finishing) return;
          if (s.pc.connectionState === "failed") fail(FAILED_MESSAGE);
          else finish({ sendEnd: false }); // the server ended the session
        },
      });
      if (!mounted.current) {
        channel.close();
        pc.close();
        stopStream(media);
        return;
      }
      session.current.pc = pc;
      session.current.channel = channel;
      setConnState(pc.connectionState);
      setStage("live");
    } catch (err) {
      teardown();
      if (!mounted.current) return;
      setStream(null);
      setConnState("idle");
      setNotice({ code: err.code, message: err.message || "Could not join the interview." });
      setStage("idle");
    }
  }

  function toggleMic() {
    const on = !micOn;
    setMicOn(on);
    stream?.getAudioTracks().forEach((t) => (t.enabled = on));
  }

  function toggleCam() {
    const on = !camOn;
    setCamOn(on);
    stream?.getVideoTracks().forEach((t) => (t.enabled = on));
  }

  // A typed answer goes to the interviewer over the events channel, like speech would.
  function sendTyped(text) {
    return sendEvent(session.current.channel, { type: "chat.text", text });
  }

  const inCall = stage === "live" || stage === "ending";
  const hasVideo = !!stream && stream.getVideoTracks().length > 0;

  return (
    <div className="live">
      <div className="live-bar">
        <span className="conn">
          Connection: <span className={`conn-state conn-${connState}`} data-testid="conn-state">{connState}</span>
        </span>
        <span className="phase-wrap">
          Phase: <span className="phase-label" data-testid="phase" data-phase={phase || ""}>{phase || "—"}</span>
        </span>
        {inCall && connectedAt && <RecIndicator since={connectedAt} />}
      </div>

      <Notice notice={notice} onDismiss={() => setNotice(null)} />

      <div className="live-grid">
        <div className="video-col">
          <div className="video-tile">
            <video
              ref={selfView}
              className={hasVideo && camOn ? "" : "hidden"}
              data-testid="self-view"
              autoPlay
              muted
              playsInline
            />
            {!(hasVideo && camOn) && (
              <div className="video-placeholder">
                {stage === "joining" ? "Starting camera…" : stream ? "Camera off" : "Your camera preview appears here"}
              </div>
            )}
            {stream && <span className="video-label">You</span>}
          </div>
          <audio ref={remoteAudio} data-testid="remote-audio" autoPlay />

          <div className="controls">
            {!inCall && (
              <button
                type="button"
                className="button primary big"
                onClick={join}
                disabled={stage === "joining"}
                data-testid="join"
              >
                {stage === "joining" ? "Joining…" : stage === "ended" ? "Rejoin interview" : "Join interview"}
              </button>
            )}
            {inCall && (
              <>
                <button type="button" className={`button ${micOn ? "" : "off"}`} onClick={toggleMic} aria-pressed={!micOn} data-testid="mic-toggle">
                  {micOn ? "Mute mic" : "Unmute mic"}
                </button>
                {hasVideo && (
                  <button type="button" className={`button ${camOn ? "" : "off"}`} onClick={toggleCam} aria-pressed={!camOn} data-testid="cam-toggle">
                    {camOn ? "Camera off" : "Camera on"}
                  </button>
                )}
                <button
                  type="button"
                  className="button danger"
                  onClick={() => finish({ sendEnd: true })}
                  disabled={stage === "ending"}
                  data-testid="end"
                >
                  {stage === "ending" ? "Ending…" : "End interview"}
                </button>
              </>
            )}
          </div>
          {stage === "idle" && !notice && (
            <p className="muted small-text">
              Joining asks for your microphone and camera. The session is recorded so you can review it afterwards.
            </p>
          )}
          {stage === "ended" && <p className="muted small-text">You left the session.</p>}
        </div>

        <div className="captions-col">
          <h2 className="sub-head">Captions</h2>
          <Captions items={captions} />
          <TypedAnswer onSend={sendTyped} disabled={stage !== "live"} />
        </div>
      </div>

      {/* whiteboard (h12board) */}
      {interview.type === "system_design" && (
        <Whiteboard interviewId={interview.id} send={sendBoard} live={stage === "live"} subscribe={subscribeBoard} />
      )}
    </div>
  );
}
