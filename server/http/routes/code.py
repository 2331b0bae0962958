"""The question banks (coding problems from the database, system-design prompts from
agents/questions.py), running code against visible tests, and judged submissions."""

from __future__ import annotations

from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, Field

import sandbox
from agents.questions import SYSTEM_DESIGN, Question
from server.http.auth import current_user
from server.http.errors import AppError
from server.http.requests import parse_query, read_json
from server.http.schemas import InterviewType, _In
from server.state import DB, SANDBOX, SESSIONS
from storage.models import CodingQuestion, CodingSubmission
from storage.queries import interviews, questions

routes = web.RouteTableDef()
MAX_CODE_BYTES = 64 * 1024


class QuestionQuery(BaseModel):
    type: InterviewType | None = None  # None: both banks
    difficulty: Literal["easy", "medium", "hard"] | None = None
    tag: str | None = Field(None, max_length=50)


class CodeIn(_In):
    language: Literal["python", "javascript"]
    code: str = Field(min_length=1)
    question_slug: str = Field(min_length=1, max_length=100)


def question_summary(q: CodingQuestion) -> dict[str, Any]:
    return {
        "type": "coding",
        "slug": q.slug,
        "title": q.title,
        "difficulty": q.difficulty,
        "tags": q.tags,
        "companies": q.companies,
    }


def question_detail(q: CodingQuestion) -> dict[str, Any]:
    """What a candidate may see: hidden tests and reference solutions stay on the server."""
    return {
        **question_summary(q),
        "description": q.description,
        "templates": q.templates,
        "hints": q.hints,
        "visible_tests": q.visible_tests,
        "hidden_test_count": len(q.hidden_tests),
    }


def design_summary(q: Question) -> dict[str, Any]:
    return {
        "type": "system_design",
        "slug": q.id,
        "title": q.title,
        "difficulty": q.difficulty,
        "tags": [],
        "companies": list(q.companies),
        "summary": q.text,
    }


def design_detail(q: Question) -> dict[str, Any]:
    return {**design_summary(q), "description": q.text, "topics": list(q.topics)}


def _judged(q: CodingQuestion, tests: list[dict[str, Any]]) -> sandbox.Question:
    return sandbox.Question(
        slug=q.slug,
        entry_point=q.entry_point,
        compare=q.compare,
        tests=[sandbox.TestCase(args=t["args"], expected=t["expected"]) for t in tests],
    )


def verdict_out(verdict: sandbox.Verdict, visible: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-test results; tests past the visible ones are hidden: pass/fail, error kind and the
    parent-measured time and memory only (no input, expected, actual, stdout or stderr)."""
    tests = []
    for result in verdict.tests:
        item: dict[str, Any] = {
            "index": result.index,
            "hidden": result.index >= len(visible),
            "passed": result.passed,
            "time_ms": round(result.time_ms, 2),
            "memory_kb": result.memory_kb,
            "error_kind": result.error_kind,
        }
        if not item["hidden"]:
            item.update(
                args=visible[result.index]["args"],
                expected=result.expected,
                actual=result.actual,
                stdout=result.stdout[-2000:],
                stderr=result.stderr[-2000:],
            )
        tests.append(item)
    return {
        "status": verdict.status,
        "passed": verdict.passed,
        "total": verdict.total,
        "time_ms": round(verdict.max_time_ms, 2),
        "memory_kb": verdict.max_memory_kb,
        "compile_output": verdict.compile_output[-4000:],
        "tests": tests,
    }


async def _judge(
    request: web.Request, body: CodeIn, q: CodingQuestion, tests: list[dict[str, Any]],
    *, redact: bool = False,
) -> sandbox.Verdict:
    if len(body.code.encode()) > MAX_CODE_BYTES:
        raise AppError(400, "invalid", f"code: longer than {MAX_CODE_BYTES // 1024} KB")
    try:
        return await request.app[SANDBOX].judge(body.language, body.code, _judged(q, tests),
                                                redact=redact)
    except sandbox.Busy as exc:
        raise AppError(429, "busy", str(exc), {"Retry-After": "2"}) from None
    except (sandbox.UnsupportedLanguage, sandbox.InvalidRequest) as exc:
        raise AppError(400, "invalid", str(exc)) from None
    except sandbox.BackendUnavailable as exc:
        raise AppError(503, "sandbox_unavailable", str(exc)) from None


@routes.get("/api/questions")
async def list_questions(request: web.Request) -> web.Response:
    await current_user(request)
    query = parse_query(request, QuestionQuery)
    items: list[dict[str, Any]] = []
    if query.type in (None, "system_design") and query.tag is None:
        items += [
            design_summary(q) for q in SYSTEM_DESIGN
            if query.difficulty in (None, q.difficulty)
        ]
    if query.type in (None, "coding"):
        async with request.app[DB]() as s:
            rows = await questions.list_questions(s, difficulty=query.difficulty, tag=query.tag)
        items += [question_summary(q) for q in rows]
    return web.json_response({"items": items})


@routes.get("/api/questions/{slug}")
async def get_question(request: web.Request) -> web.Response:
    await current_user(request)
    slug = request.match_info["slug"]
    design = next((q for q in SYSTEM_DESIGN if q.id == slug), None)
    if design is not None:
        return web.json_response(design_detail(design))
    async with request.app[DB]() as s:
        q = await questions.get_question(s, slug)
    return web.json_response({**question_detail(q), "type": "coding"})


@routes.post("/api/code/execute")
async def execute(request: web.Request) -> web.Response:
    """Run the candidate's code against the visible tests only."""
    await current_user(request)
    body = await read_json(request, CodeIn)
    async with request.app[DB]() as s:
        q = await questions.get_question(s, body.question_slug)
    verdict = await _judge(request, body, q, q.visible_tests)
    return web.json_response(verdict_out(verdict, q.visible_tests))


@routes.post("/api/interviews/{id}/submissions")
async def submit(request: web.Request) -> web.Response:
    """Judge against visible + hidden tests, store the submission, tell the live session."""
    user = await current_user(request)
    body = await read_json(request, CodeIn)
    async with request.app[DB]() as s:
        interview = await interviews.get_interview(s, request.match_info["id"], user.id)
        q = await questions.get_question(s, body.question_slug)
    # Hidden tests run apart: in one run, code could read every test's input and print it
    # into a visible test's output; their own results carry pass/fail and error kind only.
    visible = await _judge(request, body, q, q.visible_tests)
    hidden = await _judge(request, body, q, q.hidden_tests, redact=True)
    out = verdict_out(sandbox.combine(visible, hidden), q.visible_tests)
    async with request.app[DB].begin() as s:
        row = await questions.add_submission(
            s,
            CodingSubmission(
                interview_id=interview.id,
                user_id=user.id,
                question_id=q.id,
                language=body.language,
                code=body.code,
                status=out["status"],
                passed=out["passed"],
                total=out["total"],
                time_ms=out["time_ms"],
                memory_kb=out["memory_kb"],
                results=out["tests"],
            ),
        )
    out = {"id": row.id, "question_slug": q.slug, "language": body.language, **out}
    session = request.app[SESSIONS].live.get(interview.id)
    if session is not None:
        session.send_event({"type": "code.result", **out})
    return web.json_response(out, status=201)
