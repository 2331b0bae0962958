"""Checkout end to end through the real stripe SDK, the local Stripe-wire server's hosted
page, and its signed webhooks: subscriptions unlock premium styles, credits are counted."""

from __future__ import annotations

import aiohttp
import stripe

from tests.billing.conftest import billing, checkout, ledger_matches, local_of, pay
from tests.http.helpers import create_interview, error_of, signup

GOOGLE = {"company": "google", "type": "coding"}
MONTH_S = 31 * 86400


async def _google(client) -> aiohttp.ClientResponse:  # type: ignore[no-untyped-def]
    body = {"type": "coding", "role": "SWE", "level": "mid", "company": "google"}
    return await client.post("/api/interviews", json=body)


async def test_monthly_plan_unlocks_premium_until_canceled_period_ends(pay_client) -> None:
    client = pay_client
    await signup(client)
    before = await billing(client)
    assert before["plan"] == "free" and before["credits"] == 0 and before["test_mode"] is True
    blocked = await _google(client)
    assert blocked.status == 402
    assert (await error_of(blocked))["code"] == "payment_required"
    await create_interview(client)  # Free Practice stays free

    url = await checkout(client, "monthly")
    local = local_of(client)
    assert url.startswith(local.base_url + "/checkout/cs_test_")
    paid = await pay(url)
    assert paid.status == 303
    assert paid.headers["Location"].startswith(f"{client.server.scheme}://127.0.0.1:")
    assert "/?checkout=success" in paid.headers["Location"]

    after = await billing(client)
    assert after["plan"] == "monthly" and after["status"] == "active"
    assert after["renews_at"] and after["ends_at"] is None
    assert [p["kind"] for p in after["payments"]] == ["subscription"]
    assert after["payments"][0]["amount"] == 2900 and after["payments"][0]["status"] == "succeeded"
    created = await _google(client)
    assert created.status == 201
    assert (await created.json())["metadata"]["paid_with"] == "subscription"
    again = await client.post("/api/billing/checkout", json={"plan": "monthly"})
    assert again.status == 409

    # Cancel in the portal: still premium until the period ends, then not.
    resp = await client.post("/api/billing/portal")
    assert resp.status == 200
    portal_url = (await resp.json())["url"]
    sub_id = local.store.all("subscription")[0]["id"]
    async with aiohttp.ClientSession() as http:
        page = await http.get(portal_url)
        assert "Cancel plan" in await page.text()
        done = await http.post(portal_url + "/cancel", data={"sub": sub_id})
        assert "Cancels on" in await done.text()
    ending = await billing(client)
    assert ending["cancel_at_period_end"] is True and ending["ends_at"] and not ending["renews_at"]
    assert (await _google(client)).status == 201

    events = await local.advance(MONTH_S)
    assert [e["type"] for e in events] == ["customer.subscription.deleted"]
    gone = await billing(client)
    assert gone["plan"] == "free" and gone["status"] == "canceled"
    assert (await _google(client)).status == 402


async def test_renewal_keeps_premium_and_records_the_invoice(pay_client) -> None:
    client = pay_client
    await signup(client)
    await pay(await checkout(client, "monthly"))
    events = await local_of(client).advance(MONTH_S)
    assert [e["type"] for e in events] == ["invoice.paid", "customer.subscription.updated"]
    state = await billing(client)
    assert state["plan"] == "monthly" and len(state["payments"]) == 2
    assert (await _google(client)).status == 201


async def test_three_credits_buy_three_interviews(pay_client) -> None:
    client = pay_client
    user = await signup(client)
    resp = await pay(await checkout(client, "credits", 3))
    assert resp.status == 303
    state = await billing(client)
    assert state["credits"] == 3 and state["plan"] == "free"
    assert state["payments"][0] | {"id": None, "created_at": None} == {
        "id": None, "kind": "credits", "amount": 1500, "currency": "usd",
        "status": "succeeded", "credits": 3, "created_at": None,
    }
    for left in (2, 1, 0):
        created = await _google(client)
        assert created.status == 201
        assert (await created.json())["metadata"]["paid_with"] == "credit"
        assert (await billing(client))["credits"] == left
    assert (await _google(client)).status == 402
    assert await ledger_matches(client, user["id"])


async def test_declined_card_changes_nothing(pay_client) -> None:
    client = pay_client
    await signup(client)
    url = await checkout(client, "credits", 2)
    declined = await pay(url, card="4000 0000 0000 0002")
    assert declined.status == 402
    wrong = await pay(url, card="1234 5678 9012 3456")
    assert wrong.status == 402
    state = await billing(client)
    assert state["credits"] == 0 and state["payments"] == []


async def test_refund_takes_the_unspent_credits_back(pay_client) -> None:
    client = pay_client
    user = await signup(client)
    await pay(await checkout(client, "credits", 4))
    assert (await _google(client)).status == 201  # one spent, three left
    local = local_of(client)
    intent = local.store.all("payment_intent")[0]["id"]
    http = stripe.AIOHTTPClient()
    sdk = stripe.StripeClient(local.api_key, base_addresses={"api": local.base_url},
                              http_client=http)
    try:
        await sdk.v1.refunds.create_async({"payment_intent": intent, "amount": 1000})
        state = await billing(client)
        assert state["credits"] == 1  # half the money back: two of four credits revoked
        await sdk.v1.refunds.create_async({"payment_intent": intent})
    finally:
        await http.close_async()
    state = await billing(client)
    assert state["credits"] == 0 and state["payments"][0]["status"] == "refunded"
    assert await ledger_matches(client, user["id"])


async def test_checkout_input_is_validated(pay_client) -> None:
    client = pay_client
    resp = await client.post("/api/billing/checkout", json={"plan": "monthly"})
    assert resp.status == 401
    await signup(client)
    for body in ({"plan": "gold"}, {"plan": "credits", "quantity": 0},
                 {"plan": "credits", "quantity": 21}, {"plan": "credits", "amount": 1}):
        resp = await client.post("/api/billing/checkout", json=body)
        assert resp.status == 400, body
    resp = await client.post("/api/billing/portal")
    assert resp.status == 409 and (await error_of(resp))["code"] == "no_billing_account"
