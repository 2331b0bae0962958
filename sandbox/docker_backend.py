"""Docker backend: one throw-away container per run, through the docker SDK.

Per-language image, no network, memory/pids/CPU limits, read-only root with tmpfs /work and
/tmp, a non-root user, all capabilities dropped, no logging driver (output is streamed through
the attach socket, capped, and the container killed past the cap or the wall timeout), and the
container is always removed. Judge records travel on stdout framed by the run's nonce.
"""

from __future__ import annotations

import logging
import math
import os
import selectors
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.backend import Job, RawRun, classify
from sandbox.config import SandboxConfig
from sandbox.errors import BackendUnavailable, SandboxError
from sandbox.jail import ENV, WORKDIR

log = logging.getLogger("sandbox.docker")

LABEL = "interview-sandbox"
STALE_RUNNING_S = 600.0
_HEADER = struct.Struct(">BxxxL")


def daemon_reachable(config: SandboxConfig) -> bool:
    """Cheap check first (no socket, no DOCKER_HOST: no daemon), then a ping."""
    if not os.environ.get("DOCKER_HOST") and not os.path.exists("/var/run/docker.sock"):
        return False
    try:
        import docker

        client = docker.from_env(timeout=max(1, math.ceil(config.docker_ping_timeout_s)))
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False


class DockerBackend:
    name = "docker"

    def __init__(self, config: SandboxConfig, client: Any = None) -> None:
        self._config = config
        if client is None:
            try:
                import docker

                client = docker.from_env(timeout=30)
                client.ping()
            except ImportError as e:
                raise BackendUnavailable("the docker SDK is missing: pip install docker") from e
            except Exception as e:  # noqa: BLE001
                raise BackendUnavailable(f"no Docker daemon: {e}") from e
        self._client = client
        self._images = {
            "python": config.docker_image_python,
            "javascript": config.docker_image_javascript,
            "java": config.docker_image_java,
        }
        self._exes = {"python": "python3", "javascript": "node", "java": "java"}
        self._janitor()

    def close(self) -> None:
        close = getattr(self._client, "close", None)
        if close is not None:
            close()

    # ----------------------------------------------------------------- request building

    def container_kwargs(self, job: Job) -> dict[str, Any]:
        """Arguments for `client.containers.create` (pure: unit-tested without a daemon)."""
        lim = job.limits
        lang = job.language.name
        memory = lim.memory_mb * 1024 * 1024
        fsize = lim.file_mb * 1024 * 1024
        cpu = max(1, math.ceil(lim.cpu_limit_s))
        tmpfs = f"rw,nosuid,nodev,size={lim.file_mb}m,mode=1777"
        report_fd = 1  # no private fd through the attach stream: nonce-framed on stdout
        return {
            "image": self._images[lang],
            "command": job.language.argv(self._exes[lang], job.mode, job.code, lim, report_fd),
            "user": self._config.docker_user,
            "working_dir": WORKDIR,
            "environment": dict(ENV),
            "hostname": "sandbox",
            "network_mode": "none",
            "network_disabled": True,
            "ipc_mode": "none",
            "mem_limit": memory,
            "memswap_limit": memory,
            "pids_limit": lim.pids,
            "nano_cpus": int(self._config.docker_cpus * 1e9),
            "read_only": True,
            "tmpfs": {WORKDIR: tmpfs, "/tmp": tmpfs},
            "cap_drop": ["ALL"],
            "security_opt": ["no-new-privileges"],
            "ulimits": [
                {"name": "cpu", "soft": cpu, "hard": cpu + 1},
                {"name": "fsize", "soft": fsize, "hard": fsize},
                {"name": "nofile", "soft": lim.open_files, "hard": lim.open_files},
                {"name": "core", "soft": 0, "hard": 0},
            ],
            "log_config": {"type": "none", "config": {}},
            "labels": {LABEL: self._config.cgroup_name},
            "stdin_open": True,
            "stdin_once": True,
            "tty": False,
            "detach": True,
        }

    # ----------------------------------------------------------------- one run

    def execute(self, job: Job, slot: int, cancel: threading.Event) -> RawRun:
        try:
            container = self._client.containers.create(**self.container_kwargs(job))
        except Exception as e:  # noqa: BLE001 - image missing, daemon gone, ...
            raise SandboxError(f"could not create the container: {e}") from e
        started = time.monotonic()
        try:
            attach = container.attach_socket(
                params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1}
            )
            sock = getattr(attach, "_sock", attach)
            container.start()

            def kill() -> None:
                try:
                    container.kill()
                except Exception as e:  # noqa: BLE001 - already gone is fine
                    log.debug("kill: %s", e)

            streams = stream(
                sock,
                job.stdin,
                deadline=started + job.limits.wall_s,
                output_cap=job.limits.output_kb * 1024,
                kill=kill,
                cancel=cancel,
            )
            _close_quietly(attach)
            status = container.wait(timeout=max(5.0, job.limits.wall_s))
            ended = time.monotonic()
            container.reload()
            state = container.attrs.get("State", {})
        except SandboxError:
            raise
        except Exception as e:  # noqa: BLE001
            raise SandboxError(f"container run failed: {e}") from e
        finally:
            self._remove(container)

        code = status.get("StatusCode") if isinstance(status, dict) else None
        signalled = isinstance(code, int) and code > 128
        exit_code, sig = (None, code - 128) if signalled else (code, None)
        stdout = bytes(streams.stdout)
        report = b""
        if job.mode == "judge":
            report, stdout = stdout, b""
        kind = classify(
            timed_out=streams.timed_out,
            output_exceeded=streams.output_exceeded,
            oom=bool(state.get("OOMKilled")),
            exit_code=exit_code,
            signal=sig,
            cpu_s=0.0,
            limits=job.limits,
            stderr_tail=bytes(streams.stderr[-2048:]),
            language=job.language,
        )
        return RawRun(
            stdout=stdout,
            stderr=bytes(streams.stderr),
            report=report,
            exit_code=exit_code,
            signal=sig,
            time_ms=(ended - started) * 1000.0,
            cpu_ms=0.0,
            memory_kb=0,
            error_kind=kind,
            truncated=streams.output_exceeded,
        )

    def _remove(self, container: Any) -> None:
        try:
            container.remove(force=True)
        except Exception as e:  # noqa: BLE001 - the janitor retries at next start
            log.warning("could not remove container %s: %s", getattr(container, "id", "?"), e)

    def _janitor(self) -> None:
        """Remove containers our label says we left behind (crash, lost daemon connection)."""
        try:
            stale = self._client.containers.list(
                all=True, filters={"label": f"{LABEL}={self._config.cgroup_name}"}
            )
        except Exception as e:  # noqa: BLE001
            log.warning("docker janitor: %s", e)
            return
        for c in stale:
            state = c.attrs.get("State", {})
            if state.get("Running") and not _older_than(state.get("StartedAt"), STALE_RUNNING_S):
                continue  # probably another server process's live run
            self._remove(c)


@dataclass
class Streams:
    stdout: bytearray = field(default_factory=bytearray)
    stderr: bytearray = field(default_factory=bytearray)
    timed_out: bool = False
    output_exceeded: bool = False
    cancelled: bool = False

    @property
    def killed(self) -> bool:
        return self.timed_out or self.output_exceeded or self.cancelled


def stream(
    sock: socket.socket,
    stdin: bytes,
    *,
    deadline: float,
    output_cap: int,
    kill: Callable[[], None],
    cancel: threading.Event | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Streams:
    """Send stdin, then demultiplex Docker's framed stdout/stderr until EOF, cap or deadline."""
    out = Streams()
    sock.setblocking(False)
    sel = selectors.DefaultSelector()
    pending = memoryview(stdin)
    sel.register(sock, selectors.EVENT_READ | (selectors.EVENT_WRITE if pending else 0))
    if not pending:
        _shutdown_write(sock)
    buf = bytearray()
    try:
        while True:
            now = clock()
            if now >= deadline:
                out.timed_out = True
                break
            if cancel is not None and cancel.is_set():
                out.cancelled = True
                break
            events = sel.select(min(deadline - now, 0.1))
            eof = False
            for _, mask in events:
                if mask & selectors.EVENT_WRITE and pending:
                    try:
                        pending = pending[sock.send(pending[:65536]) :]
                    except (BlockingIOError, InterruptedError):
                        pass
                    except OSError:
                        pending = pending[:0]
                    if not pending:
                        sel.modify(sock, selectors.EVENT_READ)
                        _shutdown_write(sock)
                if mask & selectors.EVENT_READ:
                    try:
                        data = sock.recv(65536)
                    except (BlockingIOError, InterruptedError):
                        continue
                    except OSError:
                        data = b""
                    if not data:
                        eof = True
                        continue
                    buf += data
                    if _demux(buf, out, output_cap):
                        out.output_exceeded = True
            if out.output_exceeded or eof:
                break
    finally:
        sel.close()
    if out.killed:
        kill()
    return out


def _demux(buf: bytearray, out: Streams, cap: int) -> bool:
    """Move whole frames from `buf` into stdout/stderr; True once the cap is passed."""
    while len(buf) >= _HEADER.size:
        kind, size = _HEADER.unpack_from(buf)
        if len(buf) < _HEADER.size + size:
            break
        payload = bytes(buf[_HEADER.size : _HEADER.size + size])
        del buf[: _HEADER.size + size]
        target = out.stderr if kind == 2 else out.stdout
        room = cap - len(out.stdout) - len(out.stderr)
        target += payload[: max(0, room)]
        if size > room:
            return True
    return False


def _shutdown_write(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def _close_quietly(obj: Any) -> None:
    try:
        obj.close()
    except Exception:  # noqa: BLE001
        pass


def _older_than(started_at: str | None, seconds: float) -> bool:
    from datetime import UTC, datetime

    if not started_at:
        return True
    try:
        when = datetime.fromisoformat(started_at[:26].rstrip("Z") + "+00:00")
    except ValueError:
        return True
    return (datetime.now(UTC) - when).total_seconds() > seconds
