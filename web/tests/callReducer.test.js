// The call's state machine on its own: `npm test` (node's built-in runner, no packages).
import assert from "node:assert/strict";
import { test } from "node:test";
import { END_REASON, FAILED_MESSAGE, STATUS, callReducer, initialCallState } from "../src/call/callReducer.js";

const fakeStream = (name) => ({ name, getTracks: () => [] });

function run(actions, state = initialCallState()) {
  return actions.reduce(callReducer, state);
}

function liveCall() {
  const s = run([{ type: "join" }]);
  return run(
    [
      { type: "media_ready", stream: fakeStream("local"), attempt: 1 },
      { type: "connection_state", state: "connecting", at: 1, attempt: 1 },
      { type: "connection_state", state: "connected", at: 1000, attempt: 1 },
      { type: "channel_open", attempt: 1 },
    ],
    s,
  );
}

test("join starts attempt 1 and a second join while connecting is ignored", () => {
  const s = run([{ type: "join" }]);
  assert.equal(s.status, STATUS.CONNECTING);
  assert.equal(s.attempt, 1);
  assert.equal(s.connectionState, "new");
  assert.equal(run([{ type: "join" }], s), s);
});

test("connected makes the call live once, and keeps the first connect time", () => {
  const s = liveCall();
  assert.equal(s.status, STATUS.LIVE);
  assert.equal(s.connectedAt, 1000);
  assert.ok(s.channelOpen);
  const again = run([{ type: "connection_state", state: "connected", at: 5000, attempt: 1 }], s);
  assert.equal(again.connectedAt, 1000);
});

test("hang-up goes through ending to ended and releases the streams", () => {
  const ending = run([{ type: "hang_up" }], liveCall());
  assert.equal(ending.status, STATUS.ENDING);
  assert.equal(ending.endReason, END_REASON.HANG_UP);
  const ended = run([{ type: "closed", attempt: 1 }], ending);
  assert.equal(ended.status, STATUS.ENDED);
  assert.equal(ended.localStream, null);
  assert.equal(ended.connectionState, "closed");
  assert.equal(ended.channelOpen, false);
});

test("the server closing the channel ends the call as server_ended", () => {
  const s = run([{ type: "channel_closed", attempt: 1 }], liveCall());
  assert.equal(s.status, STATUS.ENDING);
  assert.equal(s.endReason, END_REASON.SERVER);
});

test("a failed connection is an error; its late channel close changes nothing", () => {
  const failed = run([{ type: "connection_state", state: "failed", at: 2, attempt: 1 }], liveCall());
  assert.equal(failed.status, STATUS.ERROR);
  assert.equal(failed.notice.message, FAILED_MESSAGE);
  assert.equal(run([{ type: "channel_closed", attempt: 1 }], failed), failed);
  const retry = run([{ type: "join" }], failed);
  assert.equal(retry.status, STATUS.CONNECTING);
  assert.equal(retry.notice, null);
});

test("a join that fails shows why and can be retried", () => {
  const s = run([{ type: "join" }, { type: "join_failed", notice: { message: "denied" }, attempt: 1 }]);
  assert.equal(s.status, STATUS.ERROR);
  assert.deepEqual(s.notice, { message: "denied" });
});

test("events of an earlier attempt never touch the current one", () => {
  const ended = run([{ type: "hang_up" }, { type: "closed", attempt: 1 }], liveCall());
  const second = run([{ type: "join" }], ended);
  assert.equal(second.attempt, 2);
  const late = [
    { type: "message", msg: { type: "caption", speaker: "agent", text: "old" }, attempt: 1 },
    { type: "connection_state", state: "failed", at: 3, attempt: 1 },
    { type: "channel_closed", attempt: 1 },
    { type: "closed", attempt: 1 },
  ];
  assert.equal(run(late, second), second);
});

test("a server error is shown but does not end the call", () => {
  const msg = { type: "error", code: "bad_event", message: "Unknown event" };
  const s = run([{ type: "message", msg, attempt: 1 }], liveCall());
  assert.equal(s.status, STATUS.LIVE);
  assert.deepEqual(s.notice, { code: "bad_event", message: "Unknown event" });
  assert.equal(run([{ type: "dismiss_notice" }], s).notice, null);
});

test("captions: a partial line is replaced by its final text", () => {
  const s = run(
    [
      { type: "message", msg: { type: "caption", speaker: "agent", text: "Hel", final: false }, attempt: 1 },
      { type: "message", msg: { type: "caption", speaker: "agent", text: "Hello there", final: true }, attempt: 1 },
      { type: "message", msg: { type: "caption", speaker: "user", text: "Hi", final: true }, attempt: 1 },
    ],
    liveCall(),
  );
  assert.deepEqual(
    s.captions.map((c) => [c.speaker, c.text, c.final]),
    [
      ["agent", "Hello there", true],
      ["user", "Hi", true],
    ],
  );
});

test("phase done arms the wrap-up; its timeout leaves the call", () => {
  const s = run([{ type: "message", msg: { type: "phase", phase: "done" }, attempt: 1 }], liveCall());
  assert.equal(s.phase, "done");
  assert.ok(s.wrapUp);
  const leaving = run([{ type: "wrap_up_timeout", attempt: 1 }], s);
  assert.equal(leaving.status, STATUS.ENDING);
  assert.equal(leaving.endReason, END_REASON.WRAPPED_UP);
  assert.equal(run([{ type: "join" }], run([{ type: "closed", attempt: 1 }], leaving)).wrapUp, false);
});

test("mute and camera toggles flip independently of the call", () => {
  const s = run([{ type: "toggle_mic" }, { type: "toggle_cam" }, { type: "toggle_cam" }]);
  assert.equal(s.micOn, false);
  assert.equal(s.camOn, true);
});
