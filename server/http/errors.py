"""One shape for every error a client sees: `{"error": {"code", "message"}}`.

Packages raise their own named errors; this module maps them to HTTP statuses.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

import storage

log = logging.getLogger(__name__)


class AppError(Exception):
    """An error meant for the client, with its HTTP status and a stable code."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def bad_request(message: str, code: str = "invalid") -> AppError:
    return AppError(400, code, message)


def json_error(status: int, code: str, message: str, headers: dict | None = None) -> web.Response:
    return web.json_response(
        {"error": {"code": code, "message": message}}, status=status, headers=headers
    )


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    416: "range_not_satisfiable",
    421: "misdirected_request",
    429: "rate_limited",
}


# Storage's errors as HTTP answers, most specific first.
_STORAGE_ERRORS: tuple[tuple[type[storage.StorageError], int, str], ...] = (
    (storage.NotFound, 404, "not_found"),
    (storage.IllegalTransition, 409, "illegal_transition"),
    (storage.ReadOnly, 409, "read_only"),
    (storage.LimitExceeded, 400, "limit_exceeded"),
    (storage.Conflict, 409, "conflict"),
    (storage.InvalidKey, 400, "invalid_key"),
    (storage.ObjectStoreUnavailable, 503, "object_store_unavailable"),
)


def _from_storage(exc: storage.StorageError) -> tuple[int, str]:
    for kind, status, code in _STORAGE_ERRORS:
        if isinstance(exc, kind):
            return status, code
    return 500, "storage_error"


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except AppError as exc:
        return json_error(exc.status, exc.code, exc.message, exc.headers)
    except storage.StorageError as exc:
        status, code = _from_storage(exc)
        return json_error(status, code, str(exc))
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code = _HTTP_CODES.get(exc.status, "http_error")
        headers = {k: v for k, v in exc.headers.items() if k in ("Allow", "Retry-After")}
        return json_error(exc.status, code, exc.reason, headers)
    except Exception:
        log.exception("unhandled error", extra={"path": request.path, "method": request.method})
        return json_error(500, "internal", "internal server error")
