"""0003 moves keys a client wrote into the shared `metadata` column to `user_metadata`."""

from __future__ import annotations

import json

from sqlalchemy import text

from storage.db import migrate


async def test_user_keys_move_out_of_the_server_column(engine) -> None:
    await migrate(engine, "upgrade", "0004")
    async with engine.begin() as conn:
        await conn.execute(text(
            "INSERT INTO users (id, email, name, password_hash, created_at) "
            "VALUES ('u1', 'a@example.com', 'A', 'x', CURRENT_TIMESTAMP)"))
        for ident, meta in [("i1", {"end_reason": "idle", "mic": "ok"}), ("i2", {"mic": "ok"}),
                            ("i3", {"end_reason": "completed"}), ("i4", None)]:
            await conn.execute(text(
                "INSERT INTO interviews (id, user_id, type, role, level, company, status, "
                "canvas_snapshot_count, metadata, created_at) VALUES (:id, 'u1', 'coding', 'R', "
                "'mid', 'google', 'completed', 0, :meta, CURRENT_TIMESTAMP)"),
                {"id": ident, "meta": None if meta is None else json.dumps(meta)})
    await migrate(engine, "upgrade", "head")
    async with engine.connect() as conn:
        rows = (await conn.execute(text(
            "SELECT id, metadata, user_metadata FROM interviews ORDER BY id"))).all()

    def load(v):  # type: ignore[no-untyped-def]
        return json.loads(v) if isinstance(v, str) else v

    got = {r[0]: (load(r[1]), load(r[2])) for r in rows}
    assert got == {
        "i1": ({"end_reason": "idle"}, {"mic": "ok"}),
        "i2": (None, {"mic": "ok"}),
        "i3": ({"end_reason": "completed"}, None),
        "i4": (None, None),
    }
