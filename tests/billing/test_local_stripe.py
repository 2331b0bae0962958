"""The local Stripe-wire server answers the stripe SDK as Stripe does: auth, errors, lists,
idempotent POST replays, and Stripe's form encoding."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import stripe

from server.billing.local_stripe import LocalStripe
from server.billing.local_stripe.forms import FormError, decode


@pytest.fixture
async def local() -> AsyncIterator[LocalStripe]:
    async with LocalStripe() as server:
        yield server


def sdk(
    local: LocalStripe, key: str | None = None
) -> tuple[stripe.StripeClient, stripe.HTTPClient]:
    http = stripe.AIOHTTPClient()
    client = stripe.StripeClient(key or local.api_key, base_addresses={"api": local.base_url},
                                 http_client=http)
    return client, http


async def test_sdk_round_trip_errors_and_idempotency(local: LocalStripe) -> None:
    client, http = sdk(local)
    bad, bad_http = sdk(local, "sk_test_wrong")
    try:
        with pytest.raises(stripe.AuthenticationError):
            await bad.v1.customers.create_async({"email": "a@example.com"})
        price = await client.v1.prices.create_async({
            "currency": "usd", "unit_amount": 500, "lookup_key": "credit",
            "product_data": {"name": "Credit"},
        })
        found = await client.v1.prices.list_async({"lookup_keys": ["credit"], "active": True})
        assert [p.id for p in found.data] == [price.id]
        with pytest.raises(stripe.InvalidRequestError) as err:
            await client.v1.prices.create_async({"currency": "usd", "unit_amount": 1,
                                                 "lookup_key": "credit", "product": "prod_x"})
        assert err.value.http_status == 404 and err.value.code == "resource_missing"
        opts = {"idempotency_key": "same-key"}
        a = await client.v1.customers.create_async({"email": "a@example.com"}, opts)
        b = await client.v1.customers.create_async({"email": "a@example.com"}, opts)
        assert a.id == b.id and len(local.store.all("customer")) == 1
        with pytest.raises(stripe.InvalidRequestError):  # a one-time price in subscription mode
            await client.v1.checkout.sessions.create_async({
                "mode": "subscription", "success_url": "http://x/", "customer": a.id,
                "line_items": [{"price": price.id, "quantity": 1}],
            })
        session = await client.v1.checkout.sessions.create_async({
            "mode": "payment", "success_url": "http://x/", "customer": a.id,
            "line_items": [{"price": price.id, "quantity": 3}],
        })
        assert session.amount_total == 1500 and session.status == "open"
        assert session.url == f"{local.base_url}/checkout/{session.id}"
    finally:
        await http.close_async()
        await bad_http.close_async()


def test_form_decoding() -> None:
    pairs = [("line_items[0][price]", "p"), ("line_items[0][quantity]", "2"),
             ("line_items[1][price]", "q"), ("metadata[user_id]", "u"),
             ("lookup_keys[]", "a"), ("lookup_keys[]", "b"), ("mode", "payment")]
    assert decode(pairs) == {
        "line_items": [{"price": "p", "quantity": "2"}, {"price": "q"}],
        "metadata": {"user_id": "u"}, "lookup_keys": ["a", "b"], "mode": "payment",
    }
    for bad in ("[x]", "a[b", "a]b[", "a[b][c][d][e][f]"):
        with pytest.raises(FormError):
            decode([(bad, "1")])


async def test_state_survives_a_restart(tmp_path) -> None:
    path = tmp_path / "stripe.json"
    async with LocalStripe(state_path=path, api_key="sk_test_k") as first:
        client, http = sdk(first)
        customer = await client.v1.customers.create_async({"email": "a@example.com"})
        await http.close_async()
    async with LocalStripe(state_path=path, api_key="sk_test_k") as second:
        client, http = sdk(second)
        again = await client.v1.customers.retrieve_async(customer.id)
        await http.close_async()
    assert again.email == "a@example.com"
