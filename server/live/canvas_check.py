"""Checking a `canvas.snapshot` event before anything is stored.

Pure and synchronous, so it runs on a worker thread (`asyncio.to_thread`): base64-decoding a
400 KB PNG and hashing it and the elements costs a few ms, which the event loop (pacing
audio every 20 ms) must not pay.

What a snapshot must be: `png` base64 of a real PNG (signature, a well-formed IHDR with its
CRC, sides within `MAX_SIDE_PX`, at most `MAX_PNG_BYTES`), `elements` a JSON list of objects
(at most `MAX_ELEMENTS`), `app_state` an object or absent (only the keys a reload needs are
kept), `version` an int or absent.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import struct
import zlib
from dataclasses import dataclass
from typing import Any

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_PNG_BYTES = 4 * 1024 * 1024
MAX_SIDE_PX = 4096
MAX_ELEMENTS = 5000
APP_STATE_KEYS = ("viewBackgroundColor", "scrollX", "scrollY", "zoom", "gridSize", "theme")


class SnapshotRefused(Exception):
    """The snapshot cannot be stored; `code` and the message go back to the client."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class CheckedSnapshot:
    png: bytes
    width: int
    height: int
    sha256: str
    elements: list[dict[str, Any]]
    scene_hash: str  # identical scenes (same elements) hash the same
    app_state: dict[str, Any] | None
    version: int | None


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from the IHDR chunk of a PNG; raises `SnapshotRefused` if it is not one."""
    if not data.startswith(PNG_SIGNATURE):
        raise SnapshotRefused("bad_png", "png is not a PNG image (wrong signature)")
    if len(data) < 33:
        raise SnapshotRefused("bad_png", "png is truncated before its IHDR header")
    length, kind = struct.unpack(">I4s", data[8:16])
    if kind != b"IHDR" or length != 13:
        raise SnapshotRefused("bad_png", "png does not start with an IHDR header")
    (crc,) = struct.unpack(">I", data[29:33])
    if zlib.crc32(data[12:29]) != crc:
        raise SnapshotRefused("bad_png", "png header is corrupt (IHDR CRC mismatch)")
    width, height = struct.unpack(">II", data[16:24])
    if not (0 < width <= MAX_SIDE_PX and 0 < height <= MAX_SIDE_PX):
        raise SnapshotRefused(
            "bad_png", f"png is {width}x{height}; each side must be 1..{MAX_SIDE_PX} px"
        )
    return width, height


def check_snapshot(event: dict[str, Any]) -> CheckedSnapshot:
    png_b64 = event.get("png")
    if not isinstance(png_b64, str) or not png_b64:
        raise SnapshotRefused("invalid", 'canvas.snapshot needs "png": base64 PNG text')
    if len(png_b64) > (MAX_PNG_BYTES * 4) // 3 + 4:
        raise SnapshotRefused("too_large", f"png over {MAX_PNG_BYTES // (1024 * 1024)} MiB")
    if png_b64.startswith("data:"):
        png_b64 = png_b64.partition(",")[2]
    try:
        png = base64.b64decode(png_b64, validate=True)
    except (binascii.Error, ValueError):
        raise SnapshotRefused("bad_png", "png is not valid base64") from None
    if len(png) > MAX_PNG_BYTES:
        raise SnapshotRefused("too_large", f"png over {MAX_PNG_BYTES // (1024 * 1024)} MiB")
    width, height = png_size(png)

    elements = event.get("elements")
    if not isinstance(elements, list):
        raise SnapshotRefused("invalid", '"elements" must be a JSON list of Excalidraw elements')
    if len(elements) > MAX_ELEMENTS:
        raise SnapshotRefused("too_large", f"more than {MAX_ELEMENTS} elements")
    if not all(isinstance(e, dict) for e in elements):
        raise SnapshotRefused("invalid", '"elements" must hold only JSON objects')
    live = [e for e in elements if not e.get("isDeleted")]

    app_state = event.get("app_state")
    if app_state is not None and not isinstance(app_state, dict):
        raise SnapshotRefused("invalid", '"app_state" must be a JSON object')
    kept = {k: app_state[k] for k in APP_STATE_KEYS if k in app_state} if app_state else None

    version = event.get("version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise SnapshotRefused("invalid", '"version" must be an integer')

    scene = json.dumps(live, sort_keys=True, separators=(",", ":")).encode()
    return CheckedSnapshot(
        png=png,
        width=width,
        height=height,
        sha256=hashlib.sha256(png).hexdigest(),
        elements=live,
        scene_hash=hashlib.sha256(scene).hexdigest(),
        app_state=kept,
        version=version,
    )
