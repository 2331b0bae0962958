// Pure pieces of the room's presence cues: a sound level from audio samples, and what the
// interviewer is doing (speaking / thinking / listening) from its voice level and the captions.
import { isCandidate } from "./captions.js";

export const FLOOR_DB = -60; // at or below: 0 (room noise, a muted track)
export const CEIL_DB = -12; // at or above: 1 (clear speech near the microphone)
export const SPEAKING_LEVEL = 0.2; // the interviewer's voice above this is speech
export const SPEAKING_HANGOVER_MS = 700; // pauses between words stay "speaking"
export const THINKING_MAX_MS = 12000; // after an answer, "thinking" at most this long

/** 0..1 from time-domain samples (-1..1): the RMS in dBFS mapped linearly from FLOOR_DB to CEIL_DB. */
export function rmsLevel(samples) {
  if (!samples || samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
  const rms = Math.sqrt(sum / samples.length);
  if (!(rms > 0)) return 0;
  const db = 20 * Math.log10(rms);
  return Math.min(1, Math.max(0, (db - FLOOR_DB) / (CEIL_DB - FLOOR_DB)));
}

/** A meter that rises fast and falls slowly, like a VU meter: easy to read, no flicker. */
export function smoothLevel(previous, next, attack = 0.6, release = 0.15) {
  const k = next > previous ? attack : release;
  const value = previous + (next - previous) * k;
  return value < 0.005 ? 0 : value;
}

/** The level rounded to 1/50, so a meter re-renders only when it visibly moves. */
export function quantizeLevel(level) {
  return Math.round(Math.min(1, Math.max(0, level)) * 50) / 50;
}

export const ACTIVITY = Object.freeze({
  IDLE: "idle", // not in a call
  SPEAKING: "speaking",
  THINKING: "thinking", // the candidate finished an answer; the interviewer has not replied yet
  LISTENING: "listening",
});

/**
 * What the interviewer is doing now.
 *   live: the call is connected; now: ms clock
 *   lastVoiceAt: when the interviewer's audio was last above SPEAKING_LEVEL (ms, or null)
 *   lastCaption: the newest caption line {speaker, final}, or null
 *   answeredAt: when the candidate's newest line became final (ms, or null)
 */
export function agentActivity({ live, now, lastVoiceAt, lastCaption, answeredAt }) {
  if (!live) return ACTIVITY.IDLE;
  if (lastVoiceAt != null && now - lastVoiceAt <= SPEAKING_HANGOVER_MS) return ACTIVITY.SPEAKING;
  const candidateSpokeLast = !!lastCaption && isCandidate(lastCaption.speaker);
  if (candidateSpokeLast && lastCaption.final && answeredAt != null) {
    const repliedSince = lastVoiceAt != null && lastVoiceAt >= answeredAt;
    if (!repliedSince && now - answeredAt <= THINKING_MAX_MS) return ACTIVITY.THINKING;
  }
  return ACTIVITY.LISTENING;
}
