"""user metadata apart from the server's

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 23:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


SERVER_KEYS = ("end_reason", "recording")
_interviews = sa.table(
    "interviews",
    sa.column("id", sa.String),
    sa.column("metadata", sa.JSON),
    sa.column("user_metadata", sa.JSON),
)


def upgrade() -> None:
    with op.batch_alter_table("interviews") as batch:
        batch.add_column(sa.Column("user_metadata", sa.JSON(), nullable=True))
    # Keys a client wrote into the shared column move to its own.
    conn = op.get_bind()
    rows = conn.execute(sa.select(_interviews.c.id, _interviews.c.metadata)).all()
    for ident, meta in rows:
        if not meta:
            continue
        user = {k: v for k, v in meta.items() if k not in SERVER_KEYS}
        if user:
            server = {k: v for k, v in meta.items() if k in SERVER_KEYS}
            conn.execute(
                _interviews.update()
                .where(_interviews.c.id == ident)
                .values(metadata=server or None, user_metadata=user)
            )


def downgrade() -> None:
    with op.batch_alter_table("interviews") as batch:
        batch.drop_column("user_metadata")
