"""`python -m server --host H --port P --data-dir D`: run the server."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from aiohttp import web

from server import metrics, patches
from server.config import ConfigError, load_settings
from server.http.app import create_app
from server.http.serve import serve
from server.logs import setup_logging

# A collection every 10,000 net new container objects instead of 700: nearly all of the media
# path's objects die by reference counting, so at 20 live calls this means no collection at all
# over 30 s instead of ~3 a second (and a full one every ~30 s, 10-50 ms with the loop stopped).
GC_THRESHOLDS = (10_000, 10, 10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server", description=__doc__)
    parser.add_argument("--host", help="listen address (default 127.0.0.1, env HOST)")
    parser.add_argument("--port", type=int, help="listen port (default 8080, env PORT)")
    parser.add_argument("--data-dir", type=Path, help="SQLite file, objects, secret key")
    args = parser.parse_args(argv)
    try:
        settings = load_settings(host=args.host, port=args.port, data_dir=args.data_dir)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    try:
        patches.install(settings)
    except patches.UntestedVersion as exc:
        print(f"dependency error: {exc}", file=sys.stderr)
        return 2
    setup_logging(settings.log_level, settings.log_format)
    app = create_app(settings)
    url = f"http://{settings.host}:{settings.port}"

    async def announce(_app: web.Application) -> None:
        logging.getLogger("server").info("listening", extra={"url": url})
        print(f"Interview Agent is running at {url}", flush=True)
        # Everything loaded so far lives as long as the process: leave it out of the garbage
        # collector's full passes, which otherwise walk ~150 MB of it and stall the event loop
        # (and every session's audio) for tens of milliseconds; and collect less often.
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)
        metrics.time_gc_pauses()
        # Worker threads (recorder writes, uploads) must hand the GIL back to the event loop
        # within 1 ms, not the default 5: the loop paces every session's audio.
        sys.setswitchinterval(0.001)

    app.on_startup.append(announce)
    with asyncio.Runner(loop_factory=loop_factory(settings.event_loop)) as runner:
        runner.run(serve(app, settings))
    return 0


def loop_factory(name: str) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """`EVENT_LOOP`: uvloop's libuv loop, or None for the standard library's."""
    if name == "uvloop":
        import uvloop  # only when chosen: `EVENT_LOOP=asyncio` runs without it installed

        return uvloop.new_event_loop
    return None


if __name__ == "__main__":
    sys.exit(main())
