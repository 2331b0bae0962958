// One interview record from the API, with reloads that stop when the page goes away.
import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "../api.js";
import { TERMINAL_STATUSES } from "../format.js";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * useInterview(id) → {interview, error, reload, reloadUntilFinal}
 * interview: null while loading; error: {status, message} when the last load failed.
 * reloadUntilFinal(): after a call the server may need a moment to finalise the record,
 * so reload a few times until its status is terminal.
 */
export function useInterview(id) {
  const [interview, setInterview] = useState(null);
  const [error, setError] = useState(null);
  const alive = useRef(false);

  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  const reload = useCallback(async () => {
    try {
      const data = await api.getInterview(id);
      if (alive.current) {
        setInterview(data);
        setError(null);
      }
      return data;
    } catch (err) {
      if (alive.current) setError({ status: err.status, message: err.message });
      return null;
    }
  }, [id]);

  useEffect(() => {
    reload();
  }, [reload]);

  const reloadUntilFinal = useCallback(
    async ({ tries = 5, delayMs = 800 } = {}) => {
      for (let i = 0; i < tries && alive.current; i++) {
        const data = await reload();
        if (!data || TERMINAL_STATUSES.has(data.status)) return;
        await sleep(delayMs);
      }
    },
    [reload],
  );

  return { interview, error, reload, reloadUntilFinal };
}
