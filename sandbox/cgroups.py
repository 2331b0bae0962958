"""Memory and pids cgroups for the local jail: one reused cgroup per worker slot.

Supports cgroup v1 (`memory.limit_in_bytes`, `pids.max` under per-controller mounts, as on the
CI machines) and v2 (`memory.max`, `pids.max` in the unified tree). Slots are created once and
reused; limits are rewritten only when they change. A janitor empties and removes whatever a
crashed process left under our name. When nothing is writable the caller falls back to rlimits.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("sandbox.cgroups")

MOUNTINFO = Path("/proc/self/mountinfo")


@dataclass
class Mounts:
    """Where the memory and pids controllers live on this machine."""

    v1: dict[str, Path] = field(default_factory=dict)  # controller -> v1 mount point
    v2: Path | None = None
    v2_controllers: frozenset[str] = frozenset()


def find_mounts(mountinfo: str | None = None) -> Mounts:
    text = mountinfo if mountinfo is not None else MOUNTINFO.read_text()
    found = Mounts()
    for line in text.splitlines():
        left, _, right = line.partition(" - ")
        fields, rfields = left.split(), right.split()
        if len(fields) < 5 or len(rfields) < 3:
            continue
        point, fstype, options = Path(fields[4]), rfields[0], rfields[2].split(",")
        if fstype == "cgroup":
            for ctrl in ("memory", "pids", "cpuacct"):
                if ctrl in options:
                    found.v1.setdefault(ctrl, point)
        elif fstype == "cgroup2" and found.v2 is None:
            found.v2 = point
    if found.v2 is not None:
        try:
            found.v2_controllers = frozenset((found.v2 / "cgroup.controllers").read_text().split())
        except OSError:
            pass
    return found


class SlotCgroups:
    """Per-slot cgroups under `<controller root>/<name>/slot-<n>`, or none at all."""

    def __init__(
        self,
        name: str,
        slots: range,
        enabled: bool = True,
        mounts: Mounts | None = None,
        clean: bool = True,
    ) -> None:
        self.name = name
        self.slots = slots
        self._clean = clean
        self.version: str = "none"
        self._bases: dict[str, Path] = {}  # controller -> our base dir
        self._last: dict[tuple[int, str], str] = {}
        self._peak_fds: dict[int, int] = {}
        if enabled:
            try:
                self._setup(mounts or find_mounts())
            except OSError as e:
                log.warning("cgroups unusable (%s): falling back to rlimits", e)
                self._bases = {}
        if "memory" not in self._bases:
            log.warning(
                "no writable memory cgroup: limiting memory with RLIMIT_AS instead "
                "(node runs get only V8's heap limit)"
            )
        if "pids" not in self._bases:
            log.warning("no writable pids cgroup: limiting processes with RLIMIT_NPROC only")
        if not self._bases:
            self.version = "none"

    # ----------------------------------------------------------------- setup and janitor

    def _setup(self, mounts: Mounts) -> None:
        v1 = {c: mounts.v1[c] / self.name for c in ("memory", "pids") if c in mounts.v1}
        if v1 and "cpuacct" in mounts.v1:  # accounting only: CPU time of the whole jail
            v1["cpuacct"] = mounts.v1["cpuacct"] / self.name
        if v1:
            self.version = "v1"
            candidates = v1
        elif mounts.v2 is not None and {"memory", "pids"} & mounts.v2_controllers:
            self.version = "v2"
            base = mounts.v2 / self.name
            wanted = [c for c in ("memory", "pids") if c in mounts.v2_controllers]
            _enable_controllers(mounts.v2, wanted)
            base.mkdir(exist_ok=True)
            _enable_controllers(base, wanted)
            candidates = dict.fromkeys(wanted, base)
        else:
            return
        for base in set(candidates.values()):
            base.mkdir(exist_ok=True)
            if self._clean:
                janitor(base)
        self._bases = candidates
        for slot in self.slots:
            for d in self._dirs(slot):
                d.mkdir(exist_ok=True)
                if self.version == "v1" and d.parent == self._bases.get("memory"):
                    _try_write(d / "memory.swappiness", "0")

    def _dirs(self, slot: int) -> list[Path]:
        return sorted({base / f"slot-{slot}" for base in self._bases.values()})

    # ----------------------------------------------------------------- per run

    @property
    def limits_memory(self) -> bool:
        return "memory" in self._bases

    @property
    def limits_pids(self) -> bool:
        return "pids" in self._bases

    def procs_files(self, slot: int) -> list[str]:
        """`cgroup.procs` files a new process writes "0" into to join the slot's cgroups."""
        return [str(d / "cgroup.procs") for d in self._dirs(slot)]

    def prepare(self, slot: int, memory_bytes: int, pids: int) -> None:
        """Set the slot's limits for the next run (skipping writes that would change nothing)."""
        if "memory" in self._bases:
            d = self._bases["memory"] / f"slot-{slot}"
            if self.version == "v1":
                self._set_v1_memory(slot, d, memory_bytes)
            else:
                self._set(slot, d / "memory.max", str(memory_bytes))
                self._set(slot, d / "memory.swap.max", "0", optional=True)
        if "pids" in self._bases:
            self._set(slot, self._bases["pids"] / f"slot-{slot}" / "pids.max", str(pids))

    def _set_v1_memory(self, slot: int, d: Path, value: int) -> None:
        limit, memsw = d / "memory.limit_in_bytes", d / "memory.memsw.limit_in_bytes"
        if not memsw.exists():
            self._set(slot, limit, str(value))
            return
        try:  # memsw must stay >= limit, so the order depends on the direction
            self._set(slot, limit, str(value))
            self._set(slot, memsw, str(value))
        except OSError:
            self._set(slot, memsw, str(value))
            self._set(slot, limit, str(value))

    def _set(self, slot: int, path: Path, value: str, optional: bool = False) -> None:
        key = (slot, str(path))
        if self._last.get(key) == value:
            return
        try:
            path.write_text(value)
        except OSError:
            if optional:
                return
            self._last.pop(key, None)
            raise
        self._last[key] = value

    def reset_peak(self, slot: int) -> int | None:
        """Restart the slot's memory high-water mark; returns the usage it starts from.

        v1: `memory.max_usage_in_bytes`. v2: `memory.peak` can be reset only per open file
        (Linux 6.12+); on older kernels this returns None and callers fall back to rusage.
        """
        if "memory" not in self._bases:
            return None
        d = self._bases["memory"] / f"slot-{slot}"
        if self.version == "v1":
            _try_write(d / "memory.max_usage_in_bytes", "0")
            current = d / "memory.usage_in_bytes"
        else:
            self._close_peak(slot)
            try:
                fd = os.open(d / "memory.peak", os.O_RDWR | os.O_CLOEXEC)
            except OSError:
                return None
            try:
                os.write(fd, b"reset\n")
            except OSError:
                os.close(fd)
                return None
            self._peak_fds[slot] = fd
            current = d / "memory.current"
        try:
            return int(current.read_text())
        except (OSError, ValueError):
            return None

    def peak_bytes(self, slot: int) -> int | None:
        """Memory high-water mark of the slot since `reset_peak`, when the kernel can tell."""
        if "memory" not in self._bases:
            return None
        try:
            if self.version == "v1":
                path = self._bases["memory"] / f"slot-{slot}" / "memory.max_usage_in_bytes"
                return int(path.read_text())
            fd = self._peak_fds.get(slot)
            return None if fd is None else int(os.pread(fd, 64, 0))
        except (OSError, ValueError):
            return None
        finally:
            self._close_peak(slot)

    def _close_peak(self, slot: int) -> None:
        fd = self._peak_fds.pop(slot, None)
        if fd is not None:
            os.close(fd)

    def cpu_ns(self, slot: int) -> int | None:
        """Cumulative CPU time of everything that ran in the slot (None when not accounted)."""
        try:
            if self.version == "v1" and "cpuacct" in self._bases:
                return int((self._bases["cpuacct"] / f"slot-{slot}" / "cpuacct.usage").read_text())
            if self.version == "v2":
                d = next(iter(self._bases.values())) / f"slot-{slot}"
                for line in (d / "cpu.stat").read_text().splitlines():
                    key, _, value = line.partition(" ")
                    if key == "usage_usec":
                        return int(value) * 1000
        except (OSError, ValueError):
            return None
        return None

    def oom_kills(self, slot: int) -> int | None:
        """Cumulative OOM kills in the slot (None when the kernel does not say)."""
        base = self._bases.get("memory")
        if base is None:
            return None
        name = "memory.oom_control" if self.version == "v1" else "memory.events"
        try:
            for line in (base / f"slot-{slot}" / name).read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        except OSError:
            return None
        return None

    def kill(self, slot: int, keep: int | None = None, timeout_s: float = 2.0) -> bool:
        """SIGKILL everything left in the slot but `keep` (its spawner); wait until it is gone.

        Only the confining hierarchies are checked: cpuacct lists an exiting task a little
        longer, and every process of the slot is in all of them anyway.
        """
        dirs = {self._bases[c] / f"slot-{slot}" for c in ("memory", "pids") if c in self._bases}
        return all(_empty(d, timeout_s, keep) for d in sorted(dirs))

    def close(self) -> None:
        """Kill leftovers and remove our slots (the next start's janitor does it otherwise)."""
        for slot in self.slots:
            for d in self._dirs(slot):
                _empty(d, 2.0)
                _try_rmdir(d)
        for base in set(self._bases.values()):
            _try_rmdir(base)  # fails while another backend in this process still uses it
        self._bases = {}


def janitor(base: Path) -> None:
    """Empty and remove every cgroup under `base` (left by killed runs or a crashed server)."""
    for child in sorted(base.glob("**/"), key=lambda p: len(p.parts), reverse=True):
        if child == base or not (child / "cgroup.procs").exists():
            continue
        _empty(child, 2.0)
        try:
            child.rmdir()
        except OSError as e:
            log.warning("janitor could not remove %s: %s", child, e)


def _empty(d: Path, timeout_s: float, keep: int | None = None) -> bool:
    kill_file = d / "cgroup.kill"
    deadline = time.monotonic() + timeout_s
    pause = 0.0005
    while True:
        try:
            pids = [int(p) for p in (d / "cgroup.procs").read_text().split()]
        except (OSError, ValueError):
            return True
        pids = [p for p in pids if p != keep]
        if not pids:
            return True
        if keep is None and kill_file.exists():
            _try_write(kill_file, "1")
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if time.monotonic() > deadline:
            log.error("cgroup %s still has processes %s after SIGKILL", d, pids[:10])
            return False
        time.sleep(pause)
        pause = min(pause * 2, 0.02)


def _enable_controllers(d: Path, controllers: list[str]) -> None:
    (d / "cgroup.subtree_control").write_text(" ".join("+" + c for c in controllers))


def _try_rmdir(d: Path) -> None:
    try:
        d.rmdir()
    except OSError:
        pass


def _try_write(path: Path, value: str) -> None:
    try:
        path.write_text(value)
    except OSError:
        pass
