"""Migrations upgrade from empty, match the models, and downgrade, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect

from storage.db import migrate
from storage.models import Base


async def _tables(engine) -> set[str]:  # type: ignore[no-untyped-def]
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def test_upgrade_check_downgrade(engine) -> None:
    await migrate(engine, "upgrade", "head")
    tables = await _tables(engine)
    assert set(Base.metadata.tables) <= tables
    await migrate(engine, "check")  # raises if the models and migrations differ
    await migrate(engine, "downgrade", "base")
    assert await _tables(engine) <= {"alembic_version"}
    await migrate(engine, "upgrade", "head")
    assert set(Base.metadata.tables) <= await _tables(engine)
