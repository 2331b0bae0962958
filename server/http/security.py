"""Browser-facing protections: security headers, same-origin checks on state changes, and who
may read `/metrics`.

Cookies are `SameSite=Lax`, which stops cross-site POSTs carrying the session in modern
browsers; the Origin check (and `application/json` on JSON routes, see `requests.read_json`)
also stops what Lax lets through: a cross-site form logging a victim into another account, or
older browsers.
"""

from __future__ import annotations

import hmac
import ipaddress
from urllib.parse import urlsplit

from aiohttp import web, web_response

from server.config import Settings
from server.http.errors import AppError, Handler
from server.live.ice import is_loopback
from server.state import SETTINGS

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SERVER_NAME = "interview-agent"


def content_security_policy(settings: Settings) -> str:
    """For the Vite bundle (no inline scripts); Excalidraw's inline styles, blob:/data: images
    and fonts; Monaco's blob: web workers and WebAssembly; recordings from S3 if configured."""
    media = "'self' blob:"
    if settings.s3_endpoint:
        parts = urlsplit(settings.s3_endpoint)
        scheme = parts.scheme or ("https" if settings.s3_secure else "http")
        media += f" {scheme}://{parts.netloc or parts.path}"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' 'wasm-unsafe-eval'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' blob: data:",
            "font-src 'self' data:",
            f"media-src {media}",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def install(app: web.Application) -> None:
    """Add the headers to every response, errors and files included."""
    # aiohttp's own protocol-level errors (a 400 for a malformed request, before any app code)
    # take their Server header from this module global, with Python's and aiohttp's versions.
    web_response.SERVER_SOFTWARE = SERVER_NAME  # type: ignore[attr-defined]
    headers = {
        "Content-Security-Policy": content_security_policy(app[SETTINGS]),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(self), microphone=(self), geolocation=()",
        "Server": SERVER_NAME,
    }

    async def add_headers(_request: web.Request, response: web.StreamResponse) -> None:
        response.headers.update(headers)

    app.on_response_prepare.append(add_headers)


def _same_origin(request: web.Request, origin: str) -> bool:
    if origin in request.app[SETTINGS].allowed_origins:
        return True
    parts = urlsplit(origin)
    return bool(parts.netloc) and parts.netloc.lower() == request.host.lower()


def _host_allowed(request: web.Request) -> bool:
    """A server on loopback answers only loopback names: a DNS-rebinding page (evil.example
    resolving to 127.0.0.1) cannot script it as its own origin."""
    settings = request.app[SETTINGS]
    if not is_loopback(settings.host) or "Host" not in request.headers:
        return True  # browsers always send Host; HTTP/1.0 probes may not
    name = urlsplit(f"//{request.host}").hostname or ""
    allowed = {urlsplit(o).hostname for o in settings.allowed_origins}
    return is_loopback(name) or name in allowed


@web.middleware
async def origin_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """State-changing API requests from a browser must come from our own pages (403)."""
    if not _host_allowed(request):
        raise AppError(421, "bad_host", "this server answers only to its loopback name")
    if request.method in STATE_CHANGING and request.path.startswith("/api/"):
        origin = request.headers.get("Origin")
        if origin is not None and not _same_origin(request, origin):
            raise AppError(403, "bad_origin", f"requests from origin {origin!r} are not allowed")
        if request.headers.get("Sec-Fetch-Site") == "cross-site" and origin is None:
            raise AppError(403, "bad_origin", "cross-site requests are not allowed")
    return await handler(request)


def may_read_metrics(request: web.Request) -> bool:
    """With METRICS_TOKEN set, a matching bearer token; without, a direct loopback peer only
    (a request relayed by a proxy on this host carries Forwarded / X-Forwarded-For)."""
    token = request.app[SETTINGS].metrics_token.get_secret_value()
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    if "Forwarded" in request.headers or "X-Forwarded-For" in request.headers:
        return False
    try:
        return ipaddress.ip_address(request.remote or "").is_loopback
    except ValueError:
        return False
