// Joining while the server process is full: bounded retries after Retry-After.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiError } from "../src/api.js";
import { MAX_FULL_RETRIES, sendWhileFull } from "../src/call/admission.js";

const full = (s) => new ApiError(503, "at_capacity", "this server holds 17 of 17 calls", s);

test("a full server's refusal is retried after its Retry-After, then the answer is used", async () => {
  const waits = [];
  let calls = 0;
  const answer = await sendWhileFull(async () => {
    calls += 1;
    if (calls < 3) throw full(calls === 1 ? 2 : null);
    return { type: "answer", sdp: "v=0" };
  }, { sleep: async (ms) => waits.push(ms) });
  assert.deepEqual(answer, { type: "answer", sdp: "v=0" });
  assert.deepEqual(waits, [2000, 5000]); // the server's 2 s, then the 5 s default
});

test("other errors are not retried, and a full server is given up on after a few tries", async () => {
  const waits = [];
  const sleep = async (ms) => waits.push(ms);
  await assert.rejects(
    sendWhileFull(async () => { throw new ApiError(409, "already_connected", "busy"); }, { sleep }),
    { code: "already_connected" },
  );
  assert.equal(waits.length, 0);
  await assert.rejects(sendWhileFull(async () => { throw full(600); }, { sleep }), { status: 503 });
  assert.deepEqual(waits, Array(MAX_FULL_RETRIES).fill(30_000)); // capped at 30 s each
});

test("leaving the call stops the retries", async () => {
  let wanted = true;
  await assert.rejects(
    sendWhileFull(async () => { throw full(1); }, {
      sleep: async () => { wanted = false; },
      stillWanted: () => wanted,
    }),
    { status: 503 },
  );
});
