import { useState } from "react";
import { END_REASON, STATUS } from "../call/callReducer.js";
import AgentActivity from "./AgentActivity.jsx";
import { MicLevel } from "./LevelMeter.jsx";
import Captions from "./Captions.jsx";
import Notice from "./Notice.jsx";
import PreJoin from "./PreJoin.jsx";
import RecIndicator from "./RecIndicator.jsx";
import { StreamAudio, StreamVideo } from "./StreamMedia.jsx";
import TypedAnswer from "./TypedAnswer.jsx";
import Whiteboard from "./Whiteboard.jsx";

const ENDED_TEXT = {
  [END_REASON.HANG_UP]: "You left the session.",
  [END_REASON.SERVER]: "The session has ended.",
  [END_REASON.WRAPPED_UP]: "The interviewer wrapped up — the session has ended.",
};

/**
 * The live part of the interview room, drawn from the call's state (useInterviewCall):
 * connection and phase, self-view, join/mute/end controls, captions and typed answers.
 */
export default function LiveSession({ call, phase, interviewId, interviewType }) {
  const { state, join, hangUp, toggleMic, toggleCam, sendText, dismissNotice } = call;
  const { status, connectionState, connectedAt, notice, captions, localStream, remoteStream, micOn, camOn } = state;

  const inCall = status === STATUS.LIVE || status === STATUS.ENDING;
  const hasVideo = !!localStream && localStream.getVideoTracks().length > 0;
  const showVideo = hasVideo && camOn;
  const preJoin = status === STATUS.IDLE || status === STATUS.ERROR; // the device check before joining
  const [devices, setDevices] = useState(null); // the pre-join check's choice: {ready, audioId, videoId}

  return (
    <div className="live">
      <div className="live-bar">
        <span className="conn">
          Connection:{" "}
          <span className={`conn-state conn-${connectionState}`} data-testid="conn-state">
            {connectionState}
          </span>
        </span>
        <span className="phase-wrap">
          Phase:{" "}
          <span className="phase-label" data-testid="phase" data-phase={phase || ""}>
            {phase || "—"}
          </span>
        </span>
        {inCall && connectedAt && <RecIndicator since={connectedAt} />}
      </div>

      <Notice notice={notice} onDismiss={dismissNotice} />

      <div className="live-grid">
        <div className="video-col">
          {preJoin && <PreJoin onChange={setDevices} />}
          {inCall && <AgentActivity remoteStream={remoteStream} captions={captions} live={status === STATUS.LIVE} />}
          <div className={`video-tile${preJoin ? " hidden" : ""}`}>
            <StreamVideo stream={localStream} className={showVideo ? "" : "hidden"} data-testid="self-view" />
            {!showVideo && (
              <div className="video-placeholder">
                {status === STATUS.CONNECTING && !localStream
                  ? "Starting camera…"
                  : localStream
                    ? "Camera off"
                    : "Your camera preview appears here"}
              </div>
            )}
            {localStream && <span className="video-label">You</span>}
          </div>
          <StreamAudio stream={remoteStream} data-testid="remote-audio" />
          {inCall && <MicLevel stream={localStream} muted={!micOn} />}

          <div className="controls">
            {!inCall && !call.rejoinOffered && (
              <button
                type="button"
                className="button primary big"
                onClick={() => join(devices)}
                disabled={status === STATUS.CONNECTING || (preJoin && !devices?.ready)}
                data-testid="join"
              >
                {status === STATUS.CONNECTING
                  ? "Joining…"
                  : status === STATUS.ENDED
                    ? "Rejoin interview"
                    : "Join interview"}
              </button>
            )}
            {inCall && (
              <>
                <button
                  type="button"
                  className={`button ${micOn ? "" : "off"}`}
                  onClick={toggleMic}
                  aria-pressed={!micOn}
                  data-testid="mic-toggle"
                >
                  {micOn ? "Mute mic" : "Unmute mic"}
                </button>
                {hasVideo && (
                  <button
                    type="button"
                    className={`button ${camOn ? "" : "off"}`}
                    onClick={toggleCam}
                    aria-pressed={!camOn}
                    data-testid="cam-toggle"
                  >
                    {camOn ? "Camera off" : "Camera on"}
                  </button>
                )}
                <button
                  type="button"
                  className="button danger"
                  onClick={hangUp}
                  disabled={status === STATUS.ENDING}
                  data-testid="end"
                >
                  {status === STATUS.ENDING ? "Ending…" : "End interview"}
                </button>
              </>
            )}
          </div>
          {status === STATUS.IDLE && (
            <p className="muted small-text">
              Joining asks for your microphone and camera. The session is recorded so you can review it afterwards.
            </p>
          )}
          {status === STATUS.ENDED && <p className="muted small-text">{ENDED_TEXT[state.endReason]}</p>}
        </div>

        <div className="captions-col">
          <h2 className="sub-head">Captions</h2>
          <Captions items={captions} />
          <TypedAnswer onSend={sendText} disabled={status !== STATUS.LIVE || !state.channelOpen} />
        </div>
      </div>

      {interviewType === "system_design" && (
        <Whiteboard
          interviewId={interviewId}
          send={call.sendChunked}
          live={status === STATUS.LIVE}
          subscribe={call.subscribe}
        />
      )}
    </div>
  );
}
