"""Why a live session ended: a closed set of reasons, each with the interview status it leaves.

The reason is the `SESSIONS_ENDED` metric label and the record's `metadata.end_reason`, so it
must stay a small fixed set; free text (an exception message, the agent's own words) goes to
`metadata.end_detail` and the logs, never into a label.
"""

from __future__ import annotations

from enum import StrEnum


class EndReason(StrEnum):
    HANG_UP = "hang_up"  # the candidate ended the call (`session.end`)
    COMPLETED = "completed"  # the interviewer reached "done" or finished the interview
    PEER_CLOSED = "peer_closed"  # the browser closed the peer connection
    PEER_LOST = "peer_lost"  # disconnected for longer than the disconnect timeout
    ICE_FAILED = "ice_failed"  # no network path could be kept up
    CONNECT_TIMEOUT = "connect_timeout"  # never connected (no audio) within the timeout
    IDLE = "idle"  # no candidate audio for the idle timeout
    SHUTDOWN = "shutdown"  # this server stopped during the call
    DELETED = "deleted"  # the candidate deleted the interview during the call
    SERVER_RESTART = "server_restart"  # found at start-up: a previous process died mid-call
    AGENT_FAILED = "agent_failed"  # the interviewer gave up (e.g. its voice model is gone)
    AGENT_CRASHED = "agent_crashed"  # the interviewer raised an exception
    INTERNAL_ERROR = "internal_error"  # anything else on our side
    BAD_OFFER = "bad_offer"  # the call never started: the SDP offer was unusable


# The interview status each ending leaves behind; None leaves the record as it is.
END_STATUS: dict[EndReason, str | None] = {
    EndReason.HANG_UP: "completed",
    EndReason.COMPLETED: "completed",
    EndReason.PEER_CLOSED: "abandoned",
    EndReason.PEER_LOST: "abandoned",
    EndReason.ICE_FAILED: "abandoned",
    EndReason.CONNECT_TIMEOUT: "abandoned",
    EndReason.IDLE: "abandoned",
    EndReason.SHUTDOWN: "abandoned",
    EndReason.DELETED: "abandoned",  # the recording is still finalised and kept
    EndReason.SERVER_RESTART: "abandoned",
    EndReason.AGENT_FAILED: "failed",
    EndReason.AGENT_CRASHED: "failed",
    EndReason.INTERNAL_ERROR: "failed",
    EndReason.BAD_OFFER: None,
}

MAX_DETAIL_CHARS = 500
