"""The local Stripe's hosted pages: Checkout (a test card pays) and the Customer Portal (cancel
or resume a subscription). Plain HTML forms, no scripts, marked TEST MODE."""

from __future__ import annotations

import re
import time
from html import escape

from aiohttp import web

from server.billing.local_stripe.store import LOCAL, Host, Obj, StripeError

routes = web.RouteTableDef()

CARD_OK = "4242424242424242"
CARD_DECLINED = "4000000000000002"

_STYLE = """
body{margin:0;font:15px/1.5 system-ui,sans-serif;background:#f6f7fb;color:#1a1f36}
main{max-width:440px;margin:48px auto;background:#fff;border-radius:12px;padding:28px 32px;
box-shadow:0 2px 16px rgba(30,40,80,.08)}
h1{font-size:20px;margin:0 0 4px} .muted{color:#697386;font-size:13px}
.test{display:inline-block;background:#ffde92;color:#5d3a00;font-weight:600;font-size:12px;
border-radius:4px;padding:2px 8px;margin-bottom:16px}
table{width:100%;border-collapse:collapse;margin:16px 0} td{padding:6px 0}
td.amt{text-align:right} tr.total td{border-top:1px solid #e3e8ee;font-weight:600}
label{display:block;font-size:13px;margin:12px 0 4px;color:#3c4257}
input{width:100%;box-sizing:border-box;padding:10px;border:1px solid #cfd7df;border-radius:6px;
font:inherit} .row{display:flex;gap:12px} .row>div{flex:1}
button{width:100%;margin-top:20px;padding:12px;border:0;border-radius:6px;background:#635bff;
color:#fff;font:600 16px system-ui,sans-serif;cursor:pointer}
button.secondary{background:#fff;color:#c0123c;border:1px solid #e3e8ee}
.error{background:#fde8ec;color:#a4122f;border-radius:6px;padding:10px;margin-top:12px}
a{color:#635bff}
"""


def _local(request: web.Request) -> Host:
    return request.app[LOCAL]  # type: ignore[return-value]


def _money(cents: int, currency: str) -> str:
    sign = "$" if currency == "usd" else currency.upper() + " "
    return f"{sign}{cents / 100:,.2f}"


def _page(title: str, body: str, status: int = 200) -> web.Response:
    html = (
        f"<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<meta name=viewport content='width=device-width,initial-scale=1'>"
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main><span class=test>TEST MODE</span>{body}</main></body></html>"
    )
    return web.Response(text=html, content_type="text/html", status=status)


def _lines(local: Host, session: Obj) -> str:
    rows = []
    for li in local.store.line_items.get(session["id"], []):
        price = local.store.get("price", li["price"])
        product = local.store.objects.get("product", {}).get(price["product"], {})
        every = f" / {price['recurring']['interval']}" if price.get("recurring") else ""
        amount = _money(int(price["unit_amount"]) * int(li["quantity"]), price["currency"])
        rows.append(
            f"<tr><td>{escape(product.get('name', 'Item'))} × {int(li['quantity'])}</td>"
            f"<td class=amt>{amount}{every}</td></tr>"
        )
    total = _money(session["amount_total"], session["currency"] or "usd")
    last = f"<tr class=total><td>Total</td><td class=amt>{total}</td></tr>"
    return f"<table>{''.join(rows)}{last}</table>"


def _checkout_page(
    local: Host, session: Obj, error: str = "", status: int = 200
) -> web.Response:
    email = ""
    if session.get("customer"):
        email = local.store.get("customer", session["customer"]).get("email") or ""
    verb = "Subscribe" if session["mode"] == "subscription" else "Pay"
    total = _money(session["amount_total"], session["currency"] or "usd")
    cancel = session.get("cancel_url")
    back = (
        f"<p class=muted><a href='{escape(cancel)}'>← Cancel and go back</a></p>" if cancel else ""
    )
    err = f"<div class=error role=alert>{escape(error)}</div>" if error else ""
    body = f"""
<h1>Interview Agent</h1><div class=muted>Checkout</div>{_lines(local, session)}
<form method=post>
<label for=email>Email</label><input id=email name=email type=email value="{escape(email)}">
<label for=card>Card number</label>
<input id=card name=card inputmode=numeric autocomplete=cc-number placeholder="4242 4242 4242 4242">
<div class=row><div><label for=exp>Expiry</label><input id=exp name=exp placeholder="MM / YY"></div>
<div><label for=cvc>CVC</label>
<input id=cvc name=cvc inputmode=numeric placeholder="123"></div></div>
<label for=holder>Name on card</label><input id=holder name=holder autocomplete=cc-name>
{err}<button type=submit>{verb} {total}</button></form>{back}
<p class=muted>Test card 4242 4242 4242 4242, any future date, any CVC.</p>"""
    return _page("Checkout", body, status)


def _card_problem(form: dict[str, str]) -> str:
    card = re.sub(r"[\s-]", "", form.get("card", ""))
    if card == CARD_DECLINED:
        return "Your card was declined."
    if card != CARD_OK:
        return "Your card number is incorrect. Use a test card: 4242 4242 4242 4242."
    m = re.fullmatch(r"\s*(\d{1,2})\s*/\s*(\d{2}|\d{4})\s*", form.get("exp", ""))
    if not m or not 1 <= int(m[1]) <= 12:
        return "Your card's expiration date is incomplete."
    year = int(m[2]) + (2000 if len(m[2]) == 2 else 0)
    now = time.gmtime()
    if (year, int(m[1])) < (now.tm_year, now.tm_mon):
        return "Your card's expiration year is in the past."
    if not re.fullmatch(r"\d{3,4}", form.get("cvc", "").strip()):
        return "Your card's security code is incomplete."
    return ""


@routes.get("/checkout/{id}")
async def checkout_page(request: web.Request) -> web.Response:
    local = _local(request)
    session = _open_session(local, request.match_info["id"])
    if isinstance(session, web.Response):
        return session
    return _checkout_page(local, session)


def _open_session(local: Host, ident: str) -> Obj | web.Response:
    try:
        session = local.store.get("checkout.session", ident)
    except StripeError:
        return _page("Not found", "<h1>This checkout link is not valid.</h1>", 404)
    if session["status"] != "open":
        return _page("Checkout", f"<h1>This checkout is {escape(session['status'])}.</h1>", 410)
    return session


@routes.post("/checkout/{id}")
async def pay(request: web.Request) -> web.Response:
    local = _local(request)
    session = _open_session(local, request.match_info["id"])
    if isinstance(session, web.Response):
        return session
    form = {k: str(v) for k, v in (await request.post()).items()}
    problem = _card_problem(form)
    if problem:
        return _checkout_page(local, session, problem, status=402)
    await complete(local, session)
    url = session["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"])
    raise web.HTTPSeeOther(url)


async def complete(local: Host, session: Obj) -> None:
    """Pay an open session: subscription or charge, then the webhooks Stripe would send."""
    store = local.store
    changes: list[tuple[str, Obj]] = []
    if session["mode"] == "subscription":
        sub, invoice = store.subscribe(session)
        session["subscription"], session["invoice"] = sub["id"], invoice["id"]
        changes += [("customer.subscription.created", sub), ("invoice.paid", invoice)]
    else:
        intent, charge = store.charge(
            session["customer"], session["amount_total"], session["currency"]
        )
        intent["metadata"] = dict((session.get("payment_intent_data") or {}).get("metadata") or {})
        session["payment_intent"] = intent["id"]
        changes.append(("charge.succeeded", charge))
    session["status"], session["payment_status"] = "complete", "paid"
    changes.append(("checkout.session.completed", session))
    await local.emit(changes)


# --- customer portal -------------------------------------------------------------------------


def _portal(local: Host, ident: str) -> Obj:
    try:
        return local.store.get("billing_portal.session", ident)
    except StripeError:
        raise web.HTTPNotFound(text="This portal link is not valid.") from None


@routes.get("/portal/{id}")
async def portal_page(request: web.Request) -> web.Response:
    local = _local(request)
    portal = _portal(local, request.match_info["id"])
    subs = [s for s in local.store.all("subscription") if s["customer"] == portal["customer"]]
    blocks = []
    for sub in subs:
        item = sub["items"]["data"][0]
        end = time.strftime("%d %b %Y", time.gmtime(item["current_period_end"]))
        price = _money(item["price"]["unit_amount"], item["price"]["currency"])
        if sub["status"] == "canceled":
            state, action = "Canceled", ""
        elif sub["cancel_at_period_end"]:
            state = f"Cancels on {end}"
            action = (
                f"<form method=post action='/portal/{escape(portal['id'])}/resume'>"
                f"<input type=hidden name=sub value='{escape(sub['id'])}'>"
                f"<button type=submit>Renew plan</button></form>"
            )
        else:
            state = f"Renews on {end}"
            action = (
                f"<form method=post action='/portal/{escape(portal['id'])}/cancel'>"
                f"<input type=hidden name=sub value='{escape(sub['id'])}'>"
                f"<button class=secondary type=submit>Cancel plan</button></form>"
            )
        blocks.append(
            f"<table><tr><td>Premium · {price} / month</td>"
            f"<td class=amt data-status='{escape(sub['status'])}'>{escape(state)}</td>"
            f"</tr></table>{action}"
        )
    body = "".join(blocks) or "<p class=muted>No subscriptions.</p>"
    back = portal.get("return_url")
    link = f"<p><a href='{escape(back)}'>← Return to Interview Agent</a></p>" if back else ""
    return _page("Billing portal", f"<h1>Manage billing</h1>{body}{link}")


async def _set_cancel(request: web.Request, flag: bool) -> web.Response:
    local = _local(request)
    portal = _portal(local, request.match_info["id"])
    form = await request.post()
    sub = local.store.objects.get("subscription", {}).get(str(form.get("sub", "")))
    if sub is None or sub["customer"] != portal["customer"]:
        raise web.HTTPNotFound(text="No such subscription.")
    try:
        local.store.set_cancel_at_period_end(sub, flag)
    except StripeError as exc:
        raise web.HTTPConflict(text=str(exc)) from None
    await local.emit([("customer.subscription.updated", sub)])
    raise web.HTTPSeeOther(f"/portal/{portal['id']}")


@routes.post("/portal/{id}/cancel")
async def portal_cancel(request: web.Request) -> web.Response:
    return await _set_cancel(request, True)


@routes.post("/portal/{id}/resume")
async def portal_resume(request: web.Request) -> web.Response:
    return await _set_cancel(request, False)
