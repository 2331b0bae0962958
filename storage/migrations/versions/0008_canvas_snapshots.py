"""canvas snapshots: offset, size, hashes; expert reviews

The canvas_snapshots table itself came with 0001; this adds what replay and dedupe need
(offset from the interview start, PNG size, PNG sha256, scene hash) and the reviews the
A2A experts write during an interview.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("canvas_snapshots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("offset_s", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("width", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("height", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("scene_hash", sa.String(length=64), nullable=True))
    op.create_table(
        "expert_reviews",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("interview_id", sa.String(length=36), nullable=False),
        sa.Column("company", sa.String(length=32), nullable=False),
        sa.Column("expert", sa.String(length=200), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("snapshot_seq", sa.Integer(), nullable=True),
        sa.Column("review", sa.JSON(), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interviews.id"],
            name=op.f("fk_expert_reviews_interview_id_interviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_reviews")),
    )
    with op.batch_alter_table("expert_reviews", schema=None) as batch_op:
        batch_op.create_index(
            "ix_expert_reviews_interview", ["interview_id", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("expert_reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_expert_reviews_interview")
    op.drop_table("expert_reviews")
    with op.batch_alter_table("canvas_snapshots", schema=None) as batch_op:
        batch_op.drop_column("scene_hash")
        batch_op.drop_column("sha256")
        batch_op.drop_column("height")
        batch_op.drop_column("width")
        batch_op.drop_column("offset_s")
