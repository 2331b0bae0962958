"""Payments: plans, Stripe checkout and portal, signed webhooks, premium gating.

`startup.payments` picks Stripe (STRIPE_SECRET_KEY) or starts the local Stripe-wire server
(`server.billing.local_stripe`) on 127.0.0.1; everything else is the same code either way.
"""

from server.billing.access import authorize_premium

__all__ = ["authorize_premium"]
