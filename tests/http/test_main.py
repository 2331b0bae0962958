"""`python -m server`: starts on the embedded default; bad configuration fails in one line."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.services import free_port

ROOT = Path(__file__).resolve().parents[2]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "OBJECT_STORE_URL", "SECRET_KEY")}
    return {**env, **extra}


def test_bad_configuration_fails_with_one_clear_line(tmp_path: Path) -> None:
    for name, value, field in [("DATABASE_URL", "mysql://x", "DATABASE_URL"),
                               ("PORT", "eighty", "PORT"),
                               ("OBJECT_STORE_URL", "ftp://x", "OBJECT_STORE_URL")]:
        proc = subprocess.run(
            [sys.executable, "-m", "server", "--data-dir", str(tmp_path)],
            env=_env(**{name: value}), cwd=ROOT, capture_output=True, text=True, timeout=60,
        )
        assert proc.returncode == 2
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1, proc.stderr
        assert lines[0].startswith(f"configuration error: {field}")


def test_server_starts_on_embedded_default_and_keeps_data_in_data_dir(tmp_path: Path) -> None:
    port = free_port()
    data = tmp_path / "data"
    proc = subprocess.Popen(
        [sys.executable, "-m", "server", "--host", "127.0.0.1", "--port", str(port),
         "--data-dir", str(data)],
        env=_env(), cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                assert time.monotonic() < deadline
                time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as r:
            assert r.status == 200 and "text/html" in r.headers["Content-Type"]
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}" in out
    assert proc.returncode == 0
    assert (data / "interview-agent.db").is_file()
    assert (data / "objects").is_dir()
    assert (data / "secret_key").stat().st_mode & 0o077 == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_event_loop_is_chosen_by_configuration(tmp_path: Path) -> None:
    import uvloop

    from server.__main__ import loop_factory
    from server.config import load_settings

    assert load_settings(data_dir=tmp_path).event_loop == "asyncio"
    factory = loop_factory("uvloop")
    assert factory is not None
    loop = factory()
    try:
        assert isinstance(loop, uvloop.Loop)
    finally:
        loop.close()
    assert loop_factory("asyncio") is None  # asyncio.Runner's default: the standard loop
    proc = subprocess.run(
        [sys.executable, "-m", "server", "--data-dir", str(tmp_path)],
        env=_env(EVENT_LOOP="trio"), cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("configuration error: EVENT_LOOP"), proc.stderr
