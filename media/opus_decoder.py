"""Decode Opus straight to the 16 kHz mono PCM the interviewer hears, with libopus itself.

FFmpeg's libopus decoder always decodes at 48 kHz (aiortc asks for stereo), so 16 kHz for the
agent then costs a resample: ~100 µs per 20 ms frame here, decode + swr. libopus decodes at
16 kHz natively (its SILK layer runs at 16 kHz anyway, CELT just synthesises less) in ~45 µs,
and leaves the resampler nothing to do. Bound with ctypes: the copy of libopus that PyAV's wheel
ships, else the system's (Debian `libopus0`); `load_libopus()` is None when neither is found.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import glob
from pathlib import Path

import av

MAX_FRAME_MS = 120  # the longest an Opus packet decodes to


@functools.cache
def load_libopus() -> ctypes.PyDLL | None:
    candidates = sorted(glob.glob(str(Path(av.__file__).parent.parent / "av.libs" / "libopus*")))
    system = ctypes.util.find_library("opus")
    for name in [*candidates, *([system] if system else [])]:
        try:
            # PyDLL keeps the GIL over the ~45 µs call: releasing and retaking it costs more
            # than it frees, and invites a GIL convoy with the recorder's threads.
            lib = ctypes.PyDLL(name)
        except OSError:
            continue
        lib.opus_decoder_create.restype = ctypes.c_void_p
        lib.opus_decoder_create.argtypes = [
            ctypes.c_int32, ctypes.c_int, ctypes.POINTER(ctypes.c_int),
        ]
        lib.opus_decode.restype = ctypes.c_int
        lib.opus_decode.argtypes = [
            ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int32, ctypes.c_void_p, ctypes.c_int,
            ctypes.c_int,
        ]
        lib.opus_decoder_destroy.restype = None
        lib.opus_decoder_destroy.argtypes = [ctypes.c_void_p]
        return lib
    return None


class PcmDecoder:
    """One Opus stream → s16 little-endian PCM at `rate_hz` with `channels` (stereo packets
    are downmixed by libopus). Raises `av.error.InvalidDataError` on a packet it cannot use."""

    def __init__(self, rate_hz: int = 16_000, channels: int = 1) -> None:
        lib = load_libopus()
        if lib is None:
            raise RuntimeError("libopus not found (neither PyAV's copy nor the system's)")
        error = ctypes.c_int()
        state = lib.opus_decoder_create(rate_hz, channels, ctypes.byref(error))
        if not state or error.value != 0:
            raise RuntimeError(f"opus_decoder_create({rate_hz}, {channels}) failed: {error.value}")
        self.rate_hz = rate_hz
        self.channels = channels
        self._lib = lib
        self._state = state
        self._max_samples = rate_hz * MAX_FRAME_MS // 1000
        self._out = ctypes.create_string_buffer(self._max_samples * channels * 2)

    def decode(self, packet: bytes) -> bytes:
        samples = self._lib.opus_decode(
            self._state, packet, len(packet), self._out, self._max_samples, 0
        )
        if samples < 0:
            raise av.error.InvalidDataError(samples, f"opus_decode failed ({samples})")
        return self._out.raw[: samples * self.channels * 2]

    def __del__(self) -> None:
        state, self._state = getattr(self, "_state", None), None
        if state:
            self._lib.opus_decoder_destroy(state)
