"""Our side of Stripe: customers, prices, Checkout Sessions and the Customer Portal, through the
stripe SDK. The SDK is pointed at Stripe or at the local Stripe-wire server by its base URL and
key alone; nothing here knows which.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import stripe
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.billing.plans import CREDITS, MAX_CREDITS_PER_CHECKOUT, MONTHLY, Plan
from server.http.errors import AppError
from storage.models import User
from storage.queries import billing as q

log = logging.getLogger(__name__)


def provider_error(exc: stripe.StripeError) -> AppError:
    log.warning("stripe call failed: %s", exc)
    return AppError(502, "payment_provider_error", "the payment provider is unavailable; retry")


class Billing:
    def __init__(
        self,
        db: async_sessionmaker[AsyncSession],
        *,
        api_key: str,
        webhook_secret: str,
        public_url: str,
        api_base: str = "",
        price_refs: dict[str, str] | None = None,
    ) -> None:
        self.db = db
        self.webhook_secret = webhook_secret
        self.public_url = public_url.rstrip("/")
        self.test_mode = api_key.startswith(("sk_test_", "rk_test_"))
        self._http = stripe.AIOHTTPClient()
        self.client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base} if api_base else None,
            http_client=self._http,
            max_network_retries=2,
        )
        # A price id ("price_...") or a lookup key, resolved (and created if missing) once.
        self.price_refs = price_refs or {}
        self._prices: dict[str, str] = {}
        self._price_lock = asyncio.Lock()

    async def close(self) -> None:
        await self._http.close_async()

    async def price_id(self, plan: Plan) -> str:
        ref = self.price_refs.get(plan.id) or f"interview_agent_{plan.id}"
        if ref.startswith("price_"):
            return ref
        async with self._price_lock:
            if plan.id not in self._prices:
                self._prices[plan.id] = await self._find_or_create_price(plan, ref)
        return self._prices[plan.id]

    async def _find_or_create_price(self, plan: Plan, lookup_key: str) -> str:
        found = await self.client.v1.prices.list_async(
            {"lookup_keys": [lookup_key], "active": True, "limit": 1}
        )
        if found.data:
            return found.data[0].id
        params: dict[str, Any] = {
            "currency": plan.currency,
            "unit_amount": plan.amount,
            "lookup_key": lookup_key,
            "product_data": {"name": f"Interview Agent {plan.name}"},
        }
        if plan.interval:
            params["recurring"] = {"interval": plan.interval}
        price = await self.client.v1.prices.create_async(params)
        log.info("created Stripe price %s for lookup key %s", price.id, lookup_key)
        return price.id

    async def customer_id(self, user: User) -> str:
        """The user's Stripe customer, created on first need and kept."""
        if user.stripe_customer_id:
            return user.stripe_customer_id
        customer = await self.client.v1.customers.create_async(
            {"email": user.email, "name": user.name, "metadata": {"user_id": user.id}},
            {"idempotency_key": f"customer-{user.id}"},
        )
        async with self.db.begin() as s:
            kept = await q.set_customer_id(s, user.id, customer.id)
        user.stripe_customer_id = kept
        return kept

    async def checkout_url(self, user: User, plan_id: str, quantity: int) -> str:
        """A Checkout Session for the monthly plan or for `quantity` credits; its URL."""
        async with self.db() as s:
            sub = await q.current_subscription(s, user.id)
        if plan_id == MONTHLY.id and sub is not None and sub.status in ("active", "trialing"):
            raise AppError(409, "already_subscribed", "you already have the monthly plan")
        if not 1 <= quantity <= MAX_CREDITS_PER_CHECKOUT:
            raise AppError(400, "invalid", f"quantity: 1 to {MAX_CREDITS_PER_CHECKOUT}")
        try:
            plan = MONTHLY if plan_id == MONTHLY.id else CREDITS
            qty = 1 if plan is MONTHLY else quantity
            meta = {
                "user_id": user.id,
                "plan": plan.id,
                "credits": str(0 if plan is MONTHLY else qty),
            }
            params: dict[str, Any] = {
                "mode": "subscription" if plan is MONTHLY else "payment",
                "customer": await self.customer_id(user),
                "client_reference_id": user.id,
                "line_items": [{"price": await self.price_id(plan), "quantity": qty}],
                "metadata": meta,
                "success_url": f"{self.public_url}/?checkout=success&plan={plan.id}",
                "cancel_url": f"{self.public_url}/pricing?checkout=canceled",
            }
            if plan is MONTHLY:
                params["subscription_data"] = {"metadata": {"user_id": user.id, "plan": plan.id}}
            else:
                params["payment_intent_data"] = {"metadata": meta}
            session = await self.client.v1.checkout.sessions.create_async(params)
        except stripe.StripeError as exc:
            raise provider_error(exc) from exc
        return str(session.url)

    async def portal_url(self, user: User) -> str:
        if not user.stripe_customer_id:
            raise AppError(409, "no_billing_account", "nothing to manage yet: buy a plan first")
        try:
            portal = await self.client.v1.billing_portal.sessions.create_async(
                {"customer": user.stripe_customer_id, "return_url": f"{self.public_url}/billing"}
            )
        except stripe.StripeError as exc:
            raise provider_error(exc) from exc
        return str(portal.url)
