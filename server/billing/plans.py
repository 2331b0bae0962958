"""The plans and their prices. Prices live here, on the server: the client names a plan and a
quantity, never an amount (roadmap §6: Free Practice free; Premium $29/month; $5 a credit)."""

from __future__ import annotations

from dataclasses import dataclass

from server.http.schemas import PREMIUM_COMPANIES

MAX_CREDITS_PER_CHECKOUT = 20
# A renewing subscription keeps access this long past its period end, while Stripe charges
# and reports the renewal; one set to cancel ends exactly at its period end.
RENEWAL_GRACE_S = 24 * 3600.0


@dataclass(frozen=True)
class Plan:
    id: str
    name: str
    amount: int  # cents
    currency: str
    interval: str | None  # "month" for a subscription, None for one-off


FREE = Plan("free", "Free Practice", 0, "usd", None)
MONTHLY = Plan("monthly", "Premium", 2900, "usd", "month")
CREDITS = Plan("credits", "Interview credit", 500, "usd", None)
PAID = {MONTHLY.id: MONTHLY, CREDITS.id: CREDITS}


def is_premium(company: str) -> bool:
    return company in PREMIUM_COMPANIES


def plans_out() -> list[dict[str, object]]:
    return [
        {
            "id": p.id,
            "name": p.name,
            "amount": p.amount,
            "currency": p.currency,
            "interval": p.interval,
        }
        for p in (FREE, MONTHLY, CREDITS)
    ]
