"""Premium gating for new interviews: a live subscription, else one credit spent atomically in
the interview's own transaction (so a rejected or failed create spends nothing)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from server.billing.plans import RENEWAL_GRACE_S, is_premium
from server.http.errors import AppError
from storage.models import Interview, User, utcnow
from storage.queries import billing as q
from storage.queries import interviews


async def authorize_premium(s: AsyncSession, user: User, interview: Interview) -> str:
    """How the interview is paid for: "free", "subscription" or "credit"; else 402.

    Call it in the transaction that created `interview`, after the insert: the insert takes
    SQLite's write lock before any read here, and a 402 rolls the interview back.
    """
    if not is_premium(interview.company):
        return "free"
    if await q.has_premium_access(s, user.id, utcnow(), RENEWAL_GRACE_S):
        paid_with = "subscription"
    elif await q.spend_credit(s, user.id, interview.id) is not None:
        paid_with = "credit"
    else:
        raise AppError(
            402,
            "payment_required",
            "premium company styles need the monthly plan or an interview credit",
        )
    await interviews.record_payment_method(s, interview, paid_with)
    return paid_with
