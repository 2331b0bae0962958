"""Prometheus metrics of the real-time path, observed on the hot path (one `observe` each).

The load harness (`evals/load.py`) reads the same names from `/metrics`.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

_FRAME_BUCKETS = (0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.075, 0.1, 0.2, 0.5, 1.0)

LIVE_SESSIONS = Gauge("ia_live_sessions", "Connected interview sessions in this process")
SESSIONS_ENDED = Counter("ia_sessions_ended_total", "Sessions ended, by reason", ["reason"])
INBOUND_GAP = Histogram(
    "ia_inbound_frame_gap_seconds",
    "Time between consecutive inbound audio frames at the fan-out",
    buckets=_FRAME_BUCKETS,
)
INBOUND_LATENESS = Histogram(
    "ia_inbound_lateness_seconds",
    "How far behind its media time an inbound audio frame reaches the fan-out",
    buckets=_FRAME_BUCKETS,
)
OUTBOUND_INTERVAL = Histogram(
    "ia_outbound_frame_interval_seconds",
    "Time between consecutive outbound (agent) audio frames handed to the encoder",
    buckets=_FRAME_BUCKETS,
)
PCM_TO_AGENT = Histogram(
    "ia_pcm_to_agent_seconds",
    "From an inbound audio frame's push into the 16 kHz resampler to the agent taking the chunk",
    buckets=(0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.01, 0.02, 0.05, 0.1),
)
SEGMENTS_UPLOADED = Counter("ia_segments_uploaded_total", "Recording segments stored")
STORE_RETRIES = Counter("ia_object_store_retries_total", "Uploads retried: store unavailable")
