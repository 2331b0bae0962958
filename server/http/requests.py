"""Request parsing: JSON bodies into pydantic models, with errors that name the field."""

from __future__ import annotations

import asyncio
import json
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from server.http.errors import AppError
from server.state import SETTINGS

M = TypeVar("M", bound=BaseModel)
# Bodies above this are parsed in a worker thread (about 1 ms of parsing on the loop).
INLINE_PARSE_BYTES = 64 * 1024


def describe(exc: ValidationError) -> str:
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"]) or "body"
    return f"{field}: {err['msg']}"


def _loads(raw: bytes) -> Any:
    try:
        return json.loads(raw or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise AppError(400, "bad_json", f"request body is not valid JSON: {exc}") from None
    except ValueError:  # an integer of more than 4,300 digits
        raise AppError(400, "bad_json", "request body has a number too long to read") from None
    except RecursionError:
        raise AppError(400, "bad_json", "request body is nested too deeply") from None


async def read_body(request: web.Request) -> bytes:
    """The whole body, or 408 if the client takes longer than HTTP_BODY_TIMEOUT_S to send it.

    A declared length over the limit is refused at once (413), before waiting for any of it."""
    limit = request.app[SETTINGS].max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        raise AppError(413, "payload_too_large", f"request body is larger than {limit} bytes")
    try:
        async with asyncio.timeout(request.app[SETTINGS].http_body_timeout_s):
            return await request.read()
    except TimeoutError:
        raise AppError(408, "request_timeout", "the request body arrived too slowly") from None


async def read_json(request: web.Request, model: type[M]) -> M:
    """Only `application/json` is accepted (415): a cross-site HTML form cannot send it."""
    if request.content_type != "application/json":
        raise AppError(
            415, "unsupported_media_type", "send the body as Content-Type: application/json"
        )
    raw = await read_body(request)
    data = _loads(raw) if len(raw) <= INLINE_PARSE_BYTES else await asyncio.to_thread(_loads, raw)
    if not isinstance(data, dict):
        raise AppError(400, "bad_json", "request body must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise AppError(400, "invalid", describe(exc)) from None


def parse_query(request: web.Request, model: type[M]) -> M:
    try:
        return model.model_validate(dict(request.query))
    except ValidationError as exc:
        raise AppError(400, "invalid", describe(exc)) from None
