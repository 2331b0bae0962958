"""The local Stripe's objects and what happens to them: Stripe's JSON shapes, kept in memory and
saved to a JSON file so test-mode customers and subscriptions survive a restart.

Object times come from a test clock (real time plus an offset, like Stripe's test clocks), so a
test can let a billing period run out; signatures on webhooks always use the real time.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from aiohttp import web

MAX_OBJECTS = 20_000  # per kind; a loopback test tool, but nothing grows without a bound
PERIOD_S = {"day": 86_400, "week": 7 * 86_400, "month": 30 * 86_400, "year": 365 * 86_400}
API_VERSION = "2026-10-28.endive"

Obj = dict[str, Any]



class Host(Protocol):
    """What the API and the pages need of the running server (`LocalStripe` is one)."""

    api_key: str
    store: Store

    @property
    def base_url(self) -> str: ...

    async def emit(self, changes: list[tuple[str, Obj]]) -> list[Obj]: ...

    async def persist(self) -> None: ...


# The running server on its aiohttp app.
LOCAL = web.AppKey("local_stripe", object)


class StripeError(Exception):
    """An API error in Stripe's shape: `{"error": {"type", "code", "message", "param"}}`."""

    def __init__(
        self, status: int, message: str, code: str | None = None, param: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.param = param

    def body(self) -> Obj:
        kind = "card_error" if self.status == 402 else "invalid_request_error"
        if self.status == 401:
            kind = "authentication_error"
        err = {"type": kind, "message": str(self), "code": self.code, "param": self.param}
        return {"error": {k: v for k, v in err.items() if v is not None}}


def missing(kind: str, ident: str, param: str = "id") -> StripeError:
    return StripeError(404, f"No such {kind}: '{ident}'", "resource_missing", param)


class Store:
    def __init__(self, path: Path | None = None, wall: Callable[[], float] = time.time) -> None:
        self.path = path
        self._wall = wall
        self.offset_s = 0.0
        self.objects: dict[str, dict[str, Obj]] = {}
        self.line_items: dict[str, list[Obj]] = {}  # checkout session id → its line items
        self.events: list[Obj] = []
        if path is not None and path.exists():
            self._load(json.loads(path.read_text()))

    # --- time and ids ------------------------------------------------------------------------

    def now(self) -> int:
        return int(self._wall() + self.offset_s)

    @staticmethod
    def new_id(prefix: str) -> str:
        return f"{prefix}_{secrets.token_hex(12)}"

    # --- generic storage ---------------------------------------------------------------------

    def put(self, kind: str, obj: Obj) -> Obj:
        table = self.objects.setdefault(kind, {})
        if obj["id"] not in table and len(table) >= MAX_OBJECTS:
            raise StripeError(400, f"too many {kind} objects in the local Stripe server")
        table[obj["id"]] = obj
        return obj

    def get(self, kind: str, ident: str, label: str | None = None) -> Obj:
        obj = self.objects.get(kind, {}).get(ident)
        if obj is None:
            raise missing(label or kind, ident)
        return obj

    def all(self, kind: str) -> list[Obj]:
        return list(self.objects.get(kind, {}).values())

    def add_event(self, event_type: str, obj: Obj) -> Obj:
        event = {
            "id": self.new_id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": self.now(),
            "type": event_type,
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "data": {"object": json.loads(json.dumps(obj))},
        }
        self.events.append(event)
        del self.events[:-MAX_OBJECTS]
        return event

    # --- persistence -------------------------------------------------------------------------

    def snapshot(self) -> str:
        return json.dumps(
            {
                "offset_s": self.offset_s,
                "objects": self.objects,
                "line_items": self.line_items,
                "events": self.events[-500:],
            }
        )

    def _load(self, data: Obj) -> None:
        self.offset_s = float(data.get("offset_s", 0.0))
        self.objects = data.get("objects", {})
        self.line_items = data.get("line_items", {})
        self.events = data.get("events", [])

    def save(self, text: str) -> None:
        """Write a snapshot atomically (called off the event loop)."""
        if self.path is None:
            return
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(text)
        tmp.replace(self.path)

    # --- subscriptions and money -------------------------------------------------------------

    def period_end(self, start: int, price: Obj) -> int:
        rec = price.get("recurring") or {"interval": "month", "interval_count": 1}
        return start + PERIOD_S[rec["interval"]] * int(rec.get("interval_count") or 1)

    def charge(self, customer: str | None, amount: int, currency: str) -> tuple[Obj, Obj]:
        """A succeeded PaymentIntent and its Charge."""
        now = self.now()
        intent = self.put(
            "payment_intent",
            {
                "id": self.new_id("pi"),
                "object": "payment_intent",
                "amount": amount,
                "amount_received": amount,
                "currency": currency,
                "customer": customer,
                "status": "succeeded",
                "created": now,
            },
        )
        charge = self.put(
            "charge",
            {
                "id": self.new_id("ch"),
                "object": "charge",
                "amount": amount,
                "amount_captured": amount,
                "amount_refunded": 0,
                "refunded": False,
                "captured": True,
                "paid": True,
                "status": "succeeded",
                "currency": currency,
                "customer": customer,
                "payment_intent": intent["id"],
                "created": now,
            },
        )
        intent["latest_charge"] = charge["id"]
        return intent, charge

    def invoice(self, sub: Obj, reason: str) -> Obj:
        item = sub["items"]["data"][0]
        amount = int(item["price"]["unit_amount"]) * int(item["quantity"])
        intent, _ = self.charge(sub["customer"], amount, item["price"]["currency"])
        now = self.now()
        return self.put(
            "invoice",
            {
                "id": self.new_id("in"),
                "object": "invoice",
                "customer": sub["customer"],
                "status": "paid",
                "billing_reason": reason,
                "amount_due": amount,
                "amount_paid": amount,
                "amount_remaining": 0,
                "currency": item["price"]["currency"],
                "payment_intent": intent["id"],
                "period_start": item["current_period_start"],
                "period_end": item["current_period_end"],
                "parent": {
                    "type": "subscription_details",
                    "subscription_details": {
                        "subscription": sub["id"],
                        "metadata": dict(sub.get("metadata") or {}),
                    },
                },
                "created": now,
                "status_transitions": {"paid_at": now},
            },
        )

    def subscribe(self, session: Obj) -> tuple[Obj, Obj]:
        """The subscription (and its first paid invoice) a completed checkout starts."""
        items = self.line_items[session["id"]]
        now = self.now()
        sub_id = self.new_id("sub")
        data = []
        for li in items:
            price = self.get("price", li["price"])
            data.append(
                {
                    "id": self.new_id("si"),
                    "object": "subscription_item",
                    "price": price,
                    "quantity": int(li.get("quantity") or 1),
                    "subscription": sub_id,
                    "current_period_start": now,
                    "current_period_end": self.period_end(now, price),
                    "created": now,
                }
            )
        sub = self.put(
            "subscription",
            {
                "id": sub_id,
                "object": "subscription",
                "customer": session["customer"],
                "status": "active",
                "cancel_at_period_end": False,
                "cancel_at": None,
                "canceled_at": None,
                "ended_at": None,
                "created": now,
                "start_date": now,
                "livemode": False,
                "metadata": dict((session.get("subscription_data") or {}).get("metadata") or {}),
                "items": {
                    "object": "list",
                    "data": data,
                    "has_more": False,
                    "url": f"/v1/subscription_items?subscription={sub_id}",
                },
            },
        )
        invoice = self.invoice(sub, "subscription_create")
        sub["latest_invoice"] = invoice["id"]
        return sub, invoice

    def set_cancel_at_period_end(self, sub: Obj, flag: bool) -> None:
        if sub["status"] == "canceled":
            raise StripeError(400, "A canceled subscription can only update its metadata.")
        sub["cancel_at_period_end"] = flag
        end = sub["items"]["data"][0]["current_period_end"]
        sub["cancel_at"] = end if flag else None
        sub["canceled_at"] = self.now() if flag else None

    def cancel_now(self, sub: Obj) -> None:
        now = self.now()
        sub["status"] = "canceled"
        sub["ended_at"] = now
        sub["canceled_at"] = sub.get("canceled_at") or now

    def due(self) -> list[tuple[str, Obj]]:
        """Move every active subscription whose period is over: renew it, or end it if it was
        set to cancel. Returns the events to send, oldest first."""
        out: list[tuple[str, Obj]] = []
        for sub in self.all("subscription"):
            if sub["status"] not in ("active", "trialing"):
                continue
            while sub["status"] == "active":
                item = sub["items"]["data"][0]
                end = item["current_period_end"]
                if end > self.now():
                    break
                if sub["cancel_at_period_end"]:
                    self.cancel_now(sub)
                    sub["ended_at"] = end
                    out.append(("customer.subscription.deleted", sub))
                    break
                for it in sub["items"]["data"]:
                    it["current_period_start"] = end
                    it["current_period_end"] = self.period_end(end, it["price"])
                invoice = self.invoice(sub, "subscription_cycle")
                sub["latest_invoice"] = invoice["id"]
                out += [("invoice.paid", invoice), ("customer.subscription.updated", sub)]
        return out
