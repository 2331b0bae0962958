/**
 * The interview is still in progress but this page has no call (a reload, a dropped network):
 * the server keeps the session waiting for a couple of minutes, so offer to rejoin it.
 * Never shown for a finished interview (the room shows the summary instead).
 */
export default function RejoinPrompt({ onRejoin }) {
  return (
    <div className="card rejoin-prompt" data-testid="rejoin-prompt">
      <p>
        <strong>Your interview is still in progress.</strong> The interviewer is waiting: rejoin to carry on where you
        left off.
      </p>
      <button type="button" className="button primary big" onClick={onRejoin} data-testid="rejoin">
        Rejoin
      </button>
    </div>
  );
}
