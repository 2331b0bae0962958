"""Just enough of the VP8 frame header (RFC 6386 §9.1) to tag keyframes and size a WebM track.

Recording passes VP8 through untouched, so this byte-peek is the only "parsing" of video we do.
"""

from __future__ import annotations

_START_CODE = b"\x9d\x01\x2a"


def is_keyframe(frame: bytes | bytearray | memoryview) -> bool:
    """True if `frame` (one whole VP8 frame) is a keyframe: frame-type bit 0 and the start code."""
    return len(frame) >= 10 and not frame[0] & 1 and bytes(frame[3:6]) == _START_CODE


def keyframe_size(frame: bytes | bytearray | memoryview) -> tuple[int, int] | None:
    """(width, height) of a VP8 keyframe, None for an inter frame (which carries no size)."""
    if not is_keyframe(frame):
        return None
    width = int.from_bytes(frame[6:8], "little") & 0x3FFF  # top 2 bits are the scaling mode
    height = int.from_bytes(frame[8:10], "little") & 0x3FFF
    return width, height
