"""The front: plain runs, 20 concurrent runs, Busy, cancellation, the module-level API."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest

import sandbox as sandbox_pkg
from sandbox import Busy, Sandbox, SandboxConfig, SandboxError
from sandbox.service import select_backend
from tests.sandbox.conftest import TEST_UID_BASE, slot_uids, survivors

ADD = {
    "entry_point": {"python": "add", "javascript": "add"},
    "tests": [{"args": [i, i], "expected": 2 * i} for i in range(5)],
}


@pytest.mark.parametrize(
    ("language", "code", "stdin", "stdout", "exit_code", "kind"),
    [
        (
            "python",
            "import sys\nprint(sum(map(int, sys.stdin.read().split())))",
            "1 2 3",
            "6\n",
            0,
            None,
        ),
        ("python", "print('héllo ✓')\nexit(3)", "", "héllo ✓\n", 3, "runtime_error"),
        ("python", "def f(:\n", "", "", 97, "compile_error"),
        ("python", "raise SystemExit(0)", "", "", 0, None),
        (
            "javascript",
            "let s = ''; process.stdin.on('data', (d) => s += d).on('end', () =>"
            " console.log(s.trim().split(' ').map(Number).reduce((a, b) => a + b)))",
            "1 2 3",
            "6\n",
            0,
            None,
        ),
        (
            "javascript",
            "console.log('héllo ✓'); process.exit(4)",
            "",
            "héllo ✓\n",
            4,
            "runtime_error",
        ),
        ("javascript", "function (", "", "", 97, "compile_error"),
        ("javascript", "throw new Error('boom')", "", "", 1, "runtime_error"),
    ],
)
async def test_plain_runs(sandbox: Sandbox, language, code, stdin, stdout, exit_code, kind) -> None:
    r = await sandbox.run(language, code, stdin)
    assert (r.stdout, r.exit_code, r.error_kind) == (stdout, exit_code, kind), r
    assert r.time_ms > 0 and r.memory_kb > 0


async def test_twenty_concurrent_runs_finish_correctly(sandbox: Sandbox) -> None:
    jobs = []
    for i in range(20):
        if i % 4 == 0:
            jobs.append(sandbox.run("python", f"print({i} * 2)"))
        elif i % 4 == 1:
            jobs.append(sandbox.run("javascript", f"console.log({i} * 2)"))
        elif i % 4 == 2:
            jobs.append(sandbox.judge("python", "def add(a, b):\n    return a + b", ADD))
        else:
            jobs.append(sandbox.judge("javascript", "function add(a, b) { return a + b }", ADD))
    results = await asyncio.gather(*jobs)
    for i, r in enumerate(results):
        if i % 4 < 2:
            assert r.stdout == f"{i * 2}\n" and r.error_kind is None, r
        else:
            assert r.status == "accepted" and r.passed == 5, r
    assert sandbox.pool.running == 0 and sandbox.pool.queued == 0


async def test_full_queue_raises_busy() -> None:
    config = SandboxConfig(
        backend="local",
        max_concurrency=1,
        max_queue=1,
        cgroup_name="interview-sandbox-test-busy",
        uid_base=TEST_UID_BASE + 300,
    )
    sb = Sandbox(config)
    try:
        slow = "import time\ntime.sleep(0.5)\nprint('ok')"
        first = asyncio.ensure_future(sb.run("python", slow))
        second = asyncio.ensure_future(sb.run("python", slow))
        await asyncio.sleep(0.05)
        with pytest.raises(Busy):
            await sb.run("python", slow)
        assert [r.stdout for r in await asyncio.gather(first, second)] == ["ok\n", "ok\n"]
    finally:
        sb.close()


async def test_cancelling_a_run_kills_it_and_frees_the_slot(sandbox: Sandbox) -> None:
    spin = "while True:\n    pass"
    task = asyncio.ensure_future(sandbox.run("python", spin, limits={"wall_s": 30}))
    await asyncio.sleep(0.3)
    t0 = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(200):  # the slot is released when the worker thread has killed the jail
        if not sandbox.pool.running:
            break
        await asyncio.sleep(0.01)
    assert sandbox.pool.running == 0
    assert time.monotonic() - t0 < 2
    assert survivors(slot_uids(sandbox)) == []


async def test_module_level_api_uses_env_config(monkeypatch) -> None:
    monkeypatch.setenv("SANDBOX_BACKEND", "local")
    monkeypatch.setenv("SANDBOX_MAX_CONCURRENCY", "1")
    monkeypatch.setenv("SANDBOX_CGROUP_NAME", "interview-sandbox-test-default")
    monkeypatch.setenv("SANDBOX_UID_BASE", str(TEST_UID_BASE + 400))
    monkeypatch.setattr("sandbox.service._default", None)
    try:
        assert (await sandbox_pkg.run("python", "print(40 + 2)")).stdout == "42\n"
        v = await sandbox_pkg.judge("python", "def add(a, b):\n    return a + b", ADD)
        assert v.status == "accepted"
        assert sandbox_pkg.default_sandbox().config.max_concurrency == 1
    finally:
        sandbox_pkg.default_sandbox().close()


def test_auto_without_docker_is_local(monkeypatch) -> None:
    monkeypatch.setattr("sandbox.docker_backend.daemon_reachable", lambda config: False)
    config = SandboxConfig(
        backend="auto",
        max_concurrency=1,
        cgroup_name="interview-sandbox-test-auto",
        uid_base=TEST_UID_BASE + 500,
    )
    backend = select_backend(config, 1)
    try:
        assert backend.name == "local"
    finally:
        backend.close()


async def test_a_dead_spawner_is_replaced() -> None:
    config = SandboxConfig(
        backend="local",
        max_concurrency=1,
        cgroup_name="interview-sandbox-test-spawner",
        uid_base=TEST_UID_BASE + 600,
    )
    sb = Sandbox(config)
    try:
        backend = sb.backend()
        os.kill(backend._spawners[0].pid, signal.SIGKILL)
        assert (await sb.run("python", "print(1)")).stdout == "1\n"
        run = asyncio.ensure_future(sb.run("python", "import time\ntime.sleep(5)"))
        await asyncio.sleep(0.5)
        os.kill(backend._spawners[0].pid, signal.SIGKILL)
        with pytest.raises(SandboxError):
            await run
        assert (await sb.run("python", "print(2)")).stdout == "2\n"
        assert survivors(slot_uids(sb)) == []
    finally:
        sb.close()
    for controller in ("memory", "pids"):
        assert not os.path.exists(f"/sys/fs/cgroup/{controller}/interview-sandbox-test-spawner")
