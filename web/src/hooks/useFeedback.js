// An interview's feedback, polled while it is being made (and for a short while after an
// interview ends, when the job may not be queued yet). Stops when the page goes away.
import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "../api.js";

const POLL_MS = 1500;
const WAIT_FOR_JOB_MS = 20000; // a just-ended interview's job appears within a few seconds

/**
 * useFeedback(id, {interviewStatus}) → {feedback, state, error, regenerate, busy}
 * state: "loading" | "pending" | "running" | "done" | "failed" | "none" | "error"
 */
export function useFeedback(id, { interviewStatus } = {}) {
  const [feedback, setFeedback] = useState(null);
  const [state, setState] = useState("loading");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const [tick, setTick] = useState(0);
  const firstMissing = useRef(null);

  useEffect(() => {
    let cancelled = false;
    let timer = null;
    async function load() {
      try {
        const data = await api.getFeedback(id);
        if (cancelled) return;
        setError("");
        setState(data.status);
        if (data.status === "done") setFeedback(data);
        if (data.status === "failed") setFeedback(data.overall_score != null ? data : null);
        if (data.status === "pending" || data.status === "running") {
          setFeedback(data);
          timer = setTimeout(load, POLL_MS);
        }
      } catch (err) {
        if (cancelled) return;
        if (err.status === 404 && err.code === "feedback_not_requested") {
          firstMissing.current = firstMissing.current ?? Date.now();
          const settling = interviewStatus === "in_progress" || interviewStatus === "scheduled" ||
            Date.now() - firstMissing.current < WAIT_FOR_JOB_MS;
          setState(settling ? "pending" : "none");
          if (settling) timer = setTimeout(load, POLL_MS);
        } else {
          setState("error");
          setError(err.message);
        }
      }
    }
    load();
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [id, interviewStatus, tick]);

  const regenerate = useCallback(async () => {
    setBusy(true);
    try {
      await api.regenerateFeedback(id);
      setState("pending");
      setError("");
      setTick((t) => t + 1);
    } catch (err) {
      setError(err.message);
    } finally {
      setBusy(false);
    }
  }, [id]);

  const retry = useCallback(() => {
    setState("loading");
    setTick((t) => t + 1);
  }, []);

  return { feedback, state, error, regenerate, retry, busy };
}
