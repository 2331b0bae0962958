import { useAudioLevel } from "../call/useAudioLevel.js";
import "./presence.css";

/** A horizontal level bar (0..1). data-level carries the value for tests and styling. */
export default function LevelMeter({ level, label, muted = false, ...rest }) {
  const shown = muted ? 0 : level;
  return (
    <div
      className={`level-meter${muted ? " muted" : ""}`}
      role="meter"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={1}
      aria-valuenow={shown}
      data-level={shown}
      {...rest}
    >
      <span className="level-fill" style={{ transform: `scaleX(${shown})` }} />
    </div>
  );
}

/** The candidate's own microphone, measured live: "is it hearing me?" at a glance. */
export function MicLevel({ stream, muted = false, ...rest }) {
  const level = useAudioLevel(stream);
  return (
    <div className="mic-level">
      <span className="mic-level-label">{muted ? "Mic muted" : "Your mic"}</span>
      <LevelMeter level={level} muted={muted} label="Your microphone level" data-testid="mic-level" {...rest} />
    </div>
  );
}
