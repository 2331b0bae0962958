// Pure helpers for choosing the microphone and camera: the constraints the call opens them
// with, the lists shown in the pre-join check, and what a getUserMedia failure means.

export const NO_CAMERA = "none"; // the camera select's "join without camera"

const AUDIO = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
const VIDEO = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } };

/** getUserMedia constraints for the chosen devices ({audioId, videoId}; missing: the default). */
export function mediaConstraints(devices = {}) {
  const { audioId, videoId } = devices || {};
  const audio = audioId ? { ...AUDIO, deviceId: { exact: audioId } } : { ...AUDIO };
  if (videoId === NO_CAMERA) return { audio, video: false };
  const video = videoId ? { ...VIDEO, deviceId: { exact: videoId } } : { ...VIDEO };
  return { audio, video };
}

/** enumerateDevices() → {mics, cameras}: [{id, label}]. Entries without an id (listed before
 * permission is granted) are left out; unlabelled ones get a numbered name. */
export function groupDevices(list) {
  const mics = [];
  const cameras = [];
  for (const d of list || []) {
    if (!d.deviceId) continue;
    if (d.kind === "audioinput") mics.push({ id: d.deviceId, label: d.label || `Microphone ${mics.length + 1}` });
    if (d.kind === "videoinput") cameras.push({ id: d.deviceId, label: d.label || `Camera ${cameras.length + 1}` });
  }
  return { mics, cameras };
}

/** The id to select: the current choice while it still exists, else the device in use, else the first. */
export function pickDevice(options, current, inUse) {
  if (current && options.some((o) => o.id === current)) return current;
  if (inUse && options.some((o) => o.id === inUse)) return inUse;
  return options[0]?.id ?? "";
}

export const MEDIA_PROBLEM = Object.freeze({
  DENIED: "denied",
  NO_DEVICE: "no_device",
  IN_USE: "in_use",
  INSECURE: "insecure",
  OTHER: "other",
});

/** What went wrong opening the devices, from the DOMException's name. */
export function mediaProblem(err) {
  switch (err && err.name) {
    case "NotAllowedError":
    case "PermissionDeniedError":
    case "SecurityError":
      return MEDIA_PROBLEM.DENIED;
    case "NotFoundError":
    case "DevicesNotFoundError":
    case "OverconstrainedError":
      return MEDIA_PROBLEM.NO_DEVICE;
    case "NotReadableError":
    case "TrackStartError":
    case "AbortError":
      return MEDIA_PROBLEM.IN_USE;
    default:
      return MEDIA_PROBLEM.OTHER;
  }
}
