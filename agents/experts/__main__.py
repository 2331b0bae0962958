"""Run one expert alone: `python -m agents.experts --company google --port 9101`.

With `--port 0` a free port is picked. Once it listens, one JSON line goes to stdout,
`{"ready": "<url>", "company": ...}`, which the app's launcher waits for. GOOGLE_API_KEY
set: Gemini reasons with the image; otherwise the offline critic.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import socket
import sys

import uvicorn

from agents.experts.server import Reasoner, build_app
from agents.experts.styles import STYLES, style_for


def reasoner_from_env() -> Reasoner | None:
    key = os.environ.get("GOOGLE_API_KEY", "")
    if not key:
        return None
    from agents.experts.gemini import GeminiReviewer

    return GeminiReviewer(key, os.environ.get("EXPERT_MODEL", "gemini-2.5-flash"))


async def serve(company: str, host: str, port: int) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound = sock.getsockname()[1]
    url = f"http://{host}:{bound}/"
    style = style_for(company)
    app = build_app(style, url, reasoner_from_env())
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started and not task.done():  # noqa: ASYNC110 (uvicorn has no event)
        await asyncio.sleep(0.02)
    print(json.dumps({"ready": url, "company": style.company, "name": style.name}), flush=True)
    await task


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m agents.experts")
    parser.add_argument("--company", default="general",
                        help=f"one of {', '.join(STYLES)} (others use general)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    try:
        asyncio.run(serve(args.company, args.host, args.port))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
