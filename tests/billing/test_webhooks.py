"""The webhook endpoint trusts only Stripe's signature, handles an event id once, and never
lets an older subscription event undo a newer one. Signatures are made with the SDK's own
generator (`stripe.WebhookSignature`), independent of the local server's signer."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import stripe

from server.billing.startup import BILLING
from server.billing.webhooks import TOLERANCE_S
from tests.billing.conftest import billing, checkout, pay
from tests.http.helpers import error_of, signup

_n = 0


def _event(kind: str, obj: dict, created: int | None = None) -> dict:
    global _n
    _n += 1
    return {"id": f"evt_test_{_n}_{time.time_ns()}", "object": "event", "type": kind,
            "created": created or int(time.time()), "data": {"object": obj}}


def credits_event(user_id: str, n: int = 2) -> dict:
    return _event("checkout.session.completed", {
        "id": f"cs_test_forged_{time.time_ns()}", "object": "checkout.session",
        "mode": "payment", "payment_status": "paid", "client_reference_id": user_id,
        "amount_total": 500 * n, "currency": "usd", "payment_intent": None,
        "metadata": {"user_id": user_id, "plan": "credits", "credits": str(n)},
    })


def sub_event(kind: str, user_id: str, status: str, created: int, cancel: bool = False) -> dict:
    end = created + 30 * 86400
    return _event(kind, {
        "id": "sub_ordered", "object": "subscription", "customer": "cus_x", "status": status,
        "cancel_at_period_end": cancel, "metadata": {"user_id": user_id},
        "items": {"object": "list", "data": [{"current_period_end": end}]},
    }, created)


async def post(client: Any, event: dict, secret: str | None = None,
               timestamp: int | None = None, body: str | None = None) -> Any:
    payload = json.dumps(event)
    secret = secret or client.server.app[BILLING].webhook_secret
    header = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp)
    return await client.post("/api/stripe/webhook", data=body or payload,
                             headers={"Stripe-Signature": header,
                                      "Content-Type": "application/json"})


async def test_signed_event_is_applied_once_and_replays_change_nothing(pay_client) -> None:
    user = await signup(pay_client)
    event = credits_event(user["id"], 2)
    first = await post(pay_client, event)
    assert first.status == 200 and (await first.json())["result"] == "processed"
    assert (await billing(pay_client))["credits"] == 2
    for _ in range(2):
        replay = await post(pay_client, event)
        assert replay.status == 200 and (await replay.json())["result"] == "duplicate"
    state = await billing(pay_client)
    assert state["credits"] == 2 and len(state["payments"]) == 1


@pytest.mark.parametrize("attack", ["forged", "wrong_secret", "stale", "future", "unsigned",
                                    "garbage_header"])
async def test_untrusted_webhooks_are_rejected_and_change_nothing(pay_client, attack) -> None:
    user = await signup(pay_client)
    await pay(await checkout(pay_client, "monthly"))
    before = await billing(pay_client)
    event = credits_event(user["id"], 5)
    now = int(time.time())
    if attack == "forged":  # signed, then the amount of credits changed
        tampered = json.dumps(event).replace('"credits": "5"', '"credits": "50"')
        resp = await post(pay_client, event, body=tampered)
    elif attack == "wrong_secret":
        resp = await post(pay_client, event, secret="whsec_not_ours")
    elif attack == "stale":
        resp = await post(pay_client, event, timestamp=now - 600)
    elif attack == "future":
        resp = await post(pay_client, event, timestamp=now + 600)
    elif attack == "unsigned":
        resp = await pay_client.post("/api/stripe/webhook", data=json.dumps(event))
    else:
        resp = await pay_client.post("/api/stripe/webhook", data=json.dumps(event),
                                     headers={"Stripe-Signature": "t=abc,v9=zz"})
    assert resp.status == 400
    assert (await error_of(resp))["code"] == "invalid_signature"
    after = await billing(pay_client)
    assert after == before  # no credits, same subscription, same payments


async def test_timestamps_just_inside_the_tolerance_are_accepted(pay_client) -> None:
    user = await signup(pay_client)
    now = int(time.time())
    for skew in (-(TOLERANCE_S - 30), TOLERANCE_S - 30):
        resp = await post(pay_client, credits_event(user["id"], 1), timestamp=now + skew)
        assert resp.status == 200, await resp.text()
    assert (await billing(pay_client))["credits"] == 2


async def test_out_of_order_subscription_events_do_not_regress(pay_client) -> None:
    user = await signup(pay_client)
    t = int(time.time())
    uid = user["id"]
    # Newest first: the cancel-at-period-end update, then the older "created" arrives late.
    assert (await post(pay_client, sub_event("customer.subscription.updated", uid, "active",
                                             t + 10, cancel=True))).status == 200
    late = await post(pay_client, sub_event("customer.subscription.created", uid, "active", t))
    assert (await late.json())["result"] == "ignored"
    state = await billing(pay_client)
    assert state["plan"] == "monthly" and state["cancel_at_period_end"] is True
    # Deleted, then an older update: stays canceled (canceled is final in Stripe too).
    await post(pay_client, sub_event("customer.subscription.deleted", uid, "canceled", t + 20))
    await post(pay_client, sub_event("customer.subscription.updated", uid, "active", t + 15))
    state = await billing(pay_client)
    assert state["plan"] == "free" and state["status"] == "canceled"
    # Same-second update after cancel still cannot revive it.
    await post(pay_client, sub_event("customer.subscription.updated", uid, "active", t + 20))
    assert (await billing(pay_client))["status"] == "canceled"


async def test_events_for_strangers_are_acknowledged_and_ignored(pay_client) -> None:
    await signup(pay_client)
    resp = await post(pay_client, credits_event("no-such-user", 3))
    assert resp.status == 200 and (await resp.json())["result"] == "ignored"
    resp = await post(pay_client, _event("customer.created", {"id": "cus_1"}))
    assert (await resp.json())["result"] == "ignored"
    assert (await billing(pay_client))["credits"] == 0
