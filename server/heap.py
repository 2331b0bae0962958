"""The server process's long-lived heap: import at start-up what first use would import, then
take all of it out of the garbage collector's passes.

Why: a full (generation-2) collection walks every tracked object and stops every thread,
the event loop that paces each session's audio included. Start-up leaves ~250k of them
(modules, classes, pydantic schemas, SQLAlchemy's metadata); walking those took 90-160 ms
on the 2-core machine (measured: `evals.bench_feedback` without this, its first run after
warm-up). `gc.freeze()` moves them to a generation no pass walks.

But the first feedback imported 120-150 more modules after the freeze (the offline judge and
server, snowballstemmer, httpx's transport: httpcore, h11, anyio; google-auth's async
credentials, cryptography's OpenSSL backend): ~18k long-lived objects that every later full
pass walks (the `Reclaimer`'s after each ended call included): 28k tracked objects instead
of 10.6k, 3.6 ms a pass instead of 1.0 ms at best (measured after two feedbacks). So they are
imported here, before the freeze, on a worker thread (~0.15 s, +6 MB; the loop's start-up
tasks keep running).
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import sys

from server import metrics

# Imported lazily on the feedback path (and the offline interviewer's), by us or by libraries.
LAZY_IMPORTS = (
    "agents.offline",  # the offline Live/generateContent server (both model paths)
    "agents.feedback.scoring",  # the offline judge (snowballstemmer with every language)
    "google.auth.aio.credentials",  # google-genai's async client, at its first request
    "httpcore._backends.anyio",  # httpx's transport, at the client's first connection
    "anyio._backends._asyncio",
    "anyio.streams.tls",
    "cryptography.hazmat.backends.openssl.backend",  # the offline server's TLS certificate
)

# A collection every 10,000 net new container objects instead of 700: nearly all of the media
# path's objects die by reference counting, so at 20 live calls this means no collection at all
# over 30 s instead of ~3 a second (and a full one every ~30 s, 10-50 ms with the loop stopped).
GC_THRESHOLDS = (10_000, 10, 10)


def preload() -> int:
    """Import `LAZY_IMPORTS`; returns how many modules that added."""
    before = len(sys.modules)
    for name in LAZY_IMPORTS:
        importlib.import_module(name)
    return len(sys.modules) - before


async def settle() -> None:
    """Once, at the end of start-up (before the first request): preload, collect start-up's
    garbage (so it is not frozen for good), freeze what is left, collect less often."""
    await asyncio.to_thread(preload)
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    metrics.time_gc_pauses()
    # Worker threads (recorder writes, uploads) must hand the GIL back to the event loop
    # within 1 ms, not the default 5: the loop paces every session's audio.
    sys.setswitchinterval(0.001)
