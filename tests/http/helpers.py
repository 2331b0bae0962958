"""Small helpers for API tests."""

from __future__ import annotations

from typing import Any

PASSWORD = "correct horse battery"


async def signup(client: Any, email: str = "ada@example.com", name: str = "Ada") -> dict:
    resp = await client.post(
        "/api/auth/signup", json={"email": email, "password": PASSWORD, "name": name}
    )
    assert resp.status == 201, await resp.text()
    return (await resp.json())["user"]


async def create_interview(client: Any, **overrides: Any) -> dict:
    body = {"type": "system_design", "role": "Backend Engineer", "level": "senior",
            "company": "free_practice", **overrides}
    resp = await client.post("/api/interviews", json=body)
    assert resp.status == 201, await resp.text()
    return await resp.json()


async def error_of(resp: Any) -> dict:
    body = await resp.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message"}, body
    return body["error"]
