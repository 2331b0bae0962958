"""Docker backend against a fake client (no Docker engine runs here).

The fake "daemon" runs the container's command as a plain local subprocess and speaks Docker's
multiplexed attach stream over a real socketpair, so the request building, the stream handling,
the nonce-framed judge protocol, timeouts, output caps and cleanup are all exercised for real.
"""

from __future__ import annotations

import socket
import struct
import subprocess
import tempfile
import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from sandbox import BackendUnavailable, Limits, Sandbox, SandboxConfig, SandboxError
from sandbox.backend import Job
from sandbox.docker_backend import DockerBackend, daemon_reachable, stream
from sandbox.languages import get
from sandbox.service import select_backend

LOCAL_EXES = {"python3": "/usr/bin/python3", "node": "/usr/bin/node"}


class FakeContainer:
    def __init__(
        self,
        kwargs: dict[str, Any],
        fail_start: bool = False,
        oom: bool = False,
        state: dict | None = None,
    ) -> None:
        self.kwargs = kwargs
        self.id = f"fake{id(self):x}"
        self.attrs: dict[str, Any] = {"State": state or {"OOMKilled": False}}
        self.fail_start = fail_start
        self.oom = oom
        self.killed = False
        self.removed = False
        self.proc: subprocess.Popen[bytes] | None = None
        self.ours, self.theirs = socket.socketpair()

    def attach_socket(self, params: dict) -> socket.socket:
        assert params == {"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1}
        return self.ours

    def start(self) -> None:
        if self.fail_start:
            raise RuntimeError("no such image")
        cmd = [
            LOCAL_EXES.get(self.kwargs["command"][0], self.kwargs["command"][0]),
            *self.kwargs["command"][1:],
        ]
        self.workdir = tempfile.TemporaryDirectory()  # the container's private /work
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=self.kwargs["environment"],
            cwd=self.workdir.name,
        )
        lock = threading.Lock()

        def feed() -> None:
            assert self.proc and self.proc.stdin
            while data := self.theirs.recv(65536):
                try:
                    self.proc.stdin.write(data)
                except BrokenPipeError:
                    break
            try:
                self.proc.stdin.close()
            except BrokenPipeError:
                pass

        def relay(pipe, kind: int) -> None:
            while data := pipe.read1(65536):
                with lock:
                    try:
                        self.theirs.sendall(struct.pack(">BxxxL", kind, len(data)) + data)
                    except OSError:
                        return

        readers = [
            threading.Thread(target=relay, args=(self.proc.stdout, 1), daemon=True),
            threading.Thread(target=relay, args=(self.proc.stderr, 2), daemon=True),
        ]
        for t in [threading.Thread(target=feed, daemon=True), *readers]:
            t.start()

        def close_when_done() -> None:
            for t in readers:
                t.join()
            self.theirs.close()

        threading.Thread(target=close_when_done, daemon=True).start()

    def kill(self) -> None:
        self.killed = True
        if self.proc:
            self.proc.kill()

    def wait(self, timeout: float) -> dict:
        assert self.proc is not None
        code = self.proc.wait(timeout)
        if self.oom:
            self.attrs["State"]["OOMKilled"] = True
            return {"StatusCode": 137}
        return {"StatusCode": 128 - code if code < 0 else code}

    def reload(self) -> None:
        pass

    def remove(self, force: bool = False) -> None:
        assert force
        self.removed = True
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class FakeContainers:
    def __init__(self) -> None:
        self.created: list[FakeContainer] = []
        self.stale: list[FakeContainer] = []
        self.next_options: dict[str, Any] = {}

    def create(self, **kwargs: Any) -> FakeContainer:
        c = FakeContainer(kwargs, **self.next_options)
        self.created.append(c)
        return c

    def list(self, all: bool, filters: dict) -> list[FakeContainer]:  # noqa: A002
        assert all and filters == {"label": "interview-sandbox=interview-sandbox"}
        return self.stale


class FakeClient:
    def __init__(self) -> None:
        self.containers = FakeContainers()
        self.closed = False

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def fake() -> FakeClient:
    return FakeClient()


@pytest.fixture
def docker_sandbox(fake: FakeClient):
    config = SandboxConfig(backend="docker", max_concurrency=2)
    sb = Sandbox(config, backend=DockerBackend(config, client=fake))
    yield sb
    sb.close()


def test_container_request(fake: FakeClient) -> None:
    backend = DockerBackend(SandboxConfig(docker_cpus=0.5), client=fake)
    limits = Limits(memory_mb=128, pids=32, file_mb=8, wall_s=3, open_files=64)
    kw = backend.container_kwargs(Job(get("python"), "judge", "x=1", b"{}", limits))
    assert kw["image"] == "python:3.11-slim"
    assert kw["command"][:5] == ["python3", "-I", "-S", "-B", "-c"]
    assert kw["command"][-1] == "1"  # report fd: stdout, nonce-framed
    assert kw["network_mode"] == "none" and kw["network_disabled"] is True
    assert kw["mem_limit"] == kw["memswap_limit"] == 128 * 1024 * 1024
    assert kw["pids_limit"] == 32
    assert kw["nano_cpus"] == 500_000_000
    assert kw["read_only"] is True
    assert kw["tmpfs"] == {
        "/work": "rw,nosuid,nodev,size=8m,mode=1777",
        "/tmp": "rw,nosuid,nodev,size=8m,mode=1777",
    }
    assert kw["user"] == "65534:65534"
    assert kw["cap_drop"] == ["ALL"] and kw["security_opt"] == ["no-new-privileges"]
    assert {u["name"]: (u["soft"], u["hard"]) for u in kw["ulimits"]} == {
        "cpu": (3, 4),
        "fsize": (8 << 20, 8 << 20),
        "nofile": (64, 64),
        "core": (0, 0),
    }
    assert kw["log_config"]["type"] == "none"
    assert kw["environment"]["HOME"] == "/work" and "PATH" in kw["environment"]
    assert kw["stdin_open"] and kw["stdin_once"] and not kw["tty"]
    js = backend.container_kwargs(Job(get("javascript"), "run", "1", b"", limits))
    assert js["image"] == "node:20-slim" and js["command"][0] == "node"
    assert js["command"][-1] == "1"  # the program itself, after the bootstrap
    java = backend.container_kwargs(Job(get("java"), "judge", "class Solution {}", b"", limits))
    assert java["image"] == "eclipse-temurin:17-jdk"
    assert java["command"][:2] == ["/bin/sh", "-c"] and "java" in java["command"]
    assert java["command"][-2:] == ["judge", "1"]


async def test_java_through_the_attach_stream(docker_sandbox: Sandbox, fake: FakeClient) -> None:
    q = {"entry_point": {"java": "add"},
         "tests": [{"args": [1, 2], "expected": 3}, {"args": [2, 2], "expected": 4}]}
    code = ("class Solution { int add(int a, int b) { System.out.println(\"hi\");"
            " return a + b; } }")
    v = await docker_sandbox.judge("java", code, q, limits={"wall_s": 60})
    assert v.status == "accepted" and v.backend == "docker", v
    assert v.tests[0].stdout == "hi\n"
    assert all(c.removed for c in fake.containers.created)


async def test_judge_through_the_attach_stream(docker_sandbox: Sandbox, fake: FakeClient) -> None:
    q = {
        "entry_point": {"python": "add", "javascript": "add"},
        "tests": [{"args": [1, 2], "expected": 3}, {"args": [2, 2], "expected": 4}],
    }
    py_code = "def add(a, b):\n    print('hi')\n    return a + b"
    py = await docker_sandbox.judge("python", py_code, q)
    js = await docker_sandbox.judge("javascript", "function add(a, b) { return a - b }", q)
    assert py.status == "accepted" and py.backend == "docker"
    assert py.tests[0].stdout == "hi\n"
    assert js.status == "wrong_answer" and [t.passed for t in js.tests] == [False, False]
    assert all(c.removed for c in fake.containers.created)


async def test_run_with_stdin(docker_sandbox: Sandbox, fake: FakeClient) -> None:
    r = await docker_sandbox.run("python", "import sys\nprint(sys.stdin.read().upper())", "abc")
    assert (r.stdout, r.exit_code, r.error_kind) == ("ABC\n", 0, None)
    assert fake.containers.created[-1].removed


async def test_timeout_kills_and_removes(docker_sandbox: Sandbox, fake: FakeClient) -> None:
    r = await docker_sandbox.run("python", "while True:\n    pass", limits={"wall_s": 0.5})
    c = fake.containers.created[-1]
    assert r.error_kind == "timeout"
    assert c.killed and c.removed


async def test_output_cap_kills_and_removes(docker_sandbox: Sandbox, fake: FakeClient) -> None:
    r = await docker_sandbox.run(
        "python", "while True:\n    print('x' * 1000)", limits={"output_kb": 64, "wall_s": 10}
    )
    c = fake.containers.created[-1]
    assert r.error_kind == "output_limit" and r.truncated
    assert len(r.stdout) <= 64 * 1024
    assert c.killed and c.removed


async def test_oom_killed_is_a_memory_limit(docker_sandbox: Sandbox, fake: FakeClient) -> None:
    fake.containers.next_options = {"oom": True}
    r = await docker_sandbox.run("python", "print(1)")
    assert r.error_kind == "memory_limit"


async def test_failed_start_still_removes(docker_sandbox: Sandbox, fake: FakeClient) -> None:
    fake.containers.next_options = {"fail_start": True}
    with pytest.raises(SandboxError):
        await docker_sandbox.run("python", "print(1)")
    assert fake.containers.created[-1].removed


def test_janitor_removes_what_crashed_servers_left(fake: FakeClient) -> None:
    exited = FakeContainer({}, state={"Running": False})
    old = FakeContainer({}, state={"Running": True, "StartedAt": "2020-01-01T00:00:00.000Z"})
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    live = FakeContainer({}, state={"Running": True, "StartedAt": now})
    fake.containers.stale = [exited, old, live]
    DockerBackend(SandboxConfig(), client=fake)
    assert exited.removed and old.removed and not live.removed


def test_stream_demultiplexes_and_honours_the_deadline() -> None:
    ours, theirs = socket.socketpair()
    frames = struct.pack(">BxxxL", 1, 3) + b"out" + struct.pack(">BxxxL", 2, 3) + b"err"
    theirs.sendall(frames[:5])  # a frame split across reads
    killed = []
    t = threading.Timer(0.05, lambda: theirs.sendall(frames[5:]))
    t.start()
    out = stream(
        ours, b"", deadline=time.monotonic() + 0.3, output_cap=100, kill=lambda: killed.append(1)
    )
    t.join()
    assert (bytes(out.stdout), bytes(out.stderr)) == (b"out", b"err")
    assert out.timed_out and killed == [1]
    ours.close()
    theirs.close()


def test_backend_choice(monkeypatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    config = SandboxConfig(backend="docker", docker_ping_timeout_s=0.5)
    assert not daemon_reachable(config)
    with pytest.raises(BackendUnavailable):
        select_backend(config, 1)
