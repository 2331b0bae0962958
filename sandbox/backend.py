"""The contract between the front (`service.py`) and a backend (local jail or Docker)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Protocol

from sandbox.languages import Language, Mode
from sandbox.models import ErrorKind, Limits


@dataclass(frozen=True)
class Job:
    """One program to run: `mode="judge"` starts the harness and expects a report channel."""

    language: Language
    mode: Mode
    code: str
    stdin: bytes
    limits: Limits


@dataclass
class RawRun:
    """What a backend observed; the judge turns `report` into test results."""

    stdout: bytes
    stderr: bytes
    report: bytes
    exit_code: int | None
    signal: int | None
    time_ms: float
    cpu_ms: float
    memory_kb: int
    error_kind: ErrorKind | None
    truncated: bool = False
    # (report length, seconds since start) when report lines arrived, by the parent's clock;
    # empty when the backend cannot tell (Docker multiplexes the report into its log stream)
    report_marks: list[tuple[int, float]] = field(default_factory=list)


class Backend(Protocol):
    name: str

    def execute(self, job: Job, slot: int, cancel: threading.Event) -> RawRun:
        """Run `job` in worker slot `slot`, blocking; `cancel` asks for an early kill."""
        ...

    def close(self) -> None: ...


def classify(
    *,
    timed_out: bool,
    output_exceeded: bool,
    oom: bool,
    exit_code: int | None,
    signal: int | None,
    cpu_s: float,
    limits: Limits,
    stderr_tail: bytes,
    language: Language,
) -> ErrorKind | None:
    """Map what happened to a run onto the error kinds the UI shows; most specific first."""
    if output_exceeded:
        return "output_limit"
    if timed_out:
        return "timeout"
    failed = signal is not None or (exit_code is not None and exit_code != 0)
    if not failed:
        return None
    if not oom and any(m.encode() in stderr_tail for m in language.pids_markers):
        return "runtime_error"  # too many processes or threads: the pids limit, not memory
    if oom or any(m.encode() in stderr_tail for m in language.oom_markers):
        return "memory_limit"
    if signal == 24 or (signal == 9 and cpu_s >= limits.cpu_limit_s):  # SIGXCPU / hard limit
        return "timeout"
    return "runtime_error"
