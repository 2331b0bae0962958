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
from storage.queries import code as code_queries
from storage.queries import interviews, questions

routes = web.RouteTableDef()
MAX_CODE_BYTES = 64 * 1024


class QuestionQuery(BaseModel):
    type: InterviewType | None = None  # None: both banks
    difficulty: Literal["easy", "medium", "hard"] | None = None
    tag: str | None = Field(None, max_length=50)


class CodeIn(_In):
    language: Literal["python", "javascript", "java"]  # storage.vocabulary.CODE_LANGUAGES
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


async def _tell_session(
    request: web.Request, interview_id: str, kind: str, body: CodeIn, out: dict[str, Any]
) -> None:
    """The live call (if any) snapshots the code, shows the result and tells the interviewer;
    without one the snapshot is stored here."""
    session = request.app[SESSIONS].live.get(interview_id)
    if session is not None:
        session.send_event({"type": "code.result", "kind": kind, **out})
        await session.code.on_result(kind, body.language, body.code, body.question_slug, out)
        return
    async with request.app[DB].begin() as s:
        await code_queries.add_snapshot(
            s, interview_id, reason=kind, language=body.language, code=body.code,
            question_slug=body.question_slug,
        )


async def _code_for_question(
    request: web.Request,
) -> tuple[Any, CodeIn, Any, CodingQuestion]:
    """The caller, their code, their interview (404 for anyone else's) and its question."""
    user = await current_user(request)
    body = await read_json(request, CodeIn)
    async with request.app[DB]() as s:
        interview = await interviews.get_interview(s, request.match_info["id"], user.id)
        q = await questions.get_question(s, body.question_slug)
    return user, body, interview, q


@routes.post("/api/interviews/{id}/runs")
async def run_visible(request: web.Request) -> web.Response:
    """Run the interview's code against the visible tests; the interviewer hears the result."""
    _, body, interview, q = await _code_for_question(request)
    verdict = await _judge(request, body, q, q.visible_tests)
    out = {"question_slug": q.slug, "language": body.language}
    out |= verdict_out(verdict, q.visible_tests)
    await _tell_session(request, interview.id, "run", body, out)
    return web.json_response(out)


@routes.get("/api/interviews/{id}/code")
async def latest_code(request: web.Request) -> web.Response:
    """The candidate's latest code: the live call's, else the newest stored snapshot."""
    user = await current_user(request)
    async with request.app[DB]() as s:
        interview = await interviews.get_interview(s, request.match_info["id"], user.id)
        session = request.app[SESSIONS].live.get(interview.id)
        current = session.code.current() if session is not None else None
        if current is None:
            row = await code_queries.latest_snapshot(s, interview.id)
            if row is not None:
                current = {"language": row.language, "code": row.code,
                           "question_slug": row.question_slug}
    best = ((interview.metadata_ or {}).get("code") or {}).get("best")
    if current is None:
        return web.json_response({"code": None, "language": None, "best": best})
    return web.json_response({
        "code": current["code"], "language": current["language"],
        "question_slug": current["question_slug"], "best": best,
    })


@routes.post("/api/interviews/{id}/submissions")
async def submit(request: web.Request) -> web.Response:
    """Judge against visible + hidden tests, store the submission, tell the live session."""
    user, body, interview, q = await _code_for_question(request)
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
        summary = {k: out[k] for k in ("id", "question_slug", "language", "status", "passed",
                                       "total", "time_ms")}
        await code_queries.record_submission_result(s, interview.id, summary)
    await _tell_session(request, interview.id, "submit", body, out)
    return web.json_response(out, status=201)
