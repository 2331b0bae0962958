// Joining when the server process that took the offer is full: it answers
// 503 `at_capacity` with Retry-After (docs/scaling.md), and the balancer
// places the retry on a process with room. A few bounded retries, then the
// error goes to the room as before.

export const MAX_FULL_RETRIES = 3;
export const MAX_WAIT_S = 30;

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `send()` until it answers, retrying only `at_capacity` refusals after their
 * Retry-After (default 5 s, at most MAX_WAIT_S), at most `maxRetries` times;
 * `stillWanted()` false (the call was left) stops the retries.
 */
export async function sendWhileFull(send, { sleep = wait, maxRetries = MAX_FULL_RETRIES,
  stillWanted = () => true } = {}) {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await send();
    } catch (err) {
      const full = err?.status === 503 && err?.code === "at_capacity";
      if (!full || attempt >= maxRetries || !stillWanted()) throw err;
      await sleep(Math.min(err.retryAfterS || 5, MAX_WAIT_S) * 1000);
      if (!stillWanted()) throw err;
    }
  }
}
