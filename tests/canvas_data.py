"""Builders for whiteboard tests: real PNG files (PyAV's PNG encoder), Excalidraw-shaped
elements, and `canvas.snapshot` events cut into data-channel chunks."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import av
import numpy as np

CHUNK_CHARS = 60_000


def png_bytes(width: int = 320, height: int = 200, seed: int = 0) -> bytes:
    """A real PNG: a gradient with noise (`seed`), so different seeds give different files."""
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 255, (height, width, 3), dtype=np.uint8)
    ctx = av.CodecContext.create("png", "w")
    ctx.width, ctx.height, ctx.pix_fmt = width, height, "rgb24"
    packets = ctx.encode(av.VideoFrame.from_ndarray(img, format="rgb24"))
    return b"".join(bytes(p) for p in packets)


def decode_png(data: bytes) -> tuple[int, int]:
    """(width, height) of a PNG decoded for real (raises if it does not decode)."""
    ctx = av.CodecContext.create("png", "r")
    frames = ctx.decode(av.Packet(data))
    assert frames, "the PNG decoded to no frame"
    return frames[0].width, frames[0].height


def box(ident: str, label: str, x: int = 0) -> list[dict[str, Any]]:
    return [
        {"id": ident, "type": "rectangle", "x": x, "y": 0, "width": 120, "height": 60,
         "boundElements": [{"type": "text", "id": f"{ident}-t"}]},
        {"id": f"{ident}-t", "type": "text", "text": label, "containerId": ident},
    ]


def arrow(ident: str, start: str | None, end: str | None) -> dict[str, Any]:
    return {"id": ident, "type": "arrow",
            "startBinding": {"elementId": start} if start else None,
            "endBinding": {"elementId": end} if end else None}


def design(*labels: str) -> list[dict[str, Any]]:
    """Boxes in a row, each connected to the next by an arrow."""
    elements: list[dict[str, Any]] = []
    for i, label in enumerate(labels):
        elements += box(f"b{i}", label, x=200 * i)
        if i:
            elements.append(arrow(f"a{i}", f"b{i - 1}", f"b{i}"))
    return elements


def snapshot_event(png: bytes, elements: Any, version: int = 1, **extra: Any) -> dict[str, Any]:
    return {"type": "canvas.snapshot", "version": version,
            "png": base64.b64encode(png).decode(), "elements": elements,
            "app_state": {"viewBackgroundColor": "#ffffff", "scrollX": 0, "scrollY": 0,
                          "openDialog": None}, **extra}


def chunks(event: dict[str, Any] | str, size: int = CHUNK_CHARS) -> list[dict[str, Any]]:
    text = event if isinstance(event, str) else json.dumps(event)
    ident = uuid.uuid4().hex
    pieces = [text[i:i + size] for i in range(0, len(text), size)] or [""]
    return [{"type": "chunk", "id": ident, "seq": i, "total": len(pieces), "data": p}
            for i, p in enumerate(pieces)]
