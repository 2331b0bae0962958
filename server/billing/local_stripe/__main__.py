"""Run the local Stripe on its own: `python -m server.billing.local_stripe --webhook-url URL`.

Prints the base URL, API key and webhook secret to put in STRIPE_API_BASE, STRIPE_SECRET_KEY
and STRIPE_WEBHOOK_SECRET.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from server.billing.local_stripe import LocalStripe


async def _main(args: argparse.Namespace) -> None:
    local = LocalStripe(
        api_key=args.api_key,
        webhook_url=args.webhook_url,
        webhook_secret=args.webhook_secret,
        state_path=args.state,
        host=args.host,
        port=args.port,
    )
    async with local:
        print(f"STRIPE_API_BASE={local.base_url}")
        print(f"STRIPE_SECRET_KEY={local.api_key}")
        print(f"STRIPE_WEBHOOK_SECRET={local.webhook_secret}", flush=True)
        await asyncio.Event().wait()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=12111)
    p.add_argument("--webhook-url", default=None)
    p.add_argument("--webhook-secret", default=None)
    p.add_argument("--api-key", default=None)
    p.add_argument("--state", type=Path, default=None, help="JSON file to keep objects in")
    try:
        asyncio.run(_main(p.parse_args()))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
