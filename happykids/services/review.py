"""The director's decision on a receipt: one decision wins, everything that follows goes to the outbox.

A press also heals the card it came from: a card not on record (sent before a crash, or by an older version)
is put on record, so the decision edits it like every other copy; a press on a card of a receipt decided
already queues the decision edit again for a card that does not show it. No second decision, no error.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.models import Receipt
from happykids.db.repositories import receipts as repo
from happykids.db.repositories.parents import record_event
from happykids.domain.receipts import AlreadyDecided, CardRef, Decision, decide
from happykids.domain.reporting import FunnelStep
from happykids.services.project_payments import on_approved
from happykids.services.receipt_outbox import enqueue_decision, enqueue_show_decision
from happykids.services.renewals import on_payment_approved


@dataclass(frozen=True, slots=True)
class Outcome:
    won: bool  # this call made the decision
    receipt: Receipt | None  # as it is now (None: no such receipt)


async def decide_receipt(session: AsyncSession, receipt_id: int, decision: Decision, *, by_admin: bool,
                         admin_id: int, admin_name: str, reason: str | None = None,
                         card: CardRef | None = None) -> Outcome:
    """Record the decision and its follow-up tasks in the caller's transaction; the caller commits, then
    wakes the outbox. Raises NotAllowed for a non-admin. The conditional UPDATE makes concurrent presses
    safe: exactly one of them wins, the others get the receipt as the winner left it. `card`: the card
    pressed, put on record if it is not."""
    receipt = await repo.get(session, receipt_id)
    if receipt is None:
        return Outcome(False, None)
    await adopt_card(session, receipt_id, card)
    try:
        status = decide(receipt.status, decision, by_admin=by_admin)
    except AlreadyDecided:
        return Outcome(False, receipt)
    won = await repo.decide(session, receipt_id, status, admin_id, admin_name, reason)
    if won:
        enqueue_decision(session, receipt_id)
        if decision is Decision.APPROVE and receipt.project_id is not None:
            await on_approved(session, receipt)  # the project's application is «оплачено»
        elif decision is Decision.APPROVE:
            await record_event(session, receipt.user_id, FunnelStep.APPROVED, receipt.group_code)
            await on_payment_approved(session, receipt)  # "paid until" and its renewal reminders
    return Outcome(won, await repo.get(session, receipt_id, fresh=True))


async def adopt_card(session: AsyncSession, receipt_id: int, card: CardRef | None) -> None:
    """Put the pressed card on record if it is not, in the caller's transaction."""
    if card is not None:
        await repo.adopt_copy(session, receipt_id, card.chat_id, card.message_id, card.card_in)


async def heal_card(session: AsyncSession, receipt: Receipt, card: CardRef | None) -> bool:
    """A press on a card of a decided receipt: make sure THAT message shows the decision and loses its buttons.
    The outbox's decision task does the edit (durably: a kill meanwhile does not leave the card live). True if
    a task was queued: the caller commits and wakes the outbox."""
    if card is None:
        return False
    await adopt_card(session, receipt.id, card)
    copy = await repo.copy_at(session, card.chat_id, card.message_id)
    if copy is None or copy.shows_decision:
        return False  # it shows the decision already (the admin's app had not caught up)
    enqueue_show_decision(session, receipt.id)
    return True


# --- payments that need no director (issue #13: paid inside Telegram) ---------------------------------------
SYSTEM_ADMIN_ID = 0  # `decided_by` of a payment that approved itself: no Telegram user has id 0


async def approve_automatically(session: AsyncSession, receipt_id: int, *, by_name: str) -> Outcome:
    """Approve a payment the provider has confirmed (paid inside Telegram), without the director. It goes
    through `decide_receipt` like her «Подтвердить», so whatever an approval sets off (the parent's message,
    the funnel, "paid until") happens for it too. `by_name`: what the card and the export show as who decided."""
    return await decide_receipt(session, receipt_id, Decision.APPROVE, by_admin=True, admin_id=SYSTEM_ADMIN_ID,
                                admin_name=by_name)
