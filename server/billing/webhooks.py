"""Stripe webhooks: verify the signature, handle each event id once, never let an older event
undo a newer one.

- `stripe.Webhook.construct_event` checks the HMAC and rejects timestamps older than the
  tolerance, but (stripe 16) accepts any future one, so the upper bound is checked here.
- The event id goes into `webhook_events` in the same transaction as its effects: a replay (or
  a concurrent duplicate, which fails on the primary key) changes nothing.
- Subscription snapshots carry the event's `created`; an older snapshot is ignored, and a
  canceled subscription stays canceled (see storage.queries.billing.apply_subscription).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import stripe
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.billing.plans import MONTHLY
from storage.models import User
from storage.queries import billing as q

log = logging.getLogger(__name__)

TOLERANCE_S = 300
Obj = dict[str, Any]


class InvalidWebhook(Exception):
    """A webhook that is not provably from Stripe, or is too old or too new to trust."""


def _timestamp(header: str) -> int:
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            return int(value)
    raise ValueError("no timestamp")


def verify(
    payload: bytes, header: str | None, secret: str, now: Callable[[], float] = time.time
) -> Obj:
    """The event as a plain dict, if the signature is good and the timestamp within ±300 s."""
    try:
        event = stripe.Webhook.construct_event(payload, header, secret, tolerance=TOLERANCE_S)
        if _timestamp(header or "") > now() + TOLERANCE_S:
            raise InvalidWebhook("timestamp is in the future")
        data = event.to_dict()
    except stripe.SignatureVerificationError as exc:
        raise InvalidWebhook(str(exc).split(".")[0]) from None
    except ValueError as exc:  # bad JSON or header
        raise InvalidWebhook(f"malformed webhook: {exc}") from None
    if not isinstance(data.get("id"), str) or not isinstance(data.get("type"), str):
        raise InvalidWebhook("not a Stripe event")
    return data


async def handle(db: async_sessionmaker[AsyncSession], event: Obj) -> str:
    """Apply one verified event: "processed", "ignored" (not ours / stale) or "duplicate"."""
    try:
        async with db.begin() as s:
            if await q.event_seen(s, event["id"]):
                return "duplicate"
            changed = await _apply(s, event)
            await q.mark_event(s, event["id"], event["type"], int(event.get("created") or 0))
    except IntegrityError:
        async with db() as s:
            if await q.event_seen(s, event["id"]):
                return "duplicate"
        raise
    return "processed" if changed else "ignored"


async def _apply(s: AsyncSession, event: Obj) -> bool:
    kind, obj = event["type"], event["data"]["object"]
    created = int(event.get("created") or 0)
    if kind == "checkout.session.completed":
        return await _checkout_completed(s, obj)
    if kind.startswith("customer.subscription."):
        return await _subscription(s, obj, created)
    if kind in ("invoice.paid", "invoice.payment_succeeded"):
        return await _invoice(s, obj, "succeeded")
    if kind == "invoice.payment_failed":
        return await _invoice(s, obj, "failed")
    if kind == "charge.refunded":
        return await _charge_refunded(s, obj)
    return False


async def _user(s: AsyncSession, obj: Obj, user_id: str | None = None) -> User | None:
    user_id = user_id or (obj.get("metadata") or {}).get("user_id")
    if user_id:
        user = await s.get(User, user_id)
        if user is not None:
            return user
    customer = obj.get("customer")
    return await q.user_for_customer(s, customer) if isinstance(customer, str) else None


async def _checkout_completed(s: AsyncSession, obj: Obj) -> bool:
    user = await _user(s, obj, obj.get("client_reference_id"))
    if user is None:
        log.warning("checkout %s for an unknown user", obj.get("id"))
        return False
    if isinstance(obj.get("customer"), str):
        await q.set_customer_id(s, user.id, obj["customer"])
    if obj.get("mode") != "payment" or obj.get("payment_status") != "paid":
        return True  # subscriptions arrive through customer.subscription.* events
    credits = int((obj.get("metadata") or {}).get("credits") or 0)
    await q.record_payment(
        s,
        user.id,
        stripe_object_id=obj["id"],
        kind="credits",
        amount=int(obj.get("amount_total") or 0),
        currency=str(obj.get("currency") or "usd"),
        status="succeeded",
        credits=credits,
        payment_intent_id=obj.get("payment_intent"),
    )
    await q.add_credits(s, user.id, credits, "purchase", f"checkout:{obj['id']}")
    return True


def _ts(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if value else None


async def _subscription(s: AsyncSession, obj: Obj, created: int) -> bool:
    user = await _user(s, obj)
    if user is None:
        log.warning("subscription %s for an unknown customer", obj.get("id"))
        return False
    items = (obj.get("items") or {}).get("data") or [{}]
    # API 2025-03 moved the period onto the items; older versions keep it on the subscription.
    period_end = items[0].get("current_period_end") or obj.get("current_period_end")
    state = q.SubscriptionState(
        stripe_subscription_id=obj["id"],
        stripe_customer_id=str(obj.get("customer")),
        plan=(obj.get("metadata") or {}).get("plan") or MONTHLY.id,
        status=str(obj.get("status")),
        current_period_end=_ts(period_end),
        cancel_at_period_end=bool(obj.get("cancel_at_period_end")),
    )
    return await q.apply_subscription(s, user.id, state, created)


async def _invoice(s: AsyncSession, obj: Obj, status: str) -> bool:
    user = await _user(s, obj)
    if user is None:
        return False
    amount = obj.get("amount_paid") if status == "succeeded" else obj.get("amount_due")
    await q.record_payment(
        s,
        user.id,
        stripe_object_id=obj["id"],
        kind="subscription",
        amount=int(amount or 0),
        currency=str(obj.get("currency") or "usd"),
        status=status,
        payment_intent_id=obj.get("payment_intent"),
    )
    return True


async def _charge_refunded(s: AsyncSession, obj: Obj) -> bool:
    intent = obj.get("payment_intent")
    payment = await q.payment_for_intent(s, intent) if isinstance(intent, str) else None
    if payment is None:
        return False
    refunded, amount = int(obj.get("amount_refunded") or 0), int(obj.get("amount") or 0)
    if obj.get("refunded"):
        payment.status = "refunded"
    if payment.kind == "credits" and payment.credits and amount:
        # Credits bought with the refunded share of the money go back (never below zero).
        owed = payment.credits if obj.get("refunded") else refunded * payment.credits // amount
        taken = await q.revoked_so_far(s, f"revoke:{obj['id']}:")
        await q.revoke_credits(s, payment.user_id, owed - taken, f"revoke:{obj['id']}:{refunded}")
    await s.flush()
    return True
