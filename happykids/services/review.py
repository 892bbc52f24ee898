"""The director's decision on a receipt: one decision wins, everything that follows goes to the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from happykids.ui.keyboards.receipts import more_keyboard
from happykids.ui.receipt_cards import send_copy
from happykids.db.models import Receipt
from happykids.db.repositories import receipts as repo
from happykids.db.repositories.parents import record_event
from happykids.domain.receipts import AlreadyDecided, Decision, decide, is_final, paginate
from happykids.workers.receipt_tasks import enqueue_decision, finish_if_decided

if TYPE_CHECKING:
    from happykids.app.wiring import App

PAGE_SIZE = 5


@dataclass(frozen=True, slots=True)
class Outcome:
    won: bool  # this call made the decision
    receipt: Receipt | None  # as it is now (None: no such receipt)


async def decide_receipt(db: async_sessionmaker[AsyncSession], receipt_id: int, decision: Decision, *,
                         by_admin: bool, admin_id: int, admin_name: str, reason: str | None = None) -> Outcome:
    """Raises NotAllowed for a non-admin. The conditional UPDATE makes concurrent presses safe."""
    async with db() as session:
        async with session.begin():
            receipt = await session.get(Receipt, receipt_id)
            if receipt is None:
                return Outcome(False, None)
            try:
                status = decide(receipt.status, decision, by_admin=by_admin)
            except AlreadyDecided:
                return Outcome(False, receipt)
            won = await repo.decide(session, receipt_id, status, admin_id, admin_name, reason)
            if won:
                enqueue_decision(session, receipt_id)
                if decision is Decision.APPROVE:
                    await record_event(session, receipt.user_id, "approved", receipt.group_code)
        current = await session.get(Receipt, receipt_id, populate_existing=True)
        return Outcome(won, current)


async def send_pending_page(app: App, chat_id: int, page: int) -> None:
    """/receipts: pending receipts, newest first, each with its buttons; a "more" button when there are more."""
    bot, db, texts = app.bot, app.sessions, app.texts
    async with db() as session:
        total = await repo.pending_count(session)
        current = paginate(total, page, PAGE_SIZE)
        receipts = await repo.pending_page(session, current.offset, current.limit)
    if not receipts:
        await bot.send_message(chat_id, await texts.get("review.list_empty"))
        return
    for receipt in receipts:
        async with db() as session:
            files = await repo.files_of(session, receipt.id)
        copy = await send_copy(bot, chat_id, receipt, files, texts)
        async with db() as session, session.begin():
            repo.add_copy(session, receipt.id, chat_id, copy.message_id, copy.card_in, is_final(receipt.status))
        await finish_if_decided(app, receipt.id, chat_id, copy.message_id)
    more = (more_keyboard(current.number + 1, await texts.plain("btn.review_more"))
            if current.number < current.pages else None)
    footer = await texts.get("review.list_footer", count=total, first=current.offset + 1,
                             last=current.offset + len(receipts))
    await bot.send_message(chat_id, footer, reply_markup=more)
