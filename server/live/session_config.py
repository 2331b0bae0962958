"""What a live session is given from outside: its settings and where its recording goes,
and the refusal when an interview already has a live peer."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from server.live.ice import IceServer


class SessionBusy(Exception):
    """The interview already has a live peer."""


@dataclass
class SessionConfig:
    ice_servers: list[IceServer] = field(default_factory=list)
    loopback_only: bool = False
    connect_timeout_s: float = 30.0
    disconnect_timeout_s: float = 10.0
    idle_timeout_s: float = 120.0
    segment_s: float = 5.0
    watchdog_s: float = 0.5  # how often the timeouts above are checked
    rejoin_grace_s: float = 0.0  # how long a lost peer's session waits for the candidate


class RecordingSink(Protocol):
    """Where the session's recording goes (`server.live.recordings.RecordingShipper`)."""

    def spool_dir(self, interview_id: str) -> Path: ...

    def segment_closed(self, interview_id: str, track: str, path: Path) -> None: ...

    def finalize(self, interview_id: str) -> object: ...
