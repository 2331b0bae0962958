"""`check_snapshot` at its bounds: what a stored snapshot must be."""

from __future__ import annotations

import base64
import hashlib
import struct
import zlib

import pytest

from server.live.canvas_check import (
    MAX_ELEMENTS,
    MAX_PNG_BYTES,
    MAX_SIDE_PX,
    SnapshotRefused,
    check_snapshot,
    png_size,
)
from tests.canvas_data import design, png_bytes, snapshot_event


def ihdr_png(width: int, height: int, body: int = 0) -> bytes:
    head = struct.pack(">II", width, height) + bytes([8, 2, 0, 0, 0])
    chunk = struct.pack(">I", 13) + b"IHDR" + head + struct.pack(">I", zlib.crc32(b"IHDR" + head))
    return b"\x89PNG\r\n\x1a\n" + chunk + bytes(body)


def test_a_real_png_passes_with_its_size_and_hashes() -> None:
    png = png_bytes(321, 123, seed=4)
    checked = check_snapshot(snapshot_event(png, design("A", "B"), version=3))
    assert (checked.width, checked.height, checked.version) == (321, 123, 3)
    assert checked.sha256 == hashlib.sha256(png).hexdigest()
    assert checked.app_state == {"viewBackgroundColor": "#ffffff", "scrollX": 0, "scrollY": 0}
    same_scene = check_snapshot(snapshot_event(png_bytes(seed=5), design("A", "B")))
    assert same_scene.scene_hash == checked.scene_hash


def test_deleted_elements_are_dropped() -> None:
    elements = design("A") + [{"id": "gone", "type": "rectangle", "isDeleted": True}]
    assert [e["id"] for e in check_snapshot(snapshot_event(png_bytes(), elements)).elements] == [
        "b0", "b0-t"]


def test_sides_at_and_over_the_bound() -> None:
    assert png_size(ihdr_png(MAX_SIDE_PX, MAX_SIDE_PX)) == (MAX_SIDE_PX, MAX_SIDE_PX)
    for w, h in ((MAX_SIDE_PX + 1, 10), (10, MAX_SIDE_PX + 1), (0, 10)):
        with pytest.raises(SnapshotRefused, match="each side"):
            png_size(ihdr_png(w, h))


def test_size_at_and_over_the_cap() -> None:
    at_cap = ihdr_png(100, 100, MAX_PNG_BYTES - 33)
    assert len(at_cap) == MAX_PNG_BYTES
    assert check_snapshot(snapshot_event(at_cap, [])).width == 100
    with pytest.raises(SnapshotRefused) as err:
        check_snapshot(snapshot_event(at_cap + b"x", []))
    assert err.value.code == "too_large"


@pytest.mark.parametrize("event, code", [
    ({"png": base64.b64encode(b"GIF89a....").decode(), "elements": []}, "bad_png"),
    ({"png": base64.b64encode(b"\x89PNG\r\n\x1a\n").decode(), "elements": []}, "bad_png"),
    ({"png": "not base64!", "elements": []}, "bad_png"),
    ({"elements": []}, "invalid"),
    ({"png": base64.b64encode(ihdr_png(5, 5)).decode(), "elements": {}}, "invalid"),
    ({"png": base64.b64encode(ihdr_png(5, 5)).decode(), "elements": ["x"]}, "invalid"),
    ({"png": base64.b64encode(ihdr_png(5, 5)).decode(), "elements": [{}] * (MAX_ELEMENTS + 1)},
     "too_large"),
    ({"png": base64.b64encode(ihdr_png(5, 5)).decode(), "elements": [], "app_state": []},
     "invalid"),
    ({"png": base64.b64encode(ihdr_png(5, 5)).decode(), "elements": [], "version": "2"},
     "invalid"),
])
def test_bad_snapshots_name_the_problem(event: dict, code: str) -> None:
    with pytest.raises(SnapshotRefused) as err:
        check_snapshot({"type": "canvas.snapshot", **event})
    assert err.value.code == code


def test_corrupt_header_crc_is_refused() -> None:
    png = bytearray(ihdr_png(10, 10))
    png[17] ^= 1
    with pytest.raises(SnapshotRefused, match="CRC"):
        png_size(bytes(png))
