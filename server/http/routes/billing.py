"""Billing: the user's plan and credits, Checkout and Portal links, and Stripe's webhook (whose
signature is its authentication: no session cookie)."""

from __future__ import annotations

from typing import Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from server.billing import webhooks
from server.billing.plans import MAX_CREDITS_PER_CHECKOUT, RENEWAL_GRACE_S, plans_out
from server.billing.startup import BILLING
from server.http.auth import current_user
from server.http.errors import AppError
from server.http.requests import read_json
from server.state import DB
from storage.models import Payment, utcnow
from storage.queries import billing as q

routes = web.RouteTableDef()


class CheckoutIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    plan: Literal["monthly", "credits"]
    quantity: int = Field(1, ge=1, le=MAX_CREDITS_PER_CHECKOUT)


def _payment_out(p: Payment) -> dict[str, object]:
    return {
        "id": p.id,
        "kind": p.kind,
        "amount": p.amount,
        "currency": p.currency,
        "status": p.status,
        "credits": p.credits,
        "created_at": p.created_at.isoformat(),
    }


@routes.get("/api/billing")
async def summary(request: web.Request) -> web.Response:
    user = await current_user(request)
    async with request.app[DB]() as s:
        sub = await q.current_subscription(s, user.id)
        premium = await q.has_premium_access(s, user.id, utcnow(), RENEWAL_GRACE_S)
        credits = await q.credit_balance(s, user.id)
        payments = await q.list_payments(s, user.id)
        has_customer = bool(await q.customer_of(s, user.id))
    end = sub.current_period_end.isoformat() if sub and sub.current_period_end else None
    ending = bool(sub and sub.cancel_at_period_end)
    return web.json_response(
        {
            "plan": "monthly" if premium else "free",
            "status": sub.status if sub else None,
            "renews_at": end if premium and not ending else None,
            "ends_at": end if premium and ending else None,
            "cancel_at_period_end": ending,
            "credits": credits,
            "premium_access": premium or credits > 0,
            "payments": [_payment_out(p) for p in payments],
            "can_manage": has_customer,
            "test_mode": request.app[BILLING].test_mode,
            "plans": plans_out(),
            "max_credits_per_checkout": MAX_CREDITS_PER_CHECKOUT,
        }
    )


@routes.post("/api/billing/checkout")
async def checkout(request: web.Request) -> web.Response:
    user = await current_user(request)
    body = await read_json(request, CheckoutIn)
    url = await request.app[BILLING].checkout_url(user, body.plan, body.quantity)
    return web.json_response({"url": url})


@routes.post("/api/billing/portal")
async def portal(request: web.Request) -> web.Response:
    user = await current_user(request)
    return web.json_response({"url": await request.app[BILLING].portal_url(user)})


@routes.post("/api/stripe/webhook")
async def stripe_webhook(request: web.Request) -> web.Response:
    payload = await request.read()
    billing = request.app[BILLING]
    try:
        event = webhooks.verify(
            payload, request.headers.get("Stripe-Signature"), billing.webhook_secret
        )
    except webhooks.InvalidWebhook as exc:
        raise AppError(400, "invalid_signature", str(exc)) from None
    result = await webhooks.handle(request.app[DB], event)
    return web.json_response({"received": True, "result": result})
