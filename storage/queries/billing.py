"""Billing records: Stripe customers, subscriptions, payments, the credit ledger, webhook events.

Credits are spent with one conditional UPDATE (`credits >= 1`), so two concurrent starts can
never spend the same credit: on PostgreSQL the second UPDATE waits for the first's row lock and
re-checks the condition; on SQLite writers are serialised. Every balance change writes a ledger
row whose unique idempotency key makes the change happen at most once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import NotFound
from storage.models import (
    CreditLedger,
    Interview,
    Payment,
    Subscription,
    Transcription,
    User,
    WebhookEvent,
    utcnow,
)

PAYMENTS_SHOWN = 50


@dataclass(frozen=True)
class SubscriptionState:
    """What a Stripe subscription object says, reduced to what we keep."""

    stripe_subscription_id: str
    stripe_customer_id: str
    plan: str
    status: str
    current_period_end: datetime | None
    cancel_at_period_end: bool


# --- customers -------------------------------------------------------------------------------


async def set_customer_id(s: AsyncSession, user_id: str, customer_id: str) -> str:
    """Remember the user's Stripe customer unless one is already set; returns the one kept."""
    kept = await s.scalar(
        update(User)
        .where(User.id == user_id, User.stripe_customer_id.is_(None))
        .values(stripe_customer_id=customer_id)
        .returning(User.stripe_customer_id)
    )
    if kept is not None:
        return kept
    existing = await s.scalar(select(User.stripe_customer_id).where(User.id == user_id))
    if existing is None:
        raise NotFound("user", user_id)
    return existing


async def user_for_customer(s: AsyncSession, customer_id: str) -> User | None:
    return await s.scalar(select(User).where(User.stripe_customer_id == customer_id))


# --- subscriptions ---------------------------------------------------------------------------


async def apply_subscription(
    s: AsyncSession, user_id: str, state: SubscriptionState, event_created: int
) -> bool:
    """Store a subscription snapshot unless a newer event already did; False when ignored.

    A canceled subscription is final in Stripe, so nothing moves it back, whatever the order.
    """
    row = await s.scalar(
        select(Subscription).where(
            Subscription.stripe_subscription_id == state.stripe_subscription_id
        )
    )
    values = {
        "plan": state.plan,
        "status": state.status,
        "current_period_end": state.current_period_end,
        "cancel_at_period_end": state.cancel_at_period_end,
        "event_created": event_created,
        "updated_at": utcnow(),
    }
    if row is None:
        s.add(
            Subscription(
                user_id=user_id,
                stripe_customer_id=state.stripe_customer_id,
                stripe_subscription_id=state.stripe_subscription_id,
                **values,
            )
        )
        await s.flush()
        return True
    result = await s.execute(
        update(Subscription)
        .where(
            Subscription.id == row.id,
            Subscription.event_created <= event_created,
            Subscription.status != "canceled",
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    await s.refresh(row)
    return bool(result.rowcount)


async def current_subscription(s: AsyncSession, user_id: str) -> Subscription | None:
    """The user's most relevant subscription: a live one first, else the latest."""
    rows = list(
        await s.scalars(
            select(Subscription)
            .where(Subscription.user_id == user_id)
            .order_by(Subscription.updated_at.desc())
        )
    )
    live = [r for r in rows if r.status in ("active", "trialing", "past_due")]
    return (live or rows or [None])[0]


async def has_premium_access(
    s: AsyncSession, user_id: str, now: datetime, renewal_grace_s: float
) -> bool:
    """An active subscription whose paid period has not run out.

    A renewing subscription gets `renewal_grace_s` past its period end, the time Stripe takes to
    charge and report the renewal; one set to cancel ends exactly at its period end.
    """
    for row in await s.scalars(
        select(Subscription).where(
            Subscription.user_id == user_id, Subscription.status.in_(("active", "trialing"))
        )
    ):
        if row.current_period_end is None:
            return True
        grace = 0.0 if row.cancel_at_period_end else renewal_grace_s
        if (row.current_period_end - now).total_seconds() + grace > 0:
            return True
    return False


# --- credits ---------------------------------------------------------------------------------


async def _ledger(
    s: AsyncSession,
    user_id: str,
    delta: int,
    balance_after: int,
    reason: str,
    key: str,
    interview_id: str | None = None,
) -> None:
    s.add(
        CreditLedger(
            user_id=user_id,
            delta=delta,
            balance_after=balance_after,
            reason=reason,
            idempotency_key=key,
            interview_id=interview_id,
        )
    )
    await s.flush()


async def _ledger_has(s: AsyncSession, key: str) -> bool:
    return bool(await s.scalar(select(exists().where(CreditLedger.idempotency_key == key))))


async def credit_balance(s: AsyncSession, user_id: str) -> int:
    return int(await s.scalar(select(User.credits).where(User.id == user_id)) or 0)


async def spend_credit(s: AsyncSession, user_id: str, interview_id: str) -> int | None:
    """Take one credit for an interview in one conditional statement; the balance left, or None
    when there was none to take."""
    left = await s.scalar(
        update(User)
        .where(User.id == user_id, User.credits >= 1)
        .values(credits=User.credits - 1)
        .returning(User.credits)
    )
    if left is None:
        return None
    await _ledger(s, user_id, -1, left, "interview", f"spend:{interview_id}", interview_id)
    return left


async def add_credits(s: AsyncSession, user_id: str, n: int, reason: str, key: str) -> bool:
    """Grant `n` credits once per `key`; False if that key was already applied."""
    if n <= 0 or await _ledger_has(s, key):
        return False
    balance = await s.scalar(
        update(User)
        .where(User.id == user_id)
        .values(credits=User.credits + n)
        .returning(User.credits)
    )
    if balance is None:
        raise NotFound("user", user_id)
    await _ledger(s, user_id, n, balance, reason, key)
    return True


async def revoke_credits(s: AsyncSession, user_id: str, n: int, key: str) -> int:
    """Take back up to `n` credits (a refunded purchase), never below zero; how many were taken."""
    if n <= 0 or await _ledger_has(s, key):
        return 0
    balance = await credit_balance(s, user_id)
    take = min(n, balance)
    if take == 0:
        return 0
    left = await s.scalar(
        update(User)
        .where(User.id == user_id, User.credits >= take)
        .values(credits=User.credits - take)
        .returning(User.credits)
    )
    if left is None:  # spent meanwhile: take what remains next time a refund arrives
        return 0
    await _ledger(s, user_id, -take, left, "revoked", key)
    return take


async def revoked_so_far(s: AsyncSession, key_prefix: str) -> int:
    """Credits already taken back under keys starting with `key_prefix` (one charge's refunds)."""
    total = await s.scalar(
        select(func.coalesce(func.sum(CreditLedger.delta), 0)).where(
            CreditLedger.idempotency_key.startswith(key_prefix, autoescape=True)
        )
    )
    return -int(total or 0)


async def refund_interview_credit(s: AsyncSession, interview_id: str) -> bool:
    """Give back the credit of an interview that failed before the candidate said anything.

    Call it when a session ends; it does nothing unless the interview is `failed`, was paid with
    a credit, has no candidate transcript, and was not refunded already.
    """
    row = await s.get(Interview, interview_id)
    if row is None or row.status != "failed":
        return False
    spend = await s.scalar(
        select(CreditLedger).where(CreditLedger.idempotency_key == f"spend:{interview_id}")
    )
    if spend is None:
        return False
    spoke = await s.scalar(
        select(
            exists().where(
                Transcription.interview_id == interview_id, Transcription.speaker == "candidate"
            )
        )
    )
    if spoke:
        return False
    return await add_credits(s, spend.user_id, 1, "refund", f"refund:{interview_id}")


async def ledger_sum(s: AsyncSession, user_id: str) -> int:
    total = await s.scalar(
        select(func.coalesce(func.sum(CreditLedger.delta), 0)).where(
            CreditLedger.user_id == user_id
        )
    )
    return int(total or 0)


# --- payments --------------------------------------------------------------------------------


async def record_payment(
    s: AsyncSession,
    user_id: str,
    *,
    stripe_object_id: str,
    kind: str,
    amount: int,
    currency: str,
    status: str,
    credits: int = 0,
    payment_intent_id: str | None = None,
) -> Payment:
    """Insert or update the payment for one Stripe object (checkout session or invoice)."""
    row = await s.scalar(select(Payment).where(Payment.stripe_object_id == stripe_object_id))
    if row is None:
        row = Payment(
            user_id=user_id,
            stripe_object_id=stripe_object_id,
            kind=kind,
            amount=amount,
            currency=currency,
            status=status,
            credits=credits,
            stripe_payment_intent_id=payment_intent_id,
        )
        s.add(row)
    elif row.status != "refunded":
        row.status = status
        row.amount = amount
        row.stripe_payment_intent_id = row.stripe_payment_intent_id or payment_intent_id
    await s.flush()
    return row


async def payment_for_intent(s: AsyncSession, payment_intent_id: str) -> Payment | None:
    return await s.scalar(
        select(Payment).where(Payment.stripe_payment_intent_id == payment_intent_id)
    )


async def list_payments(s: AsyncSession, user_id: str) -> list[Payment]:
    return list(
        await s.scalars(
            select(Payment)
            .where(Payment.user_id == user_id)
            .order_by(Payment.created_at.desc(), Payment.id.desc())
            .limit(PAYMENTS_SHOWN)
        )
    )


# --- webhook events --------------------------------------------------------------------------


async def event_seen(s: AsyncSession, event_id: str) -> bool:
    return bool(await s.scalar(select(exists().where(WebhookEvent.id == event_id))))


async def mark_event(s: AsyncSession, event_id: str, event_type: str, created: int) -> None:
    """Record the event as handled; a concurrent duplicate fails on the primary key."""
    s.add(WebhookEvent(id=event_id, type=event_type, created=created))
    await s.flush()


async def customer_of(s: AsyncSession, user_id: str) -> str | None:
    return await s.scalar(select(User.stripe_customer_id).where(User.id == user_id))
