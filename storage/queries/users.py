"""Users and their server-side login sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import Conflict
from storage.models import AuthSession, User, utcnow


async def create_user(s: AsyncSession, email: str, name: str, password_hash: str) -> User:
    user = User(email=email, name=name, password_hash=password_hash)
    s.add(user)
    try:
        await s.flush()
    except IntegrityError as exc:
        raise Conflict(f"an account with email {email!r} already exists") from exc
    return user


async def find_user_by_email(s: AsyncSession, email: str) -> User | None:
    return await s.scalar(select(User).where(User.email == email))


async def create_auth_session(
    s: AsyncSession, token_hash: str, user_id: str, expires_at: datetime
) -> AuthSession:
    row = AuthSession(id=token_hash, user_id=user_id, expires_at=expires_at)
    s.add(row)
    await s.flush()
    return row


async def user_for_session(s: AsyncSession, token_hash: str) -> User | None:
    """The user a live (unexpired) session belongs to, or None."""
    return await s.scalar(
        select(User)
        .join(AuthSession, AuthSession.user_id == User.id)
        .where(AuthSession.id == token_hash, AuthSession.expires_at > utcnow())
    )


async def delete_auth_session(s: AsyncSession, token_hash: str) -> None:
    await s.execute(delete(AuthSession).where(AuthSession.id == token_hash))


async def purge_expired_sessions(s: AsyncSession) -> int:
    result = await s.execute(delete(AuthSession).where(AuthSession.expires_at <= utcnow()))
    return result.rowcount or 0
