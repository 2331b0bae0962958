"""SQLAlchemy 2 models: one table per roadmap entity (DESIGN §5).

Every schema change goes through an Alembic migration in `storage/migrations`.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names so migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend.

    SQLite stores no offset, so values read back are naive; this restores UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Billing: the Stripe customer made once for this user, and the interview credits left
    # (kept equal to the sum of the user's credit_ledger deltas; never negative).
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    credits: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    __table_args__ = (CheckConstraint("credits >= 0", name="credits_not_negative"),)


class AuthSession(Base):
    """A server-side login session; the cookie holds a token, we store its keyed hash."""

    __tablename__ = "auth_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Interview(Base):
    __tablename__ = "interviews"
    __table_args__ = (
        Index("ix_interviews_user_created", "user_id", "created_at"),
        Index("ix_interviews_status", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(32))
    company: Mapped[str] = mapped_column(String(32))
    question_id: Mapped[str | None] = mapped_column(String(100))
    question_text: Mapped[str | None] = mapped_column(Text)
    length_minutes: Mapped[int] = mapped_column(Integer, default=45, server_default="45")
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    current_phase: Mapped[str | None] = mapped_column(String(16))
    audio_key: Mapped[str | None] = mapped_column(String(1024))
    video_key: Mapped[str | None] = mapped_column(String(1024))
    # Every finished file by what it holds ("audio", "video", "interview", "candidate",
    # "interviewer"): object keys, written by the server only (never from request metadata).
    recording_keys: Mapped[dict[str, str] | None] = mapped_column(JSON)
    transcript_key: Mapped[str | None] = mapped_column(String(1024))
    canvas_snapshot_count: Mapped[int] = mapped_column(Integer, default=0)
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[Decimal | None] = mapped_column(Numeric(4, 2))
    session_state: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Server-owned facts (end reason, recording durations); clients never write it.
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSON)
    # The client's own small notes (PATCH .../status `metadata`), capped in storage.queries.
    user_metadata: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Transcription(Base):
    __tablename__ = "transcriptions"
    __table_args__ = (UniqueConstraint("interview_id", "seq", name="uq_transcriptions_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    interview_id: Mapped[str] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    is_final: Mapped[bool] = mapped_column(Boolean, default=True)
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CanvasSnapshot(Base):
    __tablename__ = "canvas_snapshots"
    __table_args__ = (UniqueConstraint("interview_id", "seq", name="uq_canvas_snapshots_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    interview_id: Mapped[str] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    object_key: Mapped[str] = mapped_column(String(1024))
    elements: Mapped[list[Any] | None] = mapped_column(JSON)
    app_state: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    offset_s: Mapped[float | None] = mapped_column(Float)  # since the interview started
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))  # of the PNG bytes
    scene_hash: Mapped[str | None] = mapped_column(String(64))  # of the elements (dedupe)


class ExpertReview(Base):
    """A review of the whiteboard by an A2A expert, asked during the interview."""

    __tablename__ = "expert_reviews"
    __table_args__ = (Index("ix_expert_reviews_interview", "interview_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    interview_id: Mapped[str] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"))
    company: Mapped[str] = mapped_column(String(32))
    expert: Mapped[str] = mapped_column(String(200))  # the agent card's name
    question: Mapped[str] = mapped_column(Text)
    snapshot_seq: Mapped[int | None] = mapped_column(Integer)
    review: Mapped[dict[str, Any]] = mapped_column(JSON)  # strengths, risks, follow_ups
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    interview_id: Mapped[str] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), unique=True
    )
    overall_score: Mapped[Decimal] = mapped_column(Numeric(4, 2))
    summary: Mapped[str] = mapped_column(Text)
    strengths: Mapped[list[str]] = mapped_column(JSON)
    improvements: Mapped[list[str]] = mapped_column(JSON)
    category_scores: Mapped[dict[str, Any]] = mapped_column(JSON)
    rubric_scores: Mapped[dict[str, Any]] = mapped_column(JSON)
    detailed_feedback: Mapped[str] = mapped_column(Text)
    generated_by: Mapped[str] = mapped_column(String(100))
    prompt_version: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FeedbackJob(Base):
    """The feedback generation of one interview, as a job whose state outlives the process:
    `pending` (waiting, maybe after a failed attempt, until `run_after`), `running` (a worker
    holds it until `lease_until`; an expired lease means that worker died), `done`, `failed`."""

    __tablename__ = "feedback_jobs"
    __table_args__ = (Index("ix_feedback_jobs_status_run_after", "status", "run_after"),)

    interview_id: Mapped[str] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CodingQuestion(Base):
    """A coding question with its tests; hidden tests never leave the server."""

    __tablename__ = "coding_questions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    difficulty: Mapped[str] = mapped_column(String(16), index=True)
    tags: Mapped[list[str]] = mapped_column(JSON)
    companies: Mapped[list[str]] = mapped_column(JSON)
    description: Mapped[str] = mapped_column(Text)
    entry_point: Mapped[dict[str, str]] = mapped_column(JSON)
    compare: Mapped[str] = mapped_column(String(16), default="exact")
    templates: Mapped[dict[str, str]] = mapped_column(JSON)
    visible_tests: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    hidden_tests: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    hints: Mapped[list[str]] = mapped_column(JSON)
    reference_solutions: Mapped[dict[str, str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CodingSubmission(Base):
    __tablename__ = "coding_submissions"
    __table_args__ = (Index("ix_coding_submissions_interview", "interview_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    interview_id: Mapped[str] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(ForeignKey("coding_questions.id"))
    language: Mapped[str] = mapped_column(String(32))
    code: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32))
    passed: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    time_ms: Mapped[float] = mapped_column(Numeric(10, 2))
    memory_kb: Mapped[int] = mapped_column(Integer)
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Subscription(Base):
    """A Stripe subscription as last reported by a webhook (the newest event wins)."""

    __tablename__ = "subscriptions"
    __table_args__ = (Index("ix_subscriptions_user", "user_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    stripe_customer_id: Mapped[str] = mapped_column(String(255))
    stripe_subscription_id: Mapped[str] = mapped_column(String(255), unique=True)
    plan: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))
    current_period_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_at_period_end: Mapped[bool] = mapped_column(Boolean, default=False)
    # `created` of the Stripe event this row reflects: older events are ignored.
    event_created: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Payment(Base):
    """Money that moved (or failed to): a credit purchase or a subscription invoice."""

    __tablename__ = "payments"
    __table_args__ = (Index("ix_payments_user_created", "user_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # credits | subscription
    amount: Mapped[int] = mapped_column(Integer)  # smallest currency unit (cents)
    currency: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))  # succeeded | failed | refunded
    credits: Mapped[int] = mapped_column(Integer, default=0)
    # The Stripe object this row stands for (checkout session or invoice): one row each.
    stripe_object_id: Mapped[str] = mapped_column(String(255), unique=True)
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(255), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CreditLedger(Base):
    """Every change of a user's credit balance, with why; the key makes each change once-only."""

    __tablename__ = "credit_ledger"
    __table_args__ = (Index("ix_credit_ledger_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    delta: Mapped[int] = mapped_column(Integer)
    balance_after: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(32))  # purchase | interview | refund | revoked
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    interview_id: Mapped[str | None] = mapped_column(
        ForeignKey("interviews.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebhookEvent(Base):
    """A Stripe event id already handled: a replay of it changes nothing."""

    __tablename__ = "webhook_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    created: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
class CodeSnapshot(Base):
    """The candidate's code at a moment of a coding interview: at every run and submit, and
    every 30 s while it changes (for the replay and the feedback)."""

    __tablename__ = "code_snapshots"
    __table_args__ = (Index("ix_code_snapshots_interview", "interview_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    interview_id: Mapped[str] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(16))  # storage.vocabulary.SNAPSHOT_REASONS
    language: Mapped[str] = mapped_column(String(32))
    question_slug: Mapped[str | None] = mapped_column(String(100))
    code: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
