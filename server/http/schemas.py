"""Request and response payloads of the JSON API (snake_case)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from storage.lifecycle import Phase, Status
from storage.models import Interview, User
from storage.vocabulary import COMPANIES, INTERVIEW_TYPES, LEVELS, PREMIUM_COMPANIES

# The vocabulary's words as types, so pydantic names the allowed values in its errors.
InterviewType = Literal[INTERVIEW_TYPES]  # type: ignore[valid-type]
Level = Literal[LEVELS]  # type: ignore[valid-type]
Company = Literal[COMPANIES]  # type: ignore[valid-type]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SignupIn(_In):
    email: EmailStr
    password: str = Field(min_length=8, max_length=256)
    name: str = Field(min_length=1, max_length=200)

    @field_validator("email")
    @classmethod
    def _lower(cls, v: str) -> str:
        return v.lower()


class LoginIn(_In):
    email: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=256)

    @field_validator("email")
    @classmethod
    def _lower(cls, v: str) -> str:
        return v.lower()


class InterviewIn(_In):
    type: InterviewType
    role: str = Field(min_length=1, max_length=100)
    level: Level
    company: Company


class StatusPatchIn(_In):
    status: Status | None = None
    phase: Phase | None = None
    metadata: dict[str, Any] | None = None


class PageQuery(BaseModel):
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0)


def user_out(user: User) -> dict[str, Any]:
    return {"id": user.id, "email": user.email, "name": user.name}


def _ts(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def interview_out(row: Interview) -> dict[str, Any]:
    return {
        "id": row.id,
        "type": row.type,
        "role": row.role,
        "level": row.level,
        "company": row.company,
        "premium": row.company in PREMIUM_COMPANIES,
        "question_id": row.question_id,
        "question_text": row.question_text,
        "status": row.status,
        "current_phase": row.current_phase,
        "canvas_snapshot_count": row.canvas_snapshot_count,
        "duration_seconds": row.duration_seconds,
        "score": float(row.score) if row.score is not None else None,
        "has_audio": row.audio_key is not None,
        "has_video": row.video_key is not None,
        "has_transcript": row.transcript_key is not None,
        "session_state": row.session_state,
        "metadata": row.metadata_ or {},
        "created_at": _ts(row.created_at),
        "started_at": _ts(row.started_at),
        "completed_at": _ts(row.completed_at),
    }
