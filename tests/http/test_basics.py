"""Cross-cutting server behaviour: JSON errors, limits, health, metrics, the web client."""

from __future__ import annotations

from tests.http.helpers import error_of, signup


async def test_healthz_and_metrics(client) -> None:
    resp = await client.get("/healthz")
    assert resp.status == 200
    assert (await resp.json()) == {"status": "ok"}
    metrics = await client.get("/metrics")
    assert metrics.status == 200
    assert "python_info" in await metrics.text()


async def test_bad_json_is_400(client) -> None:
    await signup(client)
    for raw in (b"{not json", b"[1, 2]", b"\xff\xfe"):
        resp = await client.post(
            "/api/interviews", data=raw, headers={"Content-Type": "application/json"}
        )
        assert resp.status == 400
        assert (await error_of(resp))["code"] == "bad_json"


async def test_oversized_body_is_413(client) -> None:
    # The test settings cap bodies at 64 KiB.
    resp = await client.post(
        "/api/auth/signup",
        data=b'{"name": "' + b"x" * 100_000 + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert resp.status == 413
    assert (await error_of(resp))["code"] == "payload_too_large"


async def test_unknown_api_route_is_json_404_and_wrong_method_is_405(client) -> None:
    resp = await client.get("/api/nothing-here")
    assert resp.status == 404
    assert (await error_of(resp))["code"] == "not_found"
    resp = await client.post("/api/nothing-here")
    assert resp.status == 404
    resp = await client.put("/api/auth/me")
    assert resp.status == 405
    assert (await error_of(resp))["code"] == "method_not_allowed"


async def test_unhandled_error_is_500_without_stack_trace(client, monkeypatch) -> None:
    from storage.queries import interviews

    async def boom(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(interviews, "list_interviews", boom)
    await signup(client)
    resp = await client.get("/api/interviews")
    assert resp.status == 500
    text = await resp.text()
    assert "secret internal detail" not in text and "Traceback" not in text
    assert (await error_of(resp))["code"] == "internal"


async def test_web_client_is_served_with_spa_fallback(client, tmp_path) -> None:
    from server.state import SETTINGS

    dist = client.app[SETTINGS].web_dist
    index = await client.get("/")
    assert index.status == 200
    assert "text/html" in index.headers["Content-Type"]
    deep = await client.get("/interviews/some-id")
    assert deep.status == 200
    assert await deep.text() == await index.text()
    if (dist / "index.html").exists():
        assert "<script" in await index.text()
    escape = await client.get("/../pyproject.toml")
    assert "[project]" not in await escape.text()
