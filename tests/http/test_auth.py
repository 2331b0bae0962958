"""Accounts: sign-up, log-in, sessions, rate limiting."""

from __future__ import annotations

from tests.http.helpers import PASSWORD, error_of, signup


async def test_signup_sets_http_only_lax_cookie_and_me_works(client) -> None:
    resp = await client.post(
        "/api/auth/signup",
        json={"email": "Ada@Example.com", "password": PASSWORD, "name": "Ada"},
    )
    assert resp.status == 201
    user = (await resp.json())["user"]
    assert user["email"] == "ada@example.com"
    assert "password" not in str(user)
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    me = await client.get("/api/auth/me")
    assert me.status == 200
    assert (await me.json())["user"]["id"] == user["id"]


async def test_me_without_session_is_no_user_not_an_error(client) -> None:
    resp = await client.get("/api/auth/me")
    assert resp.status == 200  # a visitor's first page load logs no failed request
    assert await resp.json() == {"user": None}
    assert (await client.get("/api/interviews")).status == 401  # the rest still need it


async def test_duplicate_email_is_409(client) -> None:
    await signup(client)
    resp = await client.post(
        "/api/auth/signup", json={"email": "ADA@example.com", "password": PASSWORD, "name": "X"}
    )
    assert resp.status == 409
    assert "already exists" in (await error_of(resp))["message"]


async def test_short_password_and_bad_email_are_400_naming_the_field(client) -> None:
    resp = await client.post(
        "/api/auth/signup", json={"email": "a@example.com", "password": "short", "name": "A"}
    )
    assert resp.status == 400
    assert (await error_of(resp))["message"].startswith("password")
    resp = await client.post(
        "/api/auth/signup", json={"email": "not-an-email", "password": PASSWORD, "name": "A"}
    )
    assert resp.status == 400
    assert (await error_of(resp))["message"].startswith("email")


async def test_password_is_stored_as_argon2_hash(client) -> None:
    from sqlalchemy import select

    from server.state import DB
    from storage.models import User

    await signup(client)
    async with client.app[DB]() as s:
        stored = await s.scalar(select(User.password_hash))
    assert stored.startswith("$argon2")
    assert PASSWORD not in stored


async def test_login_logout_cycle(client) -> None:
    await signup(client)
    assert (await client.post("/api/auth/logout")).status == 204
    assert (await (await client.get("/api/auth/me")).json())["user"] is None
    bad = await client.post(
        "/api/auth/login", json={"email": "ada@example.com", "password": "wrong password"}
    )
    assert bad.status == 401
    assert (await error_of(bad))["code"] == "invalid_credentials"
    good = await client.post(
        "/api/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
    )
    assert good.status == 200
    assert (await client.get("/api/auth/me")).status == 200


async def test_logout_invalidates_the_session_server_side(client) -> None:
    await signup(client)
    token = next(c.value for c in client.session.cookie_jar if c.key == "ia_session")
    await client.post("/api/auth/logout")
    resp = await client.get("/api/auth/me", cookies={"ia_session": token})
    assert (await resp.json())["user"] is None


async def test_unknown_email_login_is_401_like_a_wrong_password(client) -> None:
    resp = await client.post(
        "/api/auth/login", json={"email": "nobody@example.com", "password": PASSWORD}
    )
    assert resp.status == 401
    assert (await error_of(resp))["message"] == "wrong email or password"


async def test_login_attempts_are_rate_limited_per_email(client) -> None:
    # The test settings allow 3 failures per email.
    await signup(client)
    for _ in range(3):
        resp = await client.post(
            "/api/auth/login", json={"email": "ada@example.com", "password": "nope-nope"}
        )
        assert resp.status == 401
    resp = await client.post(
        "/api/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
    )
    assert resp.status == 429
    assert int(resp.headers["Retry-After"]) > 0
    assert (await error_of(resp))["code"] == "rate_limited"
    other = await client.post(
        "/api/auth/login", json={"email": "other@example.com", "password": "nope-nope"}
    )
    assert other.status == 401


async def test_login_attempts_are_rate_limited_per_ip(client) -> None:
    # The test settings allow 10 failures per address, spread over many emails.
    for i in range(10):
        resp = await client.post(
            "/api/auth/login", json={"email": f"u{i}@example.com", "password": "nope-nope"}
        )
        assert resp.status == 401
    resp = await client.post(
        "/api/auth/login", json={"email": "fresh@example.com", "password": "nope-nope"}
    )
    assert resp.status == 429
