// Leaving the room mid-call asks first (issue 9): a reload or closing the tab gets the
// browser's own prompt (beforeunload), an in-app link (e.g. "← Dashboard") a confirm.
// The interview survives either way for a while (the server waits for a rejoin).
import { useEffect } from "react";
import { useBlocker } from "react-router";

export const LEAVE_QUESTION =
  "Leave the interview? Your call is still live. You can rejoin within a couple of minutes.";

export function useLeaveGuard(active) {
  useEffect(() => {
    if (!active) return undefined;
    const ask = (e) => {
      e.preventDefault();
      e.returnValue = ""; // older browsers need a value to show the prompt
    };
    window.addEventListener("beforeunload", ask);
    return () => window.removeEventListener("beforeunload", ask);
  }, [active]);

  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) => active && currentLocation.pathname !== nextLocation.pathname,
  );
  useEffect(() => {
    if (blocker.state !== "blocked") return;
    if (window.confirm(LEAVE_QUESTION)) blocker.proceed();
    else blocker.reset();
  }, [blocker]);
}
