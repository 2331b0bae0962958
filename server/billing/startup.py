"""Start-up of payments: Stripe with STRIPE_SECRET_KEY, otherwise the local Stripe-wire server
on 127.0.0.1 (test mode), whose objects are kept in <data-dir>/local_stripe.json."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import web

from server.billing.local_stripe import LocalStripe
from server.billing.service import Billing
from server.state import DB, SETTINGS

log = logging.getLogger(__name__)

BILLING = web.AppKey("billing", Billing)
LOCAL_STRIPE = web.AppKey("local_stripe", LocalStripe)


async def payments(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    key = settings.stripe_secret_key.get_secret_value()
    api_base, secret = settings.stripe_api_base, settings.stripe_webhook_secret.get_secret_value()
    local: LocalStripe | None = None
    if not key:
        local = LocalStripe(
            webhook_url=f"{settings.public_url}/api/stripe/webhook",
            state_path=settings.data_dir / "local_stripe.json",
        )
        await local.start()
        app[LOCAL_STRIPE] = local
        key, api_base, secret = local.api_key, local.base_url, local.webhook_secret
    app[BILLING] = Billing(
        app[DB],
        api_key=key,
        webhook_secret=secret,
        public_url=settings.public_url,
        api_base=api_base,
        price_refs={
            "monthly": settings.stripe_price_monthly,
            "credits": settings.stripe_price_credit,
        },
    )
    log.info("payments: %s", "local Stripe (test mode)" if local else "Stripe")
    yield
    await app[BILLING].close()
    if local is not None:
        await local.close()
