"""`python -m agents.offline --port P --cert-dir D --secret-file F`: the offline Live API
server as its own process, the production shape: the app reaches it by configuration
(LIVE_API_URL, LIVE_API_CA_FILE = D/ca.pem, LIVE_API_KEY_FILE = F) exactly as it reaches
Gemini, and the model's CPU is this process's, not the app's.

The certificates in D are made at the first start and kept (so a restart does not break
clients that trust D/ca.pem); the secret is read from F, or made and written there (0600).
Prints `offline Live API server on https://HOST:PORT` once it listens (with `--port 0`, the
port it got) and runs until SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import secrets
import signal
import sys
from pathlib import Path

from agents.offline.server import MAX_SESSIONS, OfflineLiveServer


def read_or_make_secret(path: Path) -> str:
    """The API key clients must send: F's content, or a new one written to F (0600)."""
    if path.exists() and path.read_text().strip():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secret)
    return secret


async def serve(args: argparse.Namespace) -> None:
    server = OfflineLiveServer(
        cert_dir=args.cert_dir, keep_certs=True, secret=read_or_make_secret(args.secret_file),
        max_sessions=args.max_sessions, neural_speech=args.speech == "neural",
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):  # before start: a stop then still cleans up
        loop.add_signal_handler(sig, stop.set)
    try:
        await server.start(args.host, args.port)
        print(f"offline Live API server on {server.base_url}", flush=True)
        await stop.wait()
    finally:
        await server.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m agents.offline", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1", help="listen address (127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="listen port (0: any free one)")
    parser.add_argument("--cert-dir", type=Path, required=True,
                        help="ca.pem, cert.pem, key.pem: made once, then reused")
    parser.add_argument("--secret-file", type=Path, required=True,
                        help="the API key clients send: read, or made and written (0600)")
    parser.add_argument("--max-sessions", type=int, default=MAX_SESSIONS,
                        help=f"concurrent sessions; more are refused with 503 ({MAX_SESSIONS})")
    parser.add_argument("--speech", choices=["classic", "neural"], default="classic",
                        help="pocketsphinx + espeak-ng (classic) or Whisper + Piper (neural)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
