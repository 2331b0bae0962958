"""A cluster on one machine: PostgreSQL and an S3-protocol server (started as the tests start
them), N server processes sharing them, and HAProxy in front (its config generated into a
temp dir). Used by `python -m evals.cluster` and tests/cluster/.

Routing (docs/scaling.md): offers (`POST /api/interviews/<id>/offer`) go to the `admit`
backend, whose health check is `GET /healthz/admit`, so a full process gets no new call;
a 503 from a process that filled up between checks is retried on another. Every other request
goes to the `app` backend (health check `/healthz`). Both keep a call's requests on the
process that admitted it through the `ia_node` cookie that process sets on the interview's
paths (`option persist`: even while it reports full); a request for a process that is gone
is redispatched. Each response carries `X-Served-By: <node>`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from tests.services import free_port, postgres_server, s3_server

ROOT = Path(__file__).resolve().parents[1]
RETRY_AFTER_S = 5
HEALTH_CHECK_S = 0.5  # HAProxy's check interval, each backend, each process


@dataclass
class Node:
    name: str
    port: int
    data_dir: Path
    proc: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None


def haproxy_config(lb_port: int, nodes: list[Node], errorfile: Path) -> str:
    servers = "\n".join(f"    server {n.name} 127.0.0.1:{n.port} cookie {n.name}" for n in nodes)
    return f"""global
    maxconn 4096

defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout http-request 10s
    option redispatch 1
    retries 2

frontend web
    bind 127.0.0.1:{lb_port}
    acl offer path_reg ^/api/interviews/[^/]+/offer$
    use_backend admit if offer
    default_backend app

backend app
    http-response set-header X-Served-By %s
    balance roundrobin
    cookie ia_node
    option persist
    retry-on conn-failure empty-response
    option httpchk GET /healthz
    default-server check inter {int(HEALTH_CHECK_S * 1000)}ms fall 2 rise 1
{servers}

backend admit
    http-response set-header X-Served-By %s
    balance roundrobin
    cookie ia_node
    option persist
    retry-on conn-failure empty-response 503
    option httpchk GET /healthz/admit
    http-check expect status 200
    errorfile 503 {errorfile}
    default-server check inter {int(HEALTH_CHECK_S * 1000)}ms fall 1 rise 1
{servers}
"""


NO_ROOM = (
    "HTTP/1.0 503 Service Unavailable\r\nContent-Type: application/json\r\n"
    f"Retry-After: {RETRY_AFTER_S}\r\nCache-Control: no-store\r\n\r\n"
    '{"error": {"code": "at_capacity", "message": "no server has room for another call; '
    f'try again in {RETRY_AFTER_S} s"}}}}\n'
)


@dataclass
class Cluster:
    nodes: int = 2
    max_sessions: int = 17
    agent: str = "alternating"
    env: dict[str, str] = field(default_factory=dict)  # extra settings for every process
    keep: bool = False
    external_model: bool = False  # the interviewer's model in its own `agents.offline` process
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="ia-cluster-")))
    members: list[Node] = field(default_factory=list)
    lb_port: int = 0
    database_url: str = ""
    s3: object = None
    bucket: str = field(default_factory=lambda: f"rec-{uuid.uuid4().hex[:8]}")
    _stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    _haproxy: asyncio.subprocess.Process | None = None
    model: asyncio.subprocess.Process | None = None
    model_url: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.lb_port}"

    def node(self, name: str) -> Node:
        return next(n for n in self.members if n.name == name)

    async def __aenter__(self) -> Cluster:
        try:
            await self._start()
        except BaseException:
            await self.__aexit__()
            raise
        return self

    async def _start(self) -> None:
        self.database_url = await asyncio.to_thread(self._stack.enter_context, postgres_server())
        self.s3 = await asyncio.to_thread(self._stack.enter_context, s3_server())
        if self.external_model:
            await self._start_model()
        self.members = [Node(f"n{i + 1}", free_port(), self.root / f"n{i + 1}")
                        for i in range(self.nodes)]
        for node in self.members:  # one at a time: the first migrates the shared database
            await self.start_node(node)
        self.lb_port = free_port()
        errorfile = self.root / "no-room.http"
        errorfile.write_text(NO_ROOM)
        cfg = self.root / "haproxy.cfg"
        cfg.write_text(haproxy_config(self.lb_port, self.members, errorfile))
        log = (self.root / "haproxy.log").open("wb")
        self._haproxy = await asyncio.create_subprocess_exec(
            "haproxy", "-db", "-f", str(cfg), stdout=log, stderr=subprocess.STDOUT)
        await _wait_ok(f"{self.url}/healthz", self._haproxy, self.root / "haproxy.log")

    async def _start_model(self) -> None:
        """`python -m agents.offline` on a free loopback port; every node reaches it through
        LIVE_API_URL, LIVE_API_CA_FILE and LIVE_API_KEY_FILE, as it would reach Gemini."""
        out = self.root / "model"
        self.model = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "agents.offline", "--port", "0", "--cert-dir", str(out),
            "--secret-file", str(out / "secret"), cwd=ROOT, stdout=asyncio.subprocess.PIPE,
            stderr=subprocess.DEVNULL)
        assert self.model.stdout is not None
        async with asyncio.timeout(90):
            line = (await self.model.stdout.readline()).decode()
        if " on https://" not in line:
            raise RuntimeError(f"the offline Live API server did not start: {line!r}")
        self.model_url = line.split(" on ", 1)[1].strip()
        self.agent = "interviewer"
        self.env.update(LIVE_API_URL=self.model_url, LIVE_API_CA_FILE=str(out / "ca.pem"),
                        LIVE_API_KEY_FILE=str(out / "secret"))

    def node_env(self, node: Node) -> dict[str, str]:
        s3 = self.s3
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("DATABASE_", "OBJECT_", "S3_", "ICE_", "LIVE_API_"))}
        env.update(
            HOST="127.0.0.1", AGENT=self.agent, NODE_NAME=node.name,
            MAX_SESSIONS=str(self.max_sessions), RETRY_AFTER_S=str(RETRY_AFTER_S),
            DATABASE_URL=self.database_url, OBJECT_STORE_URL=f"s3://{self.bucket}",
            S3_ENDPOINT=s3.endpoint, S3_ACCESS_KEY=s3.access_key,  # type: ignore[attr-defined]
            S3_SECRET_KEY=s3.secret_key, S3_REGION=s3.region,  # type: ignore[attr-defined]
            S3_SECURE="false", SECRET_KEY="cluster-shared-secret-" + "x" * 32,
            LOG_FORMAT="json", LOG_LEVEL=os.environ.get("IA_CLUSTER_LOG_LEVEL", "WARNING"),
            PYTHONUNBUFFERED="1", EXPERTS_ENABLED="false",
            # One address drives every call: lift the per-user and per-address limits.
            MAX_LIVE_PER_USER="10000", SIGNUPS_PER_IP="1000000",
            HTTP_CONNECTIONS_PER_IP="100000",
        )
        env.update(self.env)
        return env

    async def start_node(self, node: Node) -> None:
        """Start (or restart, on the same data dir: its spool is salvaged) one process."""
        node.data_dir.mkdir(parents=True, exist_ok=True)
        log = (node.data_dir / "server.log").open("ab")
        node.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "server", "--port", str(node.port),
            "--data-dir", str(node.data_dir), cwd=ROOT, env=self.node_env(node),
            stdout=log, stderr=subprocess.STDOUT)
        await _wait_ok(f"{node.url}/healthz", node.proc, node.data_dir / "server.log")

    async def kill_node(self, node: Node) -> None:
        """SIGKILL: no shutdown, no finalised recordings, as a crash or a lost host."""
        if node.proc is not None and node.proc.returncode is None:
            node.proc.send_signal(signal.SIGKILL)
            await node.proc.wait()

    async def admission(self, node: Node) -> dict:
        async with aiohttp.ClientSession() as http, http.get(f"{node.url}/healthz/admit") as r:
            return await r.json()

    async def __aexit__(self, *exc: object) -> None:
        procs = [n.proc for n in self.members if n.proc is not None]
        procs += [self._haproxy, self.model]
        for proc in procs:
            if proc is not None and proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            if proc is None:
                continue
            try:
                await asyncio.wait_for(proc.wait(), 30)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        await asyncio.to_thread(self._stack.close)
        if self.keep:
            print(f"kept {self.root}", file=sys.stderr)
        else:
            shutil.rmtree(self.root, ignore_errors=True)


async def _wait_ok(url: str, proc: asyncio.subprocess.Process, log: Path) -> None:
    deadline = time.monotonic() + 90
    async with aiohttp.ClientSession() as http:
        while True:
            if proc.returncode is not None:
                tail = log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{url}: process exited with {proc.returncode}:\n{tail}")
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(url) as resp:
                    if resp.status == 200:
                        return
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url}: not healthy after 90 s")
            await asyncio.sleep(0.2)
