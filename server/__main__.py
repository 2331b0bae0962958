"""`python -m server --host H --port P --data-dir D`: run the server."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from aiohttp import web

from server import heap, patches
from server.config import ConfigError, load_settings
from server.http.app import create_app
from server.http.serve import serve
from server.logs import setup_logging


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
        # Everything loaded by now (and what a first feedback or call would import) lives as
        # long as the process: out of the collector's full passes, which would otherwise walk
        # it with the event loop stopped (server/heap.py).
        await heap.settle()
        logging.getLogger("server").info("listening", extra={"url": url})
        print(f"Interview Agent is running at {url}", flush=True)

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
