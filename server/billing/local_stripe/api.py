"""The `/v1` endpoints of the local Stripe: Bearer-key auth, form bodies, Stripe's JSON objects
and error shapes, and Idempotency-Key replays (the SDK sends one with every POST)."""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from server.billing.local_stripe import pages
from server.billing.local_stripe.forms import FormError, decode
from server.billing.local_stripe.store import LOCAL, Host, Obj, StripeError, missing

IDEMPOTENT = web.AppKey("idempotent", OrderedDict)
IDEMPOTENCY_KEPT = 1000
CHECKOUT_TTL_S = 24 * 3600

routes = web.RouteTableDef()
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _local(request: web.Request) -> Host:
    return request.app[LOCAL]  # type: ignore[return-value]


async def _params(request: web.Request) -> dict[str, Any]:
    pairs = list(request.query.items())
    if request.method in ("POST", "DELETE") and request.can_read_body:
        pairs += list((await request.post()).items())  # type: ignore[arg-type]
    try:
        return decode([(k, str(v)) for k, v in pairs])
    except FormError as exc:
        raise StripeError(400, str(exc)) from None


def _int(params: dict[str, Any], name: str, default: int | None = None) -> int:
    value = params.get(name, default)
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise StripeError(
            400, f"Invalid integer: {value}", "parameter_invalid_integer", name
        ) from None


def _required(params: dict[str, Any], name: str) -> Any:
    if params.get(name) in (None, ""):
        raise StripeError(400, f"Missing required param: {name}.", "parameter_missing", name)
    return params[name]


def _list(items: list[Obj], url: str) -> Obj:
    return {"object": "list", "data": items, "has_more": False, "url": url}


@web.middleware
async def stripe_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith("/v1/"):
        return await handler(request)
    local = _local(request)
    auth = request.headers.get("Authorization", "")
    if auth != f"Bearer {local.api_key}":
        return web.json_response(StripeError(401, "Invalid API Key provided.").body(), status=401)
    key = request.headers.get("Idempotency-Key") if request.method == "POST" else None
    cache = request.app[IDEMPOTENT]
    if key and key in cache:
        status, body = cache[key]
        return web.json_response(body, status=status, headers={"Idempotent-Replayed": "true"})
    try:
        resp = await handler(request)
    except StripeError as exc:
        return web.json_response(exc.body(), status=exc.status)
    if key and isinstance(resp, web.Response) and resp.text is not None:
        cache[key] = (resp.status, json.loads(resp.text))
        while len(cache) > IDEMPOTENCY_KEPT:
            cache.popitem(last=False)
    return resp


# --- customers, products, prices -------------------------------------------------------------


@routes.post("/v1/customers")
async def create_customer(request: web.Request) -> web.Response:
    local, p = _local(request), await _params(request)
    obj = local.store.put(
        "customer",
        {
            "id": local.store.new_id("cus"),
            "object": "customer",
            "email": p.get("email"),
            "name": p.get("name"),
            "metadata": p.get("metadata") or {},
            "created": local.store.now(),
            "livemode": False,
        },
    )
    await local.persist()
    return web.json_response(obj)


@routes.get("/v1/customers/{id}")
async def get_customer(request: web.Request) -> web.Response:
    return web.json_response(_local(request).store.get("customer", request.match_info["id"]))


@routes.post("/v1/products")
async def create_product(request: web.Request) -> web.Response:
    local, p = _local(request), await _params(request)
    obj = local.store.put("product", _product(local, p))
    await local.persist()
    return web.json_response(obj)


def _product(local: Host, p: dict[str, Any]) -> Obj:
    return {
        "id": local.store.new_id("prod"),
        "object": "product",
        "name": _required(p, "name"),
        "description": p.get("description"),
        "active": p.get("active", "true") != "false",
        "metadata": p.get("metadata") or {},
        "created": local.store.now(),
    }


@routes.post("/v1/prices")
async def create_price(request: web.Request) -> web.Response:
    local, p = _local(request), await _params(request)
    if "product_data" in p:
        product = local.store.put("product", _product(local, p["product_data"]))["id"]
    else:
        product = local.store.get("product", _required(p, "product"))["id"]
    lookup = p.get("lookup_key")
    if lookup:
        taken = [x for x in local.store.all("price") if x.get("lookup_key") == lookup]
        if taken and p.get("transfer_lookup_key") != "true":
            raise StripeError(400, f"A price with lookup key {lookup} already exists.")
        for x in taken:
            x["lookup_key"] = None
    recurring = p.get("recurring")
    if recurring is not None:
        if recurring.get("interval") not in ("day", "week", "month", "year"):
            raise StripeError(400, "Invalid recurring[interval]", param="recurring[interval]")
        recurring = {
            "interval": recurring["interval"],
            "interval_count": _int(recurring, "interval_count", 1),
            "usage_type": "licensed",
        }
    obj = local.store.put(
        "price",
        {
            "id": local.store.new_id("price"),
            "object": "price",
            "product": product,
            "unit_amount": _int(p, "unit_amount"),
            "currency": str(_required(p, "currency")).lower(),
            "recurring": recurring,
            "type": "recurring" if recurring else "one_time",
            "lookup_key": lookup,
            "active": True,
            "livemode": False,
            "metadata": p.get("metadata") or {},
            "created": local.store.now(),
        },
    )
    await local.persist()
    return web.json_response(obj)


@routes.get("/v1/prices")
async def list_prices(request: web.Request) -> web.Response:
    p = await _params(request)
    prices = _local(request).store.all("price")
    if "lookup_keys" in p:
        keys = p["lookup_keys"] if isinstance(p["lookup_keys"], list) else [p["lookup_keys"]]
        prices = [x for x in prices if x.get("lookup_key") in keys]
    if "active" in p:
        prices = [x for x in prices if x["active"] == (p["active"] == "true")]
    return web.json_response(_list(prices[: _int(p, "limit", 10)], "/v1/prices"))


@routes.get("/v1/prices/{id}")
async def get_price(request: web.Request) -> web.Response:
    return web.json_response(_local(request).store.get("price", request.match_info["id"]))


# --- checkout --------------------------------------------------------------------------------


@routes.post("/v1/checkout/sessions")
async def create_checkout_session(request: web.Request) -> web.Response:
    local, p = _local(request), await _params(request)
    mode = _required(p, "mode")
    if mode not in ("payment", "subscription"):
        raise StripeError(400, f"Invalid mode: {mode}", param="mode")
    _required(p, "success_url")
    customer = p.get("customer")
    if customer:
        local.store.get("customer", customer)
    items = p.get("line_items")
    if not isinstance(items, list) or not items:
        raise StripeError(400, "Missing required param: line_items.", "parameter_missing")
    total, currency = 0, None
    for i, li in enumerate(items):
        price = local.store.get("price", _required(li, "price"))
        if (price["type"] == "recurring") != (mode == "subscription"):
            raise StripeError(
                400,
                f"You must provide at least one recurring price in `subscription` mode and only "
                f"one-time prices in `payment` mode (line_items[{i}]).",
                param=f"line_items[{i}][price]",
            )
        qty = _int(li, "quantity", 1)
        if not 1 <= qty <= 999_999:
            raise StripeError(400, "Invalid quantity", param=f"line_items[{i}][quantity]")
        li["quantity"] = qty
        total += int(price["unit_amount"]) * qty
        currency = price["currency"]
    sid = local.store.new_id("cs_test")
    now = local.store.now()
    obj = local.store.put(
        "checkout.session",
        {
            "id": sid,
            "object": "checkout.session",
            "mode": mode,
            "customer": customer,
            "customer_email": p.get("customer_email"),
            "client_reference_id": p.get("client_reference_id"),
            "metadata": p.get("metadata") or {},
            "subscription_data": p.get("subscription_data"),
            "payment_intent_data": p.get("payment_intent_data"),
            "success_url": p["success_url"],
            "cancel_url": p.get("cancel_url"),
            "url": f"{local.base_url}/checkout/{sid}",
            "status": "open",
            "payment_status": "unpaid",
            "amount_subtotal": total,
            "amount_total": total,
            "currency": currency,
            "subscription": None,
            "payment_intent": None,
            "invoice": None,
            "livemode": False,
            "created": now,
            "expires_at": now + CHECKOUT_TTL_S,
        },
    )
    local.store.line_items[sid] = items
    await local.persist()
    return web.json_response(obj)


@routes.get("/v1/checkout/sessions/{id}")
async def get_checkout_session(request: web.Request) -> web.Response:
    store = _local(request).store
    return web.json_response(store.get("checkout.session", request.match_info["id"]))


@routes.post("/v1/checkout/sessions/{id}/expire")
async def expire_checkout_session(request: web.Request) -> web.Response:
    local = _local(request)
    obj = local.store.get("checkout.session", request.match_info["id"])
    if obj["status"] != "open":
        raise StripeError(400, f"Only open sessions can be expired (this one is {obj['status']}).")
    obj["status"] = "expired"
    await local.emit([("checkout.session.expired", obj)])
    return web.json_response(obj)


# --- subscriptions, portal, refunds, events --------------------------------------------------


@routes.get("/v1/subscriptions")
async def list_subscriptions(request: web.Request) -> web.Response:
    p = await _params(request)
    subs = _local(request).store.all("subscription")
    if p.get("customer"):
        subs = [s for s in subs if s["customer"] == p["customer"]]
    return web.json_response(_list(subs, "/v1/subscriptions"))


@routes.get("/v1/subscriptions/{id}")
async def get_subscription(request: web.Request) -> web.Response:
    return web.json_response(_local(request).store.get("subscription", request.match_info["id"]))


@routes.post("/v1/subscriptions/{id}")
async def update_subscription(request: web.Request) -> web.Response:
    local, p = _local(request), await _params(request)
    sub = local.store.get("subscription", request.match_info["id"])
    if "cancel_at_period_end" in p:
        local.store.set_cancel_at_period_end(sub, p["cancel_at_period_end"] == "true")
    if isinstance(p.get("metadata"), dict):
        sub["metadata"] = {**sub.get("metadata", {}), **p["metadata"]}
    await local.emit([("customer.subscription.updated", sub)])
    return web.json_response(sub)


@routes.delete("/v1/subscriptions/{id}")
async def cancel_subscription(request: web.Request) -> web.Response:
    local = _local(request)
    sub = local.store.get("subscription", request.match_info["id"])
    if sub["status"] == "canceled":
        raise StripeError(400, "This subscription is already canceled.")
    local.store.cancel_now(sub)
    await local.emit([("customer.subscription.deleted", sub)])
    return web.json_response(sub)


@routes.post("/v1/billing_portal/sessions")
async def create_portal_session(request: web.Request) -> web.Response:
    local, p = _local(request), await _params(request)
    customer = local.store.get("customer", _required(p, "customer"), "customer")["id"]
    pid = local.store.new_id("bps")
    obj = local.store.put(
        "billing_portal.session",
        {
            "id": pid,
            "object": "billing_portal.session",
            "customer": customer,
            "return_url": p.get("return_url"),
            "url": f"{local.base_url}/portal/{pid}",
            "livemode": False,
            "created": local.store.now(),
        },
    )
    await local.persist()
    return web.json_response(obj)


@routes.post("/v1/refunds")
async def create_refund(request: web.Request) -> web.Response:
    local, p = _local(request), await _params(request)
    store = local.store
    if p.get("charge"):
        charge = store.get("charge", p["charge"])
    else:
        intent = store.get("payment_intent", _required(p, "payment_intent"))
        charge = store.get("charge", intent["latest_charge"])
    left = charge["amount"] - charge["amount_refunded"]
    amount = _int(p, "amount", left)
    if not 0 < amount <= left:
        raise StripeError(400, f"Refund amount ({amount}) is greater than unrefunded amount.")
    charge["amount_refunded"] += amount
    charge["refunded"] = charge["amount_refunded"] == charge["amount"]
    refund = store.put(
        "refund",
        {
            "id": store.new_id("re"),
            "object": "refund",
            "amount": amount,
            "charge": charge["id"],
            "payment_intent": charge["payment_intent"],
            "currency": charge["currency"],
            "status": "succeeded",
            "created": store.now(),
        },
    )
    await local.emit([("charge.refunded", charge)])
    return web.json_response(refund)


@routes.get("/v1/events")
async def list_events(request: web.Request) -> web.Response:
    p = await _params(request)
    events = _local(request).store.events[::-1][: _int(p, "limit", 10)]
    return web.json_response(_list(events, "/v1/events"))


@routes.get("/v1/events/{id}")
async def get_event(request: web.Request) -> web.Response:
    ident = request.match_info["id"]
    for event in _local(request).store.events:
        if event["id"] == ident:
            return web.json_response(event)
    raise missing("event", ident)


def build_app(local: Host) -> web.Application:
    app = web.Application(middlewares=[stripe_middleware], client_max_size=256 * 1024)
    app[LOCAL] = local
    app[IDEMPOTENT] = OrderedDict()
    app.add_routes(routes)
    app.add_routes(pages.routes)
    return app
