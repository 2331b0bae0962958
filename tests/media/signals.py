"""Measures for mixed recordings: how loud a tone is in a stretch, where a source sits."""

from __future__ import annotations

import numpy as np


def chirp(f0_hz: float, f1_hz: float, seconds: float, rate_hz: int, amplitude: float = 0.4
          ) -> np.ndarray:
    """A rising sweep: unlike a sine, it matches itself at one lag only (for cross-correlation)."""
    t = np.arange(round(seconds * rate_hz)) / rate_hz
    phase = 2 * np.pi * (f0_hz * t + (f1_hz - f0_hz) * t * t / (2 * seconds))
    return (np.sin(phase) * amplitude * 32767).astype(np.int16)


def tone_level(pcm: np.ndarray, freq_hz: float, start_s: float, end_s: float,
               rate_hz: int = 48_000) -> float:
    """Amplitude (0..1 of full scale) of `freq_hz` in pcm[start_s:end_s]."""
    x = pcm[round(start_s * rate_hz): round(end_s * rate_hz)].astype(np.float64) / 32768
    t = np.arange(len(x)) / rate_hz
    return float(2 * abs(np.sum(x * np.exp(-2j * np.pi * freq_hz * t))) / max(1, len(x)))


def rms(pcm: np.ndarray, start_s: float, end_s: float, rate_hz: int = 48_000) -> float:
    x = pcm[round(start_s * rate_hz): round(end_s * rate_hz)].astype(np.float64) / 32768
    return float(np.sqrt(np.mean(x * x))) if len(x) else 0.0


def best_lag(reference: np.ndarray, pcm: np.ndarray, rate_hz: int = 48_000
             ) -> tuple[float, float]:
    """(seconds into `pcm` where `reference` fits best, normalised correlation there).

    Negative when `pcm` starts inside the reference (a few ms of codec delay either way).
    """
    ref = reference.astype(np.float64)
    sig = pcm.astype(np.float64)
    n = 1 << int(np.ceil(np.log2(len(sig) + len(ref))))
    corr = np.fft.irfft(np.fft.rfft(sig, n) * np.conj(np.fft.rfft(ref, n)), n)
    lags = np.concatenate([np.arange(len(sig)), np.arange(-len(ref) + 1, 0)])
    values = np.concatenate([corr[: len(sig)], corr[n - len(ref) + 1 :]])
    best = int(np.argmax(values))
    lag = int(lags[best])
    a = sig[max(0, lag) : max(0, lag) + len(ref)]
    b = ref[max(0, -lag) : max(0, -lag) + len(a)]
    a = a[: len(b)]
    norm = np.sqrt(np.sum(a * a) * np.sum(b * b)) or 1.0
    return lag / rate_hz, float(values[best] / norm)
