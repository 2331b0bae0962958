"""Server side of a slot's spawner process (see `spawner_process.py` for why it exists)."""

from __future__ import annotations

import array
import json
import logging
import os
import select
import socket
import struct
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sandbox import jail
from sandbox.errors import SandboxError

log = logging.getLogger("sandbox.spawner")
_HEADER = struct.Struct("<I")
READY_TIMEOUT_S = 10.0


@cache
def _source() -> str:
    return Path(__file__).with_name("spawner_process.py").read_text()


def _python(preferred: str) -> str:
    """The system python3 (also the jail's), else the server's own interpreter."""
    for exe in (preferred, sys.executable):
        if exe and os.access(exe, os.X_OK):
            return exe
    raise SandboxError("no Python interpreter to run the sandbox spawner")


@dataclass(frozen=True)
class Exit:
    """How a spawned process ended, as the spawner reaped it."""

    status: int
    cpu_s: float
    maxrss_kb: int


class Spawner:
    """One spawner process inside one slot's cgroups; not thread-safe (one run per slot)."""

    def __init__(self, procs_files: Sequence[str], python: str = "/usr/bin/python3") -> None:
        self._procs_files = list(procs_files)
        self._python = python
        self._sock: socket.socket | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self.pid: int | None = None
        self._start()

    def _start(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        # Joining the cgroups costs one RCU grace period, once per spawner instead of per run.
        argv = jail.join_cgroups_argv(self._procs_files)
        argv += [_python(self._python), "-I", "-S", "-c", _source(), str(theirs.fileno())]
        try:
            self._proc = subprocess.Popen(
                argv,
                pass_fds=(theirs.fileno(),),
                env={},
                cwd="/",
                start_new_session=True,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
            )
        finally:
            theirs.close()
        self._sock = ours
        self.pid = None

    def ready(self) -> None:
        """Wait for a freshly started spawner to say hello (starting several at once overlaps)."""
        if self.pid is not None:
            return
        msg = self._recv(READY_TIMEOUT_S)
        if not msg or "ready" not in msg:
            self.close()
            raise SandboxError("the sandbox spawner did not start")
        self.pid = int(msg["ready"])

    @property
    def exit_fd(self) -> int:
        """Readable once the spawned process has exited (or the spawner died)."""
        assert self._sock is not None
        return self._sock.fileno()

    def spawn(
        self,
        argv: Sequence[str],
        fds: Sequence[tuple[int, int]],
        rlimits: Sequence[tuple[int, int, int]],
        uid: int | None,
        gid: int | None,
    ) -> int:
        """Start `argv` with `fds` as (target number, our fd); returns its pid.

        A spawner found dead (or dying mid-request, before it forked) is restarted once.
        """
        req = {
            "op": "spawn",
            "argv": list(argv),
            "targets": [t for t, _ in fds],
            "rlimits": [list(r) for r in rlimits],
            "uid": uid,
            "gid": gid,
        }
        data = json.dumps(req).encode()
        message = _HEADER.pack(len(data)) + data
        ancillary = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [f for _, f in fds]))]
        for attempt in (1, 2):
            self._ensure_running()
            assert self._sock is not None
            try:
                sent = self._sock.sendmsg([message], ancillary)
                if sent < len(message):
                    self._sock.sendall(message[sent:])
                msg = self._recv(READY_TIMEOUT_S)
            except OSError as e:
                msg, error = None, e
            else:
                error = None
            if msg and "pid" in msg:
                return int(msg["pid"])
            if msg and "error" in msg:
                raise SandboxError(f"sandbox spawner could not fork: {msg['error']}")
            self.close()
            if attempt == 2:
                raise SandboxError(f"sandbox spawner failed: {error or 'no answer'}")
        raise AssertionError("unreachable")

    def _ensure_running(self) -> None:
        if self._proc is None or self._proc.poll() is not None:
            if self._proc is not None:
                log.warning("spawner died (exit %s): restarting it", self._proc.returncode)
            self.close()
            self._start()
        self.ready()

    def kill(self) -> None:
        """Ask the spawner to SIGKILL the running child (it alone knows it is not reaped)."""
        if self._sock is None:
            return
        data = json.dumps({"op": "kill"}).encode()
        try:
            self._sock.sendall(_HEADER.pack(len(data)) + data)
        except OSError:
            pass

    def wait(self, timeout_s: float) -> Exit:
        msg = self._recv(timeout_s)
        if not msg or "status" not in msg:
            self.close()
            raise SandboxError("the sandbox spawner went away during a run")
        return Exit(
            int(msg["status"]), float(msg["utime"]) + float(msg["stime"]), int(msg["maxrss"])
        )

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()  # EOF: the spawner kills its child and exits
            self._sock = None
        if self._proc is not None:
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None

    def _recv(self, timeout_s: float) -> dict | None:
        assert self._sock is not None
        head = self._read(_HEADER.size, timeout_s)
        if head is None:
            return None
        body = self._read(_HEADER.unpack(head)[0], timeout_s)
        return None if body is None else json.loads(body)

    def _read(self, n: int, timeout_s: float) -> bytes | None:
        assert self._sock is not None
        buf = b""
        while len(buf) < n:
            ready, _, _ = select.select([self._sock], [], [], timeout_s)
            if not ready:
                return None
            chunk = self._sock.recv(n - len(buf))
            if not chunk:
                return None
            buf += chunk
        return buf


def close_all(spawners: Sequence[Spawner]) -> None:
    for s in spawners:
        try:
            s.close()
        except OSError as e:
            log.warning("closing spawner: %s", e)
