"""Who may use the offline Live server, and what it leaves behind in the temp dir.

The key check is where Gemini does it: google-genai puts the API key in the
`x-goog-api-key` header of the websocket upgrade (and Gemini also accepts `?key=`), so a
client needs no change beyond using the server's per-start secret as its key. Refusals are
plain HTTP answers before the upgrade (401 without a key, 403 with a wrong one), which the
SDK surfaces as a failed connect carrying the status.
"""

from __future__ import annotations

import contextlib
import hmac
import logging
import os
import re
import shutil
import time
from pathlib import Path

from aiohttp import web

log = logging.getLogger(__name__)

LEGACY_MAX_AGE_S = 24 * 3600  # dirs without a pid in their name: cleaned once a day old


class KeyCheck:
    def __init__(self, secret: str) -> None:
        self._secret = secret.encode()

    def check(self, request: web.Request) -> web.HTTPException | None:
        """None when the request carries the secret, else the HTTP error to answer with."""
        given = request.headers.get("x-goog-api-key") or request.query.get("key")
        if not given:
            return web.HTTPUnauthorized(
                text="offline Live API: an API key is required (x-goog-api-key or ?key=)\n")
        if not self._secret or not hmac.compare_digest(given.encode(), self._secret):
            return web.HTTPForbidden(text="offline Live API: API key not valid\n")
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale_dirs(tmp: Path, prefix: str, *, now: float | None = None) -> list[Path]:
    """Remove `<prefix><pid>-*` dirs of processes that are gone (and legacy `<prefix>*` dirs
    older than a day) that this user owns; returns what was removed. A crashed or killed app
    never ran its cleanup, so its certificate and key would otherwise stay in /tmp forever."""
    now = time.time() if now is None else now
    pattern = re.compile(rf"^{re.escape(prefix)}(?:(\d+)-)?[^/]+$")
    removed: list[Path] = []
    entries: list[Path] = []
    with contextlib.suppress(OSError):
        entries = list(tmp.iterdir())
    for entry in entries:
        match = pattern.match(entry.name)
        if match is None:
            continue
        try:
            st = entry.lstat()
        except OSError:
            continue
        if not entry.is_dir() or entry.is_symlink() or st.st_uid != os.getuid():
            continue
        pid = match.group(1)
        if pid is not None:
            stale = int(pid) != os.getpid() and not _alive(int(pid))
        else:
            stale = now - st.st_mtime > LEGACY_MAX_AGE_S
        if stale:
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    if removed:
        log.info("removed %d stale offline Live server dirs", len(removed))
    return removed
