// The room's presence cues on their own: sound levels, the interviewer's activity, device choice.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ACTIVITY,
  SPEAKING_HANGOVER_MS,
  THINKING_MAX_MS,
  agentActivity,
  quantizeLevel,
  rmsLevel,
  smoothLevel,
} from "../src/call/audioLevel.js";
import { MEDIA_PROBLEM, NO_CAMERA, groupDevices, mediaConstraints, mediaProblem, pickDevice } from "../src/call/devices.js";

const sine = (amplitude, n = 1024) => Float32Array.from({ length: n }, (_, i) => amplitude * Math.sin((2 * Math.PI * i) / 64));

test("silence is 0, a full-scale tone is 1, speech-level sound is in between", () => {
  assert.equal(rmsLevel(new Float32Array(1024)), 0);
  assert.equal(rmsLevel([]), 0);
  assert.equal(rmsLevel(sine(1)), 1);
  const speech = rmsLevel(sine(0.05)); // about -29 dBFS
  assert.ok(speech > 0.5 && speech < 0.75, speech);
  assert.equal(rmsLevel(sine(0.0005)), 0); // -69 dBFS: under the floor
  assert.ok(rmsLevel(sine(0.1)) > rmsLevel(sine(0.01)));
});

test("the meter rises fast, falls slowly, settles at 0 and is rounded to 1/50", () => {
  const up = smoothLevel(0, 1);
  const down = smoothLevel(1, 0);
  assert.ok(up >= 0.5, up);
  assert.ok(down > 0.8, down);
  let v = 1;
  for (let i = 0; i < 60; i++) v = smoothLevel(v, 0);
  assert.equal(v, 0);
  assert.equal(quantizeLevel(0.333), 0.34);
  assert.equal(quantizeLevel(1.7), 1);
  assert.equal(quantizeLevel(-1), 0);
});

test("the interviewer is speaking while its voice is heard, and through short pauses", () => {
  const base = { live: true, lastCaption: null, answeredAt: null };
  assert.equal(agentActivity({ ...base, now: 1000, lastVoiceAt: 1000 }), ACTIVITY.SPEAKING);
  assert.equal(agentActivity({ ...base, now: 1000 + SPEAKING_HANGOVER_MS, lastVoiceAt: 1000 }), ACTIVITY.SPEAKING);
  assert.equal(agentActivity({ ...base, now: 1001 + SPEAKING_HANGOVER_MS, lastVoiceAt: 1000 }), ACTIVITY.LISTENING);
  assert.equal(agentActivity({ ...base, now: 5000, lastVoiceAt: null }), ACTIVITY.LISTENING);
  assert.equal(agentActivity({ ...base, live: false, now: 1000, lastVoiceAt: 1000 }), ACTIVITY.IDLE);
});

test("after the candidate's answer the interviewer is thinking until it replies, at most a while", () => {
  const answer = { speaker: "user", text: "I'd use a cache", final: true };
  const base = { live: true, lastCaption: answer, answeredAt: 10_000 };
  assert.equal(agentActivity({ ...base, now: 11_000, lastVoiceAt: 2_000 }), ACTIVITY.THINKING);
  assert.equal(agentActivity({ ...base, now: 10_000 + THINKING_MAX_MS + 1, lastVoiceAt: 2_000 }), ACTIVITY.LISTENING);
  // It replied (voice after the answer), then paused: listening again, not thinking.
  assert.equal(agentActivity({ ...base, now: 14_000, lastVoiceAt: 12_000 }), ACTIVITY.LISTENING);
  // The candidate is still talking (a partial line): listening.
  const talking = { ...base, lastCaption: { speaker: "user", text: "I'd", final: false } };
  assert.equal(agentActivity({ ...talking, now: 11_000, lastVoiceAt: 2_000 }), ACTIVITY.LISTENING);
  // The interviewer's own line last: listening once its voice stops.
  const own = { ...base, lastCaption: { speaker: "agent", text: "Go on", final: true } };
  assert.equal(agentActivity({ ...own, now: 11_000, lastVoiceAt: 2_000 }), ACTIVITY.LISTENING);
});

test("the chosen devices become exact getUserMedia constraints; 'no camera' opens none", () => {
  const chosen = mediaConstraints({ audioId: "mic-2", videoId: "cam-1" });
  assert.deepEqual(chosen.audio.deviceId, { exact: "mic-2" });
  assert.equal(chosen.audio.echoCancellation, true);
  assert.deepEqual(chosen.video.deviceId, { exact: "cam-1" });
  const defaults = mediaConstraints(null);
  assert.equal(defaults.audio.deviceId, undefined);
  assert.equal(defaults.video.deviceId, undefined);
  assert.equal(mediaConstraints({ audioId: "mic-2", videoId: NO_CAMERA }).video, false);
});

test("device lists: by kind, unnamed ones numbered, id-less ones (no permission yet) left out", () => {
  const listed = groupDevices([
    { kind: "audioinput", deviceId: "default", label: "Default - Headset" },
    { kind: "audioinput", deviceId: "m2", label: "" },
    { kind: "videoinput", deviceId: "", label: "" },
    { kind: "videoinput", deviceId: "c1", label: "FaceTime HD" },
    { kind: "audiooutput", deviceId: "s1", label: "Speakers" },
  ]);
  assert.deepEqual(listed.mics, [
    { id: "default", label: "Default - Headset" },
    { id: "m2", label: "Microphone 2" },
  ]);
  assert.deepEqual(listed.cameras, [{ id: "c1", label: "FaceTime HD" }]);
  assert.deepEqual(groupDevices(undefined), { mics: [], cameras: [] });
});

test("the selection keeps a choice that still exists, else the device in use, else the first", () => {
  const options = [{ id: "a" }, { id: "b" }];
  assert.equal(pickDevice(options, "b", "a"), "b");
  assert.equal(pickDevice(options, "gone", "a"), "a");
  assert.equal(pickDevice(options, "", "zzz"), "a");
  assert.equal(pickDevice([], "", ""), "");
});

test("getUserMedia failures map to what the candidate can do about them", () => {
  const err = (name) => Object.assign(new Error(name), { name });
  assert.equal(mediaProblem(err("NotAllowedError")), MEDIA_PROBLEM.DENIED);
  assert.equal(mediaProblem(err("SecurityError")), MEDIA_PROBLEM.DENIED);
  assert.equal(mediaProblem(err("NotFoundError")), MEDIA_PROBLEM.NO_DEVICE);
  assert.equal(mediaProblem(err("OverconstrainedError")), MEDIA_PROBLEM.NO_DEVICE);
  assert.equal(mediaProblem(err("NotReadableError")), MEDIA_PROBLEM.IN_USE);
  assert.equal(mediaProblem(err("TypeError")), MEDIA_PROBLEM.OTHER);
  assert.equal(mediaProblem(null), MEDIA_PROBLEM.OTHER);
});
