"""Reading and exporting an interview's transcript (roadmap §2)."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel

from server.http.auth import current_user
from server.http.requests import parse_query
from server.state import DB, OBJECTS
from storage.models import Interview, Transcription
from storage.queries import interviews, transcripts

routes = web.RouteTableDef()


class ExportQuery(BaseModel):
    format: Literal["txt", "json"] = "txt"


def row_out(row: Transcription) -> dict[str, Any]:
    return {
        "seq": row.seq,
        "speaker": row.speaker,
        "text": row.text,
        "is_final": row.is_final,
        "timestamp": row.timestamp.isoformat(),
    }


def _json(body: dict[str, Any], indent: int | None = None) -> str:
    """`body` with its "items" rows as JSON objects (run in a thread: thousands of rows)."""
    return json.dumps({**body, "items": [row_out(r) for r in body["items"]]}, indent=indent)


def as_text(interview: Interview, rows: list[Transcription]) -> str:
    head = (
        f"Interview {interview.id}: {interview.type.replace('_', ' ')}, {interview.role} "
        f"({interview.level}), {interview.company.replace('_', ' ')}\n"
    )
    if interview.question_text:
        head += f"Question: {interview.question_text}\n"
    lines = [
        f"[{r.timestamp.strftime('%H:%M:%S')}] {r.speaker.capitalize()}: {r.text}" for r in rows
    ]
    return head + "\n" + "\n".join(lines) + "\n"


async def _load(request: web.Request) -> tuple[Interview, list[Transcription]]:
    user = await current_user(request)
    async with request.app[DB]() as s:
        row = await interviews.get_interview(s, request.match_info["id"], user.id)
        return row, await transcripts.list_rows(s, row.id)


@routes.get("/api/interviews/{id}/transcriptions")
async def list_transcriptions(request: web.Request) -> web.Response:
    _, rows = await _load(request)
    body = await asyncio.to_thread(_json, {"items": rows})
    return web.Response(text=body, content_type="application/json")


@routes.get("/api/interviews/{id}/transcript")
async def export(request: web.Request) -> web.Response:
    """The transcript as a file; the text form is also kept in the object store."""
    query = parse_query(request, ExportQuery)
    interview, rows = await _load(request)
    # A long interview has thousands of rows: format them off the event loop.
    text = await asyncio.to_thread(as_text, interview, rows)
    key = f"interviews/{interview.id}/transcript.txt"
    await request.app[OBJECTS].put_bytes(key, text.encode(), "text/plain; charset=utf-8")
    if interview.transcript_key != key:
        async with request.app[DB].begin() as s:
            await interviews.record_transcript_key(s, interview.id, key)
    name = f"interview-{interview.id}-transcript.{query.format}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if query.format == "json":
        encoded = await asyncio.to_thread(
            _json, {"interview_id": interview.id, "items": rows}, indent=2
        )
        return web.Response(text=encoded, content_type="application/json", headers=headers)
    return web.Response(text=text, content_type="text/plain", headers=headers)
