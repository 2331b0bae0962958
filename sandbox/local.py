"""Local backend: each run in a fresh bubblewrap jail, confined by seccomp, cgroups and rlimits.

Per worker slot: its own uid (RLIMIT_NPROC counts per uid), its own reused cgroups and a spawner
process living in them that forks every jail of the slot. Running as root, the forked child
drops to the slot's uid before exec'ing bwrap, so bwrap never maps the jail onto the outer root;
running unprivileged, bwrap simply runs as the server's user.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from dataclasses import dataclass

from sandbox import jail, seccomp
from sandbox.backend import Job, RawRun, classify
from sandbox.cgroups import SlotCgroups
from sandbox.config import SandboxConfig
from sandbox.errors import BackendUnavailable
from sandbox.pump import Drained, pump
from sandbox.spawner import Spawner, close_all

log = logging.getLogger("sandbox.local")

REPORT_CAP = 32 * 1024 * 1024
AS_HEADROOM = 128 * 1024 * 1024  # CPython's own mappings on top of the memory limit
SPAWNER_MEMORY = 16 * 1024 * 1024  # the slot's spawner is charged to the slot's cgroup


@dataclass
class _Reservation:
    first: int
    count: int


# Slot numbers in use per cgroup name in this process, so that two backends never share a uid
# or a cgroup, and the janitor only runs when no other backend of this process is live.
_reserved: dict[str, list[_Reservation]] = {}
_reserved_lock = threading.Lock()


def _reserve(name: str, count: int) -> tuple[int, bool]:
    with _reserved_lock:
        taken = _reserved.setdefault(name, [])
        first = max((r.first + r.count for r in taken), default=0)
        taken.append(_Reservation(first, count))
        return first, len(taken) == 1


def _release(name: str, first: int) -> None:
    with _reserved_lock:
        _reserved[name] = [r for r in _reserved.get(name, []) if r.first != first]


class LocalBackend:
    """Runs jobs under bwrap on this machine; slots 0..slots-1 map to uids and cgroups."""

    name = "local"

    def __init__(self, config: SandboxConfig, slots: int) -> None:
        self._config = config
        self._bwrap = shutil.which(config.bwrap) or config.bwrap
        if not os.access(self._bwrap, os.X_OK):
            raise BackendUnavailable(f"no bubblewrap at {config.bwrap}: apt-get install bubblewrap")
        seccomp.bpf_program()  # fail now, not on the first request
        self._root = os.geteuid() == 0
        self._first, clean = _reserve(config.cgroup_name, slots)
        self._slots = slots
        self._cgroups = SlotCgroups(
            config.cgroup_name,
            range(self._first, self._first + slots),
            enabled=config.cgroups,
            clean=clean,
        )
        java = os.path.realpath(config.java)
        self._exes = {"python": config.python, "javascript": config.node, "java": java}
        self._binds = {"java": java_config_dirs(java)}
        self._spawners: list[Spawner | None] = [None] * slots
        if not self._root:
            log.warning("server is not root: jails run as the server's own uid")
        try:
            for slot in range(slots):  # start them all, then wait: their start-ups overlap
                self._spawner(slot)
            for spawner in self._spawners:
                assert spawner is not None
                spawner.ready()
            self._self_test()
        except Exception:
            self.close()
            raise

    @property
    def cgroup_version(self) -> str:
        return self._cgroups.version

    def close(self) -> None:
        close_all([s for s in self._spawners if s is not None])
        self._spawners = [None] * self._slots
        self._cgroups.close()
        _release(self._config.cgroup_name, self._first)

    def uid_for(self, slot: int) -> int | None:
        return self._config.uid_base + self._first + slot if self._root else None

    # ----------------------------------------------------------------- one run

    def execute(self, job: Job, slot: int, cancel: threading.Event) -> RawRun:
        exe = self._exes[job.language.name]
        if not os.access(exe, os.X_OK):
            raise BackendUnavailable(f"{job.language.name} interpreter not found at {exe}")
        limits = job.limits
        cg_slot = self._first + slot
        memory = limits.memory_mb * 1024 * 1024
        spawner = self._spawner(slot)
        # The spawner lives in the slot's cgroups too: one more task, a few MB of its own.
        self._cgroups.prepare(cg_slot, memory + SPAWNER_MEMORY, limits.pids + 1)
        oom_before = self._cgroups.oom_kills(cg_slot)
        base = self._cgroups.reset_peak(cg_slot)
        cpu_before = self._cgroups.cpu_ns(cg_slot)

        rlimits = self._rlimits(job)
        uid = self.uid_for(slot)

        report_fd = jail.REPORT_FD if job.mode == "judge" else -1
        argv = job.language.argv(exe, job.mode, job.code, limits, report_fd)
        binds = self._binds.get(job.language.name, ())
        command = jail.bwrap_argv(self._bwrap, limits, jail.SECCOMP_FD, argv, binds)
        seccomp_fd = seccomp.program_fd()
        in_r, in_w = os.pipe()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        report_r = report_w = None
        theirs = [(0, in_r), (1, out_w), (2, err_w), (jail.SECCOMP_FD, seccomp_fd)]
        if job.mode == "judge":
            report_r, report_w = os.pipe()
            theirs.append((jail.REPORT_FD, report_w))
        ours = [out_r, err_r] + ([report_r] if report_r is not None else [])
        started = time.monotonic()
        try:
            spawner.spawn(command, theirs, rlimits, uid, uid)
        except BaseException:
            _close(in_w, *ours)
            raise
        finally:
            _close(*(fd for _, fd in theirs))

        try:
            drained = pump(
                spawner.exit_fd,
                stdin_fd=in_w,
                stdin_data=job.stdin,
                stdout_fd=out_r,
                stderr_fd=err_r,
                report_fd=report_r,
                output_cap=limits.output_kb * 1024,
                report_cap=REPORT_CAP,
                deadline=started + limits.wall_s,
                kill=spawner.kill,
                cancel=cancel,
            )
            if drained.exit_time is None:
                spawner.kill()
            ended = drained.exit_time or time.monotonic()
            exit = spawner.wait(timeout_s=10.0)
        finally:
            _close(*ours)
            if not self._cgroups.kill(cg_slot, keep=spawner.pid):
                log.error("slot %d: processes survived the run", cg_slot)

        cpu_after = self._cgroups.cpu_ns(cg_slot)
        cpu_s = exit.cpu_s  # bwrap's own: it does not see the jail's grandchildren
        if cpu_before is not None and cpu_after is not None:
            cpu_s = (cpu_after - cpu_before) / 1e9
        oom_after = self._cgroups.oom_kills(cg_slot)
        oom = oom_before is not None and oom_after is not None and oom_after > oom_before
        peak = self._cgroups.peak_bytes(cg_slot)
        memory_kb = exit.maxrss_kb if peak is None or base is None else max(0, peak - base) // 1024
        raw = _raw_run(job, drained, exit.status, cpu_s, oom, memory_kb, ended - started)
        raw.report_marks = [(n, t - started) for n, t in drained.report_marks]
        return raw

    def _rlimits(self, job: Job) -> list[tuple[int, int, int]]:
        limits = job.limits
        memory = limits.memory_mb * 1024 * 1024
        address_space = None
        if job.language.limit_address_space:
            address_space = memory + (AS_HEADROOM if self._cgroups.limits_memory else 0)
        nproc = None
        if self._root:
            nproc = limits.pids  # the slot's uid runs nothing else
        elif not self._cgroups.limits_pids:
            nproc = _tasks_of(os.getuid()) + limits.pids
        return jail.rlimits(limits, address_space=address_space, nproc=nproc)

    def _spawner(self, slot: int) -> Spawner:
        spawner = self._spawners[slot]
        if spawner is None:
            spawner = Spawner(self._cgroups.procs_files(self._first + slot), self._config.python)
            self._spawners[slot] = spawner
        return spawner

    def _self_test(self) -> None:
        """One trivial jailed run, so a machine that cannot jail fails at start, loudly."""
        from sandbox.languages import get
        from sandbox.models import Limits

        job = Job(get("python"), "run", "print('ok')", b"", Limits(wall_s=10))
        raw = self.execute(job, 0, threading.Event())
        if raw.stdout.strip() != b"ok":
            raise BackendUnavailable(
                f"the local jail does not work here (exit {raw.exit_code}): "
                f"{raw.stderr.decode(errors='replace')[:500]}"
            )


def java_config_dirs(java: str) -> tuple[str, ...]:
    """Directories outside /usr that the JDK's files link to (Debian: /etc/java-17-openjdk)."""
    home = os.path.dirname(os.path.dirname(java))
    dirs: set[str] = set()
    for name in ("lib/jvm.cfg", "conf/security/java.security", "lib/security/default.policy"):
        target = os.path.realpath(os.path.join(home, name))
        if not target.startswith("/usr/") and os.path.exists(target):
            parts = target.split("/")
            dirs.add("/".join(parts[:3]))  # /etc/java-17-openjdk
    return tuple(sorted(dirs))


def _raw_run(
    job: Job, drained: Drained, status: int, cpu_s: float, oom: bool, memory_kb: int, wall_s: float
) -> RawRun:
    exit_code, sig = _decode(status)
    stderr = bytes(drained.stderr)
    if (exit_code == 1 and stderr.startswith(b"bwrap: ")) or exit_code == 127:
        log.error("jail set-up failed (or was imitated): %s", stderr[:300])
    kind = classify(
        timed_out=drained.timed_out,
        output_exceeded=drained.output_exceeded or drained.report_exceeded,
        oom=oom,
        exit_code=exit_code,
        signal=sig,
        cpu_s=cpu_s,
        limits=job.limits,
        stderr_tail=stderr[-2048:],
        language=job.language,
    )
    return RawRun(
        stdout=bytes(drained.stdout),
        stderr=stderr,
        report=bytes(drained.report),
        exit_code=exit_code,
        signal=sig,
        time_ms=wall_s * 1000.0,
        cpu_ms=cpu_s * 1000.0,
        memory_kb=memory_kb,
        error_kind=kind,
        truncated=drained.output_exceeded,
    )


def _decode(status: int) -> tuple[int | None, int | None]:
    """bwrap exits 128+N when the jailed program died of signal N; so does a SIGKILLed bwrap."""
    if os.WIFSIGNALED(status):
        return None, os.WTERMSIG(status)
    code = os.WEXITSTATUS(status)
    if 128 < code <= 128 + 64:
        return None, code - 128
    return code, None


def _close(*fds: int) -> None:
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass


def _tasks_of(uid: int) -> int:
    """Threads owned by `uid` now (RLIMIT_NPROC counts them all, not just the jail's)."""
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    count += len(os.listdir(f"/proc/{entry.name}/task"))
            except OSError:
                continue
    return count
