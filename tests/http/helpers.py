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


async def grant_credits(client: Any, user_id: str, n: int = 1) -> None:
    """Give a user interview credits directly (premium styles need a plan or a credit)."""
    import uuid

    from server.state import DB
    from storage.queries import billing

    async with client.server.app[DB].begin() as s:
        await billing.add_credits(s, user_id, n, "purchase", f"test:{uuid.uuid4()}")


async def error_of(resp: Any) -> dict:
    body = await resp.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message"}, body
    return body["error"]
