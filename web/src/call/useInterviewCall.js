// The interview call as a hook: state lives in callReducer; the effects below own the
// WebRTC resources of each join attempt and only ever dispatch actions, so no handler
// reads state captured at join time.
import { useCallback, useEffect, useEffectEvent, useReducer, useRef } from "react";
import { END_REASON, STATUS, callReducer, initialCallState } from "./callReducer.js";
import { closeCall, createPeer, getLocalMedia, negotiate, sendEvent, stopStream, waitForClose } from "./rtc.js";
import { sendChunked } from "../whiteboard/chunks.js";

// The server lets the goodbye play for up to 20 s after "done" before it hangs up.
const WRAP_UP_FALLBACK_MS = 25000;
// After "session.end", how long the server gets to wrap up before we close.
const LEAVE_GRACE_MS = 1000;

/**
 * useInterviewCall(interviewId, {onConnected, onEnded}) →
 *   {state, join, hangUp, toggleMic, toggleCam, sendText, send, dismissNotice}
 *
 * `state` is the reducer state (see callReducer.js); `rejoinOffered` says the interview is
 * `inProgress` on the server while this page has no call (after a reload or a failure).
 * `onConnected()` runs when the
 * peer connection first connects (the record is now in_progress), `onEnded()` once
 * the call has been left; both always see the latest props.
 */
export function useInterviewCall(interviewId, { onConnected, onEnded, inProgress = false } = {}) {
  const [state, dispatch] = useReducer(callReducer, null, initialCallState);
  // The resources of the current attempt ({pc, channel, stream}); not state: nothing renders them.
  const resources = useRef(null);
  const listeners = useRef(new Set()); // subscribe(): every server message, e.g. for the whiteboard
  const devices = useRef(null); // {audioId, videoId} chosen in the pre-join check
  const { attempt, status, endReason, wrapUp, connectedAt, localStream, micOn, camOn } = state;

  // One effect run per join attempt: it opens the media and the peer connection,
  // turns their callbacks into actions, and closes everything when the attempt is over.
  useEffect(() => {
    if (attempt === 0) return undefined;
    const call = { pc: null, channel: null, stream: null, over: false };
    resources.current = call;
    const act = (action) => {
      if (!call.over) dispatch({ ...action, attempt });
    };

    (async () => {
      try {
        const stream = await getLocalMedia(devices.current);
        if (call.over) return stopStream(stream);
        call.stream = stream;
        act({ type: "media_ready", stream });
        Object.assign(
          call,
          createPeer(stream, {
            onTrack: (e) => {
              if (e.track.kind === "audio") act({ type: "remote_track", stream: e.streams[0] || new MediaStream([e.track]) });
            },
            onConnectionState: (s) => act({ type: "connection_state", state: s, at: Date.now() }),
            onMessage: (msg) => {
              listeners.current.forEach((fn) => fn(msg)); // e.g. the whiteboard's canvas.saved
              act({ type: "message", msg });
            },
            onChannelOpen: () => act({ type: "channel_open" }),
            onChannelClose: () => act({ type: "channel_closed" }),
          }),
        );
        await negotiate(call.pc, interviewId);
      } catch (err) {
        act({ type: "join_failed", notice: { code: err.code, message: err.message || "Could not join the interview." } });
      }
      return undefined;
    })();

    return () => {
      call.over = true;
      closeCall(call);
      if (resources.current === call) resources.current = null;
    };
  }, [attempt, interviewId]);

  // Ended or failed: release the attempt's resources now rather than at the next join.
  useEffect(() => {
    if (status !== STATUS.ENDED && status !== STATUS.ERROR) return;
    const call = resources.current;
    if (!call) return;
    call.over = true;
    closeCall(call);
  }, [status]);

  // Leaving: tell the server if it was the candidate's choice, give it a moment, close.
  useEffect(() => {
    if (status !== STATUS.ENDING) return undefined;
    const call = resources.current;
    const byCandidate = endReason === END_REASON.HANG_UP;
    if (byCandidate) sendEvent(call?.channel, { type: "session.end" });
    let cancelled = false;
    const wait = call?.pc ? waitForClose(call.pc, byCandidate ? call.channel : null, LEAVE_GRACE_MS) : Promise.resolve();
    wait.then(() => {
      if (!cancelled) dispatch({ type: "closed", attempt });
    });
    return () => {
      cancelled = true;
    };
  }, [status, endReason, attempt]);

  // The interviewer wrapped up: the server hangs up after the goodbye; leave anyway if it never does.
  useEffect(() => {
    if (!wrapUp || status !== STATUS.LIVE) return undefined;
    const timer = setTimeout(() => dispatch({ type: "wrap_up_timeout", attempt }), WRAP_UP_FALLBACK_MS);
    return () => clearTimeout(timer);
  }, [wrapUp, status, attempt]);

  // Mute / camera off act on the local tracks.
  useEffect(() => {
    localStream?.getAudioTracks().forEach((t) => (t.enabled = micOn));
    localStream?.getVideoTracks().forEach((t) => (t.enabled = camOn));
  }, [localStream, micOn, camOn]);

  const connected = useEffectEvent(() => onConnected?.());
  useEffect(() => {
    if (connectedAt) connected();
  }, [connectedAt]);

  const ended = useEffectEvent(() => onEnded?.());
  useEffect(() => {
    if (status === STATUS.ENDED) ended();
  }, [status, attempt]);

  // join(devices?): devices = {audioId, videoId} from the pre-join check (an event is ignored).
  const join = useCallback((chosen) => {
    if (chosen && typeof chosen === "object" && "audioId" in chosen) devices.current = chosen;
    dispatch({ type: "join" });
  }, []);
  const hangUp = useCallback(() => dispatch({ type: "hang_up" }), []);
  const toggleMic = useCallback(() => dispatch({ type: "toggle_mic" }), []);
  const toggleCam = useCallback(() => dispatch({ type: "toggle_cam" }), []);
  const dismissNotice = useCallback(() => dispatch({ type: "dismiss_notice" }), []);
  // A typed answer goes to the interviewer over the events channel, like speech would.
  const sendText = useCallback((text) => sendEvent(resources.current?.channel, { type: "chat.text", text }), []);

  // Components that speak their own events (the whiteboard, the coding room): subscribe to
  // every server message; send an event (false when the channel is not open), or a big
  // payload in chunks over the same channel.
  const subscribe = useCallback((fn) => {
    listeners.current.add(fn);
    return () => listeners.current.delete(fn);
  }, []);
  const send = useCallback((event) => sendEvent(resources.current?.channel, event), []);
  const sendChunkedEvent = useCallback((event) => sendChunked(resources.current?.channel, event), []);

  const rejoinOffered = inProgress && (status === STATUS.IDLE || status === STATUS.ERROR);

  return {
    state,
    rejoinOffered,
    join,
    hangUp,
    toggleMic,
    toggleCam,
    sendText,
    send,
    dismissNotice,
    subscribe,
    sendChunked: sendChunkedEvent,
  };
}
