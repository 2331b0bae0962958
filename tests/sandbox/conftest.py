"""Fixtures for the sandbox tests: one real local jail shared by the whole session."""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox import Sandbox, SandboxConfig

REPO_ROOT = Path(__file__).resolve().parents[2]
TEST_CGROUP = "interview-sandbox-test"
TEST_UID_BASE = 62000  # apart from a dev server's default 61000


def _jail_missing() -> str | None:
    if not sys.platform.startswith("linux"):
        return "the local jail needs Linux"
    if shutil.which("bwrap") is None and not os.environ.get("CI"):
        return "bubblewrap is not installed (apt-get install bubblewrap)"
    return None


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """The real local backend: bwrap + seccomp + cgroups, 4 slots, a deep queue."""
    reason = _jail_missing()
    if reason:
        pytest.skip(reason)
    config = SandboxConfig(
        backend="local",
        max_concurrency=4,
        max_queue=64,
        cgroup_name=TEST_CGROUP,
        uid_base=TEST_UID_BASE,
    )
    sb = Sandbox(config)
    sb.backend()
    yield sb
    sb.close()


def slot_uids(sb: Sandbox) -> set[int]:
    backend = sb.backend()
    return {u for s in range(sb.config.max_concurrency) if (u := backend.uid_for(s)) is not None}


def processes_of(uids: set[int]) -> list[int]:
    """Pids of live (non-zombie) processes owned by any of `uids`."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry.name}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        uid = int(fields.get("Uid", "-1").split()[0])
        if uid in uids and not fields.get("State", "").strip().startswith("Z"):
            found.append(int(entry.name))
    return found


def survivors(uids: set[int], grace_s: float = 2.0) -> list[str]:
    """Processes of `uids` still alive `grace_s` after a run: a task SIGKILLed at the run's
    end can still be exiting when the run returns (it has left the slot's cgroups but is not
    yet a zombie). Each as "pid state cgroup", for the failure message."""
    deadline = time.monotonic() + grace_s
    while (pids := processes_of(uids)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return [_describe(pid) for pid in pids]


def _describe(pid: int) -> str:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        state = next((ln.split(":", 1)[1].strip() for ln in status.splitlines()
                      if ln.startswith("State:")), "?")
        cgroup = Path(f"/proc/{pid}/cgroup").read_text().strip().replace("\n", " ")
    except OSError:
        return f"{pid} (gone)"
    return f"{pid} {state} {cgroup[:200]}"

