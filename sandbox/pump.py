"""Feeds a child's stdin and drains its output pipes under a wall deadline and output caps.

The parent enforces these limits, not the jail: a candidate can neither extend its deadline nor
fill the server's memory, because bytes past a cap are dropped and the whole run is killed.
"""

from __future__ import annotations

import errno
import os
import selectors
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

CHUNK = 65536
EXIT_GRACE_S = 1.0  # pipes still open this long after the process exited: stop waiting
MAX_MARKS = 65_536  # report reads that end a line, timestamped; a judge writes ~1 per test


@dataclass
class Drained:
    """What came out of the child, and why the pump stopped it (if it did)."""

    stdout: bytearray = field(default_factory=bytearray)
    stderr: bytearray = field(default_factory=bytearray)
    report: bytearray = field(default_factory=bytearray)
    timed_out: bool = False
    output_exceeded: bool = False
    report_exceeded: bool = False
    cancelled: bool = False
    exit_time: float | None = None  # monotonic time the process exited
    # (report length, clock) after each report read that ended a line: when each record
    # arrived, by the parent's clock, so test times never come from inside the jail
    report_marks: list[tuple[int, float]] = field(default_factory=list)

    @property
    def killed(self) -> bool:
        return self.timed_out or self.output_exceeded or self.report_exceeded or self.cancelled


def pump(
    exit_fd: int,
    *,
    stdin_fd: int | None,
    stdin_data: bytes,
    stdout_fd: int,
    stderr_fd: int,
    report_fd: int | None,
    output_cap: int,
    report_cap: int,
    deadline: float,
    kill: Callable[[], None],
    cancel: threading.Event | None = None,
    clock: Callable[[], float] = time.monotonic,
    max_marks: int = MAX_MARKS,
) -> Drained:
    """Run the I/O loop until the process has exited and its pipes are closed (or given up).

    `exit_fd` becomes readable when the process exits (a pidfd, or the spawner's socket); the
    pump only watches it and never reads from it.
    """
    out = Drained()
    sel = selectors.DefaultSelector()
    buffers = {stdout_fd: out.stdout, stderr_fd: out.stderr}
    if report_fd is not None:
        buffers[report_fd] = out.report
    for fd in buffers:
        sel.register(fd, selectors.EVENT_READ)
    sel.register(exit_fd, selectors.EVENT_READ)
    view = memoryview(stdin_data)
    if stdin_fd is not None:
        if view:
            os.set_blocking(stdin_fd, False)
            sel.register(stdin_fd, selectors.EVENT_WRITE)
        else:
            os.close(stdin_fd)
            stdin_fd = None
    open_reads = set(buffers)
    given_up_at: float | None = None

    def stop(reason: str) -> None:
        nonlocal given_up_at
        if not out.killed:
            setattr(out, reason, True)
            kill()
        if given_up_at is None:
            given_up_at = clock() + EXIT_GRACE_S

    try:
        while open_reads or out.exit_time is None:
            now = clock()
            if out.exit_time is None and now >= deadline:
                stop("timed_out")
            if cancel is not None and cancel.is_set():
                stop("cancelled")
            if given_up_at is not None and now >= given_up_at:
                break
            limit = given_up_at if given_up_at is not None else deadline
            wait = max(0.0, min(limit - now, 0.1 if cancel is not None else limit - now))
            for key, _ in sel.select(wait):
                fd = key.fd
                if fd == exit_fd:
                    sel.unregister(fd)
                    out.exit_time = clock()
                    if given_up_at is None:
                        given_up_at = out.exit_time + EXIT_GRACE_S
                elif fd == stdin_fd:
                    try:
                        n = os.write(fd, view[:CHUNK])
                    except BlockingIOError:
                        continue
                    except OSError as e:  # EPIPE: the program stopped reading, fine
                        if e.errno not in (errno.EPIPE, errno.EBADF):
                            raise
                        n = len(view)
                    view = view[n:]
                    if not view:
                        sel.unregister(fd)
                        os.close(fd)
                        stdin_fd = None
                else:
                    data = os.read(fd, CHUNK)
                    if not data:
                        sel.unregister(fd)
                        open_reads.discard(fd)
                        continue
                    buf = buffers[fd]
                    if fd == report_fd:
                        room = report_cap - len(buf)
                        if len(data) > room:
                            stop("report_exceeded")
                    else:
                        room = output_cap - len(out.stdout) - len(out.stderr)
                        if len(data) > room:
                            stop("output_exceeded")
                    if room > 0:
                        buf += data[:room]
                    if fd == report_fd and b"\n" in data:
                        if len(out.report_marks) >= max_marks:
                            stop("report_exceeded")
                        else:
                            out.report_marks.append((len(buf), clock()))
    finally:
        sel.close()
        if stdin_fd is not None:
            os.close(stdin_fd)
    return out
