"""feedback jobs: the state of each interview's feedback generation

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 23:35:00

The `feedback` table itself is in 0001; this adds the job that fills it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feedback_jobs",
        sa.Column("interview_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("run_after", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lease_until", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("requested_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["interview_id"], ["interviews.id"],
            name=op.f("fk_feedback_jobs_interview_id_interviews"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("interview_id", name=op.f("pk_feedback_jobs")),
    )
    with op.batch_alter_table("feedback_jobs") as batch:
        batch.create_index("ix_feedback_jobs_status_run_after", ["status", "run_after"])


def downgrade() -> None:
    with op.batch_alter_table("feedback_jobs") as batch:
        batch.drop_index("ix_feedback_jobs_status_run_after")
    op.drop_table("feedback_jobs")
