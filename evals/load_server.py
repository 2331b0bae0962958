"""Starting the server under test for the load harness: ours or the baseline, pinned to a
core, on a throw-away data dir; or attaching to one already running."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp

from evals import load_measure as measure
from evals.load_config import RT_PRIORITY, SERVER_MODULES, LoadConfig

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.asynccontextmanager
async def external_model(cpu: int | None) -> AsyncIterator[dict[str, str]]:
    """`python -m agents.offline` (pinned to `cpu`) on a temp dir; yields the settings that
    point a server at it (AGENT, LIVE_API_URL, LIVE_API_CA_FILE, LIVE_API_KEY_FILE)."""
    out = Path(tempfile.mkdtemp(prefix="ia-load-model-"))
    cmd = [sys.executable, "-m", "agents.offline", "--port", "0", "--cert-dir", str(out),
           "--secret-file", str(out / "secret")]
    if cpu is not None and shutil.which("taskset"):
        cmd = ["taskset", "-c", str(cpu), *cmd]
    if os.sched_getscheduler(0) != os.SCHED_OTHER and shutil.which("chrt"):
        # a `--rt` harness's child would inherit SCHED_RR and take turns with it in 100 ms
        # slices on their shared core: the harness's sends would run late, not the server
        cmd = ["chrt", "--other", "0", *cmd]
    proc = await asyncio.create_subprocess_exec(
        *cmd, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        assert proc.stdout is not None
        async with asyncio.timeout(90):
            line = (await proc.stdout.readline()).decode()
        if " on https://" not in line:
            raise RuntimeError(f"the offline Live API server did not start: {line!r}")
        yield {"AGENT": "interviewer", "LIVE_API_URL": line.split(" on ", 1)[1].strip(),
               "LIVE_API_CA_FILE": str(out / "ca.pem"),
               "LIVE_API_KEY_FILE": str(out / "secret"), "EXPERTS_ENABLED": "false"}
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), 30)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        shutil.rmtree(out, ignore_errors=True)


@contextlib.asynccontextmanager
async def started_server(
    kind: str, cpu: int | None, nice: int = 0, realtime: bool = False, agent: str | None = None,
    extra_env: dict[str, str] | None = None, root: Path = ROOT,
) -> AsyncIterator[tuple[str, int]]:
    """Run `kind` in a subprocess on a temp data dir (pinned to `cpu`, at `nice` or SCHED_RR)
    with `agent` in every session (default: $IA_LOAD_AGENT or the alternating stand-in), from
    the checkout at `root`; yields (url, pid)."""
    port = free_port()
    data = Path(tempfile.mkdtemp(prefix=f"ia-load-{kind}-"))
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_", "OBJECT_", "S3_", "ICE_"))
    }
    env.update(
        HOST="127.0.0.1",
        AGENT=agent or os.environ.get("IA_LOAD_AGENT", "alternating"),
        LOG_FORMAT="json",
        LOG_LEVEL=os.environ.get("IA_LOAD_LOG_LEVEL", "WARNING"),
        DATABASE_URL=f"sqlite:///{data / 'load.db'}",
        OBJECT_STORE_URL=f"file://{data / 'obj'}",
        PYTHONUNBUFFERED="1",
        # One address drives every call and the background sign-ups: lift the per-user and
        # per-address limits, which are not what this harness measures.
        MAX_LIVE_PER_USER="10000",
        MAX_SESSIONS="10000",  # the harness finds the capacity; no admission control here
        SIGNUPS_PER_IP="1000000",
        # The background log-ins fail on purpose (an Argon2 check each): no back-off either.
        LOGIN_ATTEMPTS_PER_EMAIL="1000000",
        LOGIN_ATTEMPTS_PER_IP="1000000",
        HTTP_CONNECTIONS_PER_IP="100000",
    )
    env.update(extra_env or {})
    cmd = [sys.executable, "-m", SERVER_MODULES[kind], "--port", str(port), "--data-dir", str(data)]
    if cpu is not None and shutil.which("taskset"):
        cmd = ["taskset", "-c", str(cpu), *cmd]  # taskset execs: the pid stays the server's
    if nice:
        cmd = ["nice", "-n", str(nice), *cmd]  # so does nice
    if realtime:
        cmd = ["chrt", "--rr", str(RT_PRIORITY), *cmd]  # and chrt
    log_file = (data / "server.log").open("wb")
    proc = await asyncio.create_subprocess_exec(
        *cmd, cwd=root, env=env, stdout=log_file, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        await _wait_healthy(url, proc, data)
        yield url, proc.pid
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), 30)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        log_file.close()
        if os.environ.get("IA_LOAD_KEEP"):
            print(f"kept {data}", file=sys.stderr)
        else:
            shutil.rmtree(data, ignore_errors=True)


async def _wait_healthy(url: str, proc: asyncio.subprocess.Process, data: Path) -> None:
    deadline = time.monotonic() + 60
    async with aiohttp.ClientSession(url) as http:
        while True:
            if proc.returncode is not None:
                tail = (data / "server.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"server exited with {proc.returncode}:\n{tail}")
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get("/healthz") as resp:
                    if resp.status == 200:
                        return
            if time.monotonic() > deadline:
                raise RuntimeError("server not healthy after 60 s")
            await asyncio.sleep(0.2)


@contextlib.asynccontextmanager
async def server_under_test(cfg: LoadConfig) -> AsyncIterator[tuple[str, int | None]]:
    if cfg.url:
        yield cfg.url.rstrip("/"), cfg.server_pid
        return
    async with contextlib.AsyncExitStack() as stack:
        extra = None
        if cfg.interviewer_external and cfg.server == "ours":
            extra = await stack.enter_async_context(external_model(cfg.model_cpu))
        if cfg.event_loop and cfg.server == "ours":
            extra = {**(extra or {}), "EVENT_LOOP": cfg.event_loop}
        root = Path(cfg.root) if cfg.root and cfg.server == "ours" else ROOT
        url, pid = await stack.enter_async_context(
            started_server(cfg.server, cfg.server_cpu, cfg.nice, cfg.realtime, extra_env=extra,
                           root=root))
        yield url, pid


# -- one run -----------------------------------------------------------------------------------


async def wait_quiet(pid: int | None, *, below_pct: float = 3.0, timeout_s: float = 30.0) -> None:
    """Until the server idles (e.g. the warm-up call's recording is finalised and stored)."""
    if pid is None:
        await asyncio.sleep(3.0)
        return
    deadline = time.monotonic() + timeout_s
    quiet_since: float | None = None
    last = measure.proc_sample(pid)
    while time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        now = measure.proc_sample(pid)
        busy = (now.cpu_s - last.cpu_s) / 0.5 * 100 > below_pct
        last = now
        if busy:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= 1.0:
            return


async def start_profiler(cfg: LoadConfig, pid: int | None) -> asyncio.subprocess.Process | None:
    if not cfg.profile or pid is None:
        return None
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    fmt = "raw" if cfg.profile.endswith(".txt") else "flamegraph"
    return await asyncio.create_subprocess_exec(
        spy,
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(max(1, int(cfg.seconds) - 1)),
        "--rate",
        "200",
        "--nonblocking",
        "--gil",
        "--format",
        fmt,
        "--output",
        cfg.profile,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


# -- reports -----------------------------------------------------------------------------------
