import { useCallback, useEffect, useRef, useState } from "react";
import { ACTIVITY, SPEAKING_LEVEL, agentActivity } from "../call/audioLevel.js";
import { isCandidate } from "../call/captions.js";
import { useAudioLevel } from "../call/useAudioLevel.js";
import "./presence.css";

const TICK_MS = 200;

const TEXT = {
  [ACTIVITY.IDLE]: "Interviewer",
  [ACTIVITY.SPEAKING]: "Interviewer is speaking",
  [ACTIVITY.THINKING]: "Interviewer is thinking…",
  [ACTIVITY.LISTENING]: "Interviewer is listening",
};

/**
 * Whether the interviewer is speaking, thinking about an answer or listening: from the level of
 * its voice (the remote audio track) and the turn the captions show.
 */
export default function AgentActivity({ remoteStream, captions, live }) {
  const lastVoiceAt = useRef(null);
  const onSample = useCallback((level, now) => {
    if (level >= SPEAKING_LEVEL) lastVoiceAt.current = now;
  }, []);
  const level = useAudioLevel(remoteStream, onSample);

  // When the candidate's newest line became final: the start of the interviewer's turn.
  const lastCaption = captions.length ? captions[captions.length - 1] : null;
  const [answeredAt, setAnsweredAt] = useState(null);
  const answerKey = lastCaption && isCandidate(lastCaption.speaker) && lastCaption.final ? lastCaption.id : null;
  useEffect(() => {
    if (answerKey != null) setAnsweredAt(Date.now());
  }, [answerKey]);

  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!live) return undefined;
    const timer = setInterval(() => setNow(Date.now()), TICK_MS);
    return () => clearInterval(timer);
  }, [live]);

  const state = agentActivity({ live, now, lastVoiceAt: lastVoiceAt.current, lastCaption, answeredAt });
  return (
    <div className={`agent-activity ${state}`} data-testid="agent-activity" data-state={state} aria-live="polite">
      <span className="agent-avatar" aria-hidden="true">
        <span className="agent-ring" style={{ transform: `scale(${1 + level * 0.35})` }} />
        AI
      </span>
      <span className="agent-text">{TEXT[state]}</span>
      {state === ACTIVITY.SPEAKING && (
        <span className="agent-bars" aria-hidden="true">
          <i />
          <i />
          <i />
        </span>
      )}
    </div>
  );
}
