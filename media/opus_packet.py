"""Just enough of the Opus TOC byte (RFC 6716 §3.1) to time and lay out kept packets.

Recording keeps the browser's Opus packets when it can, so the Ogg muxer needs each packet's
duration and the stream's channel count without decoding anything.
"""

from __future__ import annotations

# A 20 ms CELT frame that decodes to silence (TOC 0xf8 = CELT fullband 20 ms, mono, 1 frame):
# fills the holes that lost packets leave, without an encoder.
SILENCE_20MS = b"\xf8\xff\xfe"
SILENCE_SAMPLES = 960

_FRAME_SAMPLES_48K = (
    [480, 960, 1920, 2880] * 3  # SILK NB/MB/WB: 10, 20, 40, 60 ms
    + [480, 960] * 2  # Hybrid SWB/FB: 10, 20 ms
    + [120, 240, 480, 960] * 4  # CELT NB/WB/SWB/FB: 2.5, 5, 10, 20 ms
)


def packet_samples(packet: bytes | bytearray | memoryview) -> int | None:
    """Samples at 48 kHz that `packet` decodes to; None if it is malformed."""
    if not packet:
        return None
    toc = packet[0]
    code = toc & 0x3
    if code == 0:
        frames = 1
    elif code in (1, 2):
        frames = 2
    elif len(packet) < 2:
        return None
    else:
        frames = packet[1] & 0x3F
    samples = frames * _FRAME_SAMPLES_48K[toc >> 3]
    return samples if 0 < samples <= 5760 else None  # at most 120 ms per packet


def is_stereo(packet: bytes | bytearray | memoryview) -> bool:
    return bool(packet) and bool(packet[0] & 0x4)
