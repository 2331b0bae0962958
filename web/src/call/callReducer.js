// The interview call as a pure state machine. Every WebRTC / data-channel callback
// becomes an action tagged with the join attempt it belongs to, so a late event from
// a call that was already left can never change the current one.
import { applyCaption } from "./captions.js";

/**
 * idle → connecting → live → ending → ended; connecting/live → error.
 * ended and error can join again (a new attempt).
 */
export const STATUS = Object.freeze({
  IDLE: "idle",
  CONNECTING: "connecting", // media, offer/answer, ICE + DTLS
  LIVE: "live", // peer connection connected
  ENDING: "ending", // leaving: waiting ≤ 1 s for the server to wrap up
  ENDED: "ended",
  ERROR: "error", // could not join, or the connection failed
});

/** Why a call ended (state.endReason). */
export const END_REASON = Object.freeze({
  HANG_UP: "hang_up", // the candidate pressed "End interview"
  SERVER: "server_ended", // the server closed the events channel (e.g. after the goodbye)
  WRAPPED_UP: "wrapped_up", // phase "done" and the server never hung up
});

export const FAILED_MESSAGE =
  "The connection failed — check your network (a firewall or VPN may block WebRTC) and join again.";
const CLOSED_WHILE_JOINING = "The connection closed while joining — join again.";

const IN_CALL = new Set([STATUS.CONNECTING, STATUS.LIVE, STATUS.ENDING]);

export function initialCallState(phase = null) {
  return {
    status: STATUS.IDLE,
    attempt: 0, // increases on every join; call events carry it
    endReason: null,
    notice: null, // {code?, message}: the error shown to the candidate
    connectionState: "idle", // RTCPeerConnection.connectionState, "idle" before the first join
    channelOpen: false, // the "events" data channel can send
    connectedAt: null, // ms timestamp of the first "connected" in this attempt
    phase,
    room: null, // the latest `session.state` event: question, phase, plan, clock (sent on every join)
    wrapUp: false, // the interviewer moved to "done" during this attempt
    captions: [],
    localStream: null,
    remoteStream: null,
    micOn: true,
    camOn: true,
  };
}

function released(state) {
  return { ...state, channelOpen: false, localStream: null, remoteStream: null };
}

function fail(state, notice) {
  return { ...released(state), status: STATUS.ERROR, notice, connectionState: "failed" };
}

function leave(state, endReason) {
  return state.status === STATUS.LIVE ? { ...state, status: STATUS.ENDING, endReason } : state;
}

/** Actions from the current attempt's peer connection and channel. */
function callEvent(state, action) {
  switch (action.type) {
    case "media_ready":
      return { ...state, localStream: action.stream };
    case "remote_track":
      return { ...state, remoteStream: action.stream };
    case "connection_state": {
      const next = { ...state, connectionState: action.state };
      if (action.state === "connected") {
        next.connectedAt = state.connectedAt ?? action.at;
        if (state.status === STATUS.CONNECTING) next.status = STATUS.LIVE;
      }
      if (action.state === "failed" && state.status !== STATUS.ENDING) {
        return fail(state, { message: FAILED_MESSAGE });
      }
      return next;
    }
    case "channel_open":
      return { ...state, channelOpen: true };
    case "channel_closed":
      if (state.status === STATUS.CONNECTING) return fail(state, { message: CLOSED_WHILE_JOINING });
      if (state.status === STATUS.LIVE && state.connectionState === "failed") {
        return fail(state, { message: FAILED_MESSAGE });
      }
      return leave({ ...state, channelOpen: false }, END_REASON.SERVER);
    case "message":
      return onMessage(state, action.msg);
    case "join_failed":
      return state.status === STATUS.CONNECTING ? fail(state, action.notice) : state;
    case "wrap_up_timeout":
      return leave(state, END_REASON.WRAPPED_UP);
    case "closed":
      if (state.status !== STATUS.ENDING) return state;
      return { ...released(state), status: STATUS.ENDED, connectionState: "closed" };
    default:
      return state;
  }
}

function onMessage(state, msg) {
  switch (msg.type) {
    case "caption":
      return { ...state, captions: applyCaption(state.captions, msg) };
    case "phase":
      return { ...state, phase: msg.phase ?? null, wrapUp: state.wrapUp || msg.phase === "done" };
    case "session.state":
      return { ...state, room: msg, phase: msg.phase ?? state.phase };
    case "error":
      return {
        ...state,
        notice: { code: msg.code, message: msg.message || "Something went wrong in the session." },
      };
    default:
      return state;
  }
}

export function callReducer(state, action) {
  switch (action.type) {
    case "join":
      if (IN_CALL.has(state.status)) return state;
      return {
        ...released(state),
        status: STATUS.CONNECTING,
        attempt: state.attempt + 1,
        endReason: null,
        notice: null,
        connectionState: "new",
        connectedAt: null,
        wrapUp: false,
        captions: [],
      };
    case "hang_up":
      return leave(state, END_REASON.HANG_UP);
    case "toggle_mic":
      return { ...state, micOn: !state.micOn };
    case "toggle_cam":
      return { ...state, camOn: !state.camOn };
    case "dismiss_notice":
      return { ...state, notice: null };
    default:
      // Everything else comes from a call; drop events of an attempt that is over.
      if (action.attempt !== state.attempt || !IN_CALL.has(state.status)) return state;
      return callEvent(state, action);
  }
}
