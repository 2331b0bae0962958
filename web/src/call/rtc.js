// WebRTC set-up for the interview room: local media, peer connection,
// "events" data channel, non-trickle ICE and the offer/answer exchange.
import { api } from "../api.js";
import { sendWhileFull } from "./admission.js";
import { mediaConstraints } from "./devices.js";

export const ICE_GATHERING_TIMEOUT_MS = 5000;

/**
 * ICE servers for RTCPeerConnection. Empty by default (same-host / LAN);
 * a deployment can inject TURN/STUN servers by defining
 * `window.__ICE_SERVERS__ = [{urls: "turn:...", username, credential}]`
 * before the app script runs.
 */
export function getIceServers() {
  const injected = typeof window !== "undefined" ? window.__ICE_SERVERS__ : undefined;
  return Array.isArray(injected) ? injected : [];
}

export function getRtcConfig() {
  return { iceServers: getIceServers() };
}

const DENIED = "Microphone/camera permission was denied — allow it in the browser and retry";
const NO_DEVICE = "No microphone/camera was found — connect one and retry";
const IN_USE = "The microphone or camera is in use by another application — close it and retry";
const INSECURE =
  "Microphone/camera access needs a secure page (https or localhost) — open the site over https and retry";

export class MediaAccessError extends Error {
  constructor(message, cause) {
    super(message);
    this.name = "MediaAccessError";
    this.cause = cause;
  }
}

function describeMediaError(err) {
  switch (err && err.name) {
    case "NotAllowedError":
    case "PermissionDeniedError":
    case "SecurityError":
      return DENIED;
    case "NotFoundError":
    case "DevicesNotFoundError":
    case "OverconstrainedError":
      return NO_DEVICE;
    case "NotReadableError":
    case "TrackStartError":
    case "AbortError":
      return IN_USE;
    default:
      return `Could not open the microphone/camera (${(err && err.message) || err}) — retry`;
  }
}

/**
 * Microphone + camera: the ones chosen in the pre-join check (`devices` = {audioId, videoId},
 * see devices.js), else the defaults. If there is no camera (but a microphone), falls back to
 * audio only so a candidate without a webcam can still interview.
 * Throws MediaAccessError with a user-facing message.
 */
export async function getLocalMedia(devices) {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    throw new MediaAccessError(INSECURE);
  }
  const { audio, video } = mediaConstraints(devices);
  try {
    return await navigator.mediaDevices.getUserMedia({ audio, video });
  } catch (err) {
    const missingDevice = err && (err.name === "NotFoundError" || err.name === "OverconstrainedError");
    if (!missingDevice || video === false) throw new MediaAccessError(describeMediaError(err), err);
    try {
      return await navigator.mediaDevices.getUserMedia({ audio, video: false });
    } catch (err2) {
      throw new MediaAccessError(describeMediaError(err2), err2);
    }
  }
}

export function stopStream(stream) {
  if (!stream) return;
  for (const track of stream.getTracks()) track.stop();
}

/** Resolve once ICE gathering is complete, or after timeoutMs (whatever was gathered is used). */
export function waitForIceGathering(pc, timeoutMs = ICE_GATHERING_TIMEOUT_MS) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      pc.removeEventListener("icegatheringstatechange", check);
      pc.removeEventListener("icecandidate", onCandidate);
      resolve();
    };
    const check = () => {
      if (pc.iceGatheringState === "complete") done();
    };
    // A null candidate also marks the end of gathering in some browsers.
    const onCandidate = (e) => {
      if (!e.candidate) done();
    };
    const timer = setTimeout(done, timeoutMs);
    pc.addEventListener("icegatheringstatechange", check);
    pc.addEventListener("icecandidate", onCandidate);
  });
}

/**
 * The peer connection for one call: adds the local tracks and opens the ordered
 * "events" data channel. Returns {pc, channel} at once, before any network work,
 * so the caller owns (and can close) them while negotiate() is still running.
 *
 * handlers: onTrack(RTCTrackEvent), onConnectionState(state), onMessage(obj),
 *           onChannelOpen(), onChannelClose()
 */
export function createPeer(stream, handlers = {}) {
  const pc = new RTCPeerConnection(getRtcConfig());
  pc.addEventListener("track", (e) => handlers.onTrack?.(e));
  pc.addEventListener("connectionstatechange", () => handlers.onConnectionState?.(pc.connectionState));

  for (const track of stream.getTracks()) pc.addTrack(track, stream);

  // The channel must exist before createOffer() so the SDP carries the
  // SCTP m-line; the server picks it up via its "datachannel" event.
  const channel = pc.createDataChannel("events", { ordered: true });
  channel.addEventListener("open", () => handlers.onChannelOpen?.());
  channel.addEventListener("close", () => handlers.onChannelClose?.());
  channel.addEventListener("message", (e) => {
    if (typeof e.data !== "string") return;
    let msg;
    try {
      msg = JSON.parse(e.data);
    } catch {
      return;
    }
    if (msg && typeof msg === "object") handlers.onMessage?.(msg);
  });
  return { pc, channel };
}

/**
 * Send a complete (non-trickle) offer for the interview and apply the answer.
 * Throws ApiError if the server rejects the offer, or an Error if the pc was
 * closed meanwhile (the call was left while joining).
 */
export async function negotiate(pc, interviewId) {
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  await waitForIceGathering(pc);
  const local = pc.localDescription;
  const answer = await sendWhileFull(
    () => api.sendOffer(interviewId, { sdp: local.sdp, type: local.type }),
    { stillWanted: () => pc.signalingState !== "closed" },
  );
  if (pc.signalingState === "closed") throw new Error("Connection was closed while joining");
  await pc.setRemoteDescription({ type: answer.type || "answer", sdp: answer.sdp });
}

/** Close the channel, the peer connection and the local tracks (safe to repeat). */
export function closeCall({ pc, channel, stream }) {
  try {
    channel?.close();
  } catch {
    /* already closed */
  }
  pc?.close();
  stopStream(stream);
}

/** Send a JSON event if the channel is open; returns whether it was sent. */
export function sendEvent(channel, obj) {
  if (!channel || channel.readyState !== "open") return false;
  channel.send(JSON.stringify(obj));
  return true;
}

/**
 * Wait until the channel or the peer connection closes, at most timeoutMs.
 * Used after {"type":"session.end"} so the server can wrap up first.
 */
export function waitForClose(pc, channel, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const closed = () =>
      (!channel || channel.readyState === "closed") ||
      ["closed", "failed", "disconnected"].includes(pc.connectionState);
    if (closed()) return resolve();
    const done = () => {
      clearTimeout(timer);
      if (channel) channel.removeEventListener("close", done);
      pc.removeEventListener("connectionstatechange", onState);
      resolve();
    };
    const onState = () => {
      if (closed()) done();
    };
    const timer = setTimeout(done, timeoutMs);
    if (channel) channel.addEventListener("close", done);
    pc.addEventListener("connectionstatechange", onState);
  });
}
