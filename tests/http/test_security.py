"""CSRF defences, security headers, who reads /metrics, hostile inputs, file modes, metadata."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from server.http.app import create_app
from tests.http.helpers import PASSWORD, create_interview, error_of, signup

NEW = {"type": "coding", "role": "R", "level": "mid", "company": "free_practice"}


async def test_json_routes_refuse_other_content_types_with_415(client) -> None:
    # A cross-site HTML form can send text/plain, never application/json.
    form = b'{"email": "evil@example.com", "password": "attacker-pass", "name": "x"}'
    for ctype in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
        resp = await client.post("/api/auth/signup", data=form, headers={"Content-Type": ctype})
        assert resp.status == 415, ctype
        assert (await error_of(resp))["code"] == "unsupported_media_type"
    await signup(client)
    resp = await client.post("/api/interviews", data=b'{"type": "coding"}',
                             headers={"Content-Type": "text/plain"})
    assert resp.status == 415
    ok = await client.post("/api/interviews", data=b'{"type": "coding", "role": "R", '
                           b'"level": "mid", "company": "free_practice"}',
                           headers={"Content-Type": "application/json; charset=utf-8"})
    assert ok.status == 201


async def test_state_changes_from_another_origin_are_403(client) -> None:
    await signup(client)
    evil = {"Origin": "https://evil.example"}
    for method, path in [("POST", "/api/interviews"), ("POST", "/api/auth/logout"),
                         ("POST", "/api/auth/login")]:
        resp = await client.request(method, path, json=NEW, headers=evil)
        assert resp.status == 403, path
        assert (await error_of(resp))["code"] == "bad_origin"
    resp = await client.post("/api/interviews", json=NEW, headers={"Origin": "null"})
    assert resp.status == 403
    resp = await client.post("/api/interviews", json=NEW, headers={"Sec-Fetch-Site": "cross-site"})
    assert resp.status == 403
    # Reads are not state changes; our own origin and no Origin (curl, tests) are fine.
    assert (await client.get("/api/interviews", headers=evil)).status == 200
    own = f"http://{client.host}:{client.port}"
    assert (await client.post("/api/interviews", json=NEW, headers={"Origin": own})).status == 201
    assert (await client.post("/api/interviews", json=NEW)).status == 201


async def test_configured_extra_origin_is_allowed(aiohttp_client, settings) -> None:
    app = create_app(settings.model_copy(update={"allowed_origins": ["https://app.example"]}))
    client = await aiohttp_client(app)
    await signup(client)
    resp = await client.post("/api/interviews", json=NEW,
                             headers={"Origin": "https://app.example"})
    assert resp.status == 201


async def test_security_headers_everywhere_and_no_version_in_server(client) -> None:
    for path in ("/", "/api/auth/me", "/api/nothing", "/healthz"):
        resp = await client.get(path)
        csp = resp.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp, path
        assert "worker-src 'self' blob:" in csp and "img-src 'self' blob: data:" in csp
        assert "'unsafe-eval'" not in csp.replace("'wasm-unsafe-eval'", "")
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Referrer-Policy"] == "same-origin"
        assert resp.headers["Server"] == "interview-agent"
        assert "aiohttp" not in resp.headers["Server"] and "Python" not in resp.headers["Server"]


async def test_metrics_only_on_loopback_or_with_the_token(aiohttp_client, settings) -> None:
    client = await aiohttp_client(create_app(settings))
    assert (await client.get("/metrics")).status == 200  # the test client is on loopback
    relayed = await client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert relayed.status == 404
    tokened = await aiohttp_client(create_app(settings.model_copy(
        update={"metrics_token": SecretStr("s3cret-metrics-token")})))
    assert (await tokened.get("/metrics")).status == 404
    bad = await tokened.get("/metrics", headers={"Authorization": "Bearer wrong"})
    assert bad.status == 404
    good = await tokened.get("/metrics", headers={"Authorization": "Bearer s3cret-metrics-token"})
    assert good.status == 200 and "ia_event_loop_lag_seconds" in await good.text()


async def test_hostile_inputs_are_400_not_500(client) -> None:
    await signup(client)
    for depth in (2_000, 60_000):
        resp = await client.post("/api/interviews", data=b"[" * depth,
                                 headers={"Content-Type": "application/json"})
        assert resp.status == 400, depth
        assert (await error_of(resp))["code"] == "bad_json"
    nested = b'{"metadata": ' + b'{"a": ' * 5_000 + b"1" + b"}" * 5_001
    iv = await create_interview(client)
    resp = await client.patch(f"/api/interviews/{iv['id']}/status", data=nested,
                              headers={"Content-Type": "application/json"})
    assert resp.status == 400
    resp = await client.patch(f"/api/interviews/{iv['id']}/status",
                              data=b'{"metadata": {"n": ' + b"9" * 5000 + b"}}",
                              headers={"Content-Type": "application/json"})
    assert resp.status == 400 and "too long" in (await error_of(resp))["message"]
    for offset in ("1e20", "100000000000000000000", "-1", "9" * 400):
        resp = await client.get(f"/api/interviews?offset={offset}")
        assert resp.status == 400, offset
        assert (await error_of(resp))["message"].startswith("offset")
    for path in ("/assets/%00", "/%00", "/assets/a%00b.js"):
        resp = await client.get(path)
        assert resp.status == 400, path
        assert (await error_of(resp))["code"] == "bad_path"


async def test_slow_body_is_408(aiohttp_client, settings) -> None:
    import asyncio

    client = await aiohttp_client(create_app(settings.model_copy(
        update={"http_body_timeout_s": 0.5})))

    async def trickle():  # type: ignore[no-untyped-def]
        yield b'{"email": "a@example.com", '
        await asyncio.sleep(2)
        yield b'"password": "x", "name": "y"}'

    resp = await client.post("/api/auth/signup", data=trickle(),
                             headers={"Content-Type": "application/json"})
    assert resp.status == 408
    assert (await error_of(resp))["code"] == "request_timeout"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_database_and_secret_key_files_are_owner_only(client, tmp_path: Path) -> None:
    await signup(client)  # the database and its WAL exist
    data = tmp_path / "data"
    files = [data / "secret_key", tmp_path / "test.db", tmp_path / "test.db-wal"]
    for path in files:
        assert path.exists(), path
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
    assert stat.S_IMODE(os.stat(data).st_mode) == 0o700


async def test_metadata_is_small_and_cannot_touch_server_fields(client) -> None:
    from server.state import DB
    from storage.models import Interview

    await signup(client)
    iv = await create_interview(client)
    url = f"/api/interviews/{iv['id']}/status"
    async with client.app[DB].begin() as s:  # what the live session writes when a call ends
        row = await s.get(Interview, iv["id"])
        row.metadata_ = {"end_reason": "idle", "recording": {"audio": {"duration_s": 61.0}}}
    for bad in ({"end_reason": "completed"}, {"recording": {"audio": {"duration_s": 1}}}):
        resp = await client.patch(url, json={"metadata": bad})
        assert resp.status == 400
        assert "reserved for the server" in (await error_of(resp))["message"]
    body = await (await client.patch(url, json={"metadata": {"mic": "ok"}})).json()
    assert body["metadata"] == {"mic": "ok", "end_reason": "idle",
                                "recording": {"audio": {"duration_s": 61.0}}}
    # Caps: 32 keys, 4 KB of JSON, counted after merging; null removes a key.
    too_many = {f"k{i}": i for i in range(32)}
    resp = await client.patch(url, json={"metadata": too_many})
    assert resp.status == 400 and "32 keys" in (await error_of(resp))["message"]
    resp = await client.patch(url, json={"metadata": {"big": "x" * 5000}})
    assert resp.status == 400 and "4096 bytes" in (await error_of(resp))["message"]
    resp = await client.patch(url, json={"metadata": {"mic": None, "camera": "off"}})
    assert (await resp.json())["metadata"]["camera"] == "off"
    assert "mic" not in (await resp.json())["metadata"]
    listed = await (await client.get("/api/interviews")).json()
    assert len(str(listed)) < 20_000


async def test_finished_interviews_are_read_only(client) -> None:
    await signup(client)
    iv = await create_interview(client)
    url = f"/api/interviews/{iv['id']}/status"
    assert (await client.patch(url, json={"status": "in_progress"})).status == 200
    assert (await client.patch(url, json={"status": "completed", "phase": "done"})).status == 200
    for change in ({"phase": "intro"}, {"metadata": {"a": 1}}):
        resp = await client.patch(url, json=change)
        assert resp.status == 409, change
        assert (await error_of(resp))["code"] == "read_only"
    after = await (await client.get(f"/api/interviews/{iv['id']}")).json()
    assert after["current_phase"] == "done" and after["status"] == "completed"


async def test_no_password_in_responses_or_logs_of_signup(client, caplog) -> None:
    resp = await client.post("/api/auth/signup",
                             json={"email": "a@example.com", "password": PASSWORD, "name": "A"})
    assert PASSWORD not in await resp.text()
    assert PASSWORD not in caplog.text


async def test_loopback_server_refuses_foreign_host_names(client) -> None:
    # DNS rebinding: a page on evil.example resolves its name to 127.0.0.1 and calls us.
    resp = await client.get("/api/auth/me", headers={"Host": "evil.example:8080"})
    assert resp.status == 421
    assert (await error_of(resp))["code"] == "bad_host"
    for host in ("localhost:8080", "127.0.0.1", "[::1]:8080"):
        assert (await client.get("/healthz", headers={"Host": host})).status == 200, host
