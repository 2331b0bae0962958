"""The local experts' launcher stays out of a call's way: a warm-up waits past the greeting,
and the child runs at a lower CPU priority than the server."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from agents.experts.launcher import EXPERT_NICE, LocalExperts


def fake_python(tmp_path: Path) -> str:
    """Stands in for `python -m agents.experts …`: says it is ready, then serves nothing."""
    script = tmp_path / "fake-expert"
    script.write_text('#!/bin/sh\necho \'{"ready": "http://127.0.0.1:9/"}\'\nexec sleep 30\n')
    script.chmod(0o755)
    return str(script)


async def test_warm_starts_the_expert_only_after_its_delay_and_at_low_priority(
    tmp_path: Path,
) -> None:
    local = LocalExperts(python=fake_python(tmp_path), warm_delay_s=0.3)
    try:
        local.warm("google")
        local.warm("google")  # a second interview of the same company: one timer
        await asyncio.sleep(0.1)
        assert local.procs == {}  # nothing started during the greeting
        for _ in range(100):
            if "google" in local.urls:
                break
            await asyncio.sleep(0.05)
        assert local.urls == {"google": "http://127.0.0.1:9/"}
        (proc,) = local.procs.values()
        assert os.getpriority(os.PRIO_PROCESS, proc.pid) >= EXPERT_NICE
    finally:
        await local.close()
    assert all(p.returncode is not None for p in local.procs.values())


async def test_an_early_question_starts_the_expert_at_once(tmp_path: Path) -> None:
    local = LocalExperts(python=fake_python(tmp_path), warm_delay_s=60.0)
    try:
        local.warm("netflix")
        url = await asyncio.wait_for(local.url_for("netflix"), 10)
        assert url == "http://127.0.0.1:9/" and list(local.procs) == ["general"]
    finally:
        await local.close()  # also cancels the pending warm-up
    assert all(p.returncode is not None for p in local.procs.values())
