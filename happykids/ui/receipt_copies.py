"""A receipt's copies in admins' chats: show one and remember where it is, bring one up to the decision.

Shared by the outbox tasks (the first copy to every admin, the decision on every copy) and the review
handlers (/receipts, a press that lost the race). Each function works in the session it is given and
commits its own writes at once, so the copy is on record before anything else can look for it.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.models import Receipt, ReceiptFile, ReviewMessage
from happykids.db.repositories import receipts as repo
from happykids.domain.receipts import is_final
from happykids.services.crash_points import crash_point
from happykids.texts.service import Texts
from happykids.ui.receipt_cards import SentCopy, send_copy, show_decision

log = logging.getLogger(__name__)


async def show_copy(bot: Bot, session: AsyncSession, texts: Texts, chat_id: int, receipt: Receipt,
                    files: list[ReceiptFile]) -> SentCopy:
    """Send the receipt to `chat_id` and record the copy (already final if it was decided)."""
    copy = await send_copy(bot, chat_id, receipt, files, texts)
    crash_point("card_sent")
    repo.add_copy(session, receipt.id, chat_id, copy.message_id, copy.card_in, is_final(receipt.status))
    await session.commit()
    return copy


async def finish_if_decided(bot: Bot, session: AsyncSession, texts: Texts, receipt_id: int, chat_id: int,
                            message_id: int) -> None:
    """A decision committed while this copy was on its way may have missed it: show it on the copy too."""
    receipt = await repo.get(session, receipt_id, fresh=True)
    copy = await repo.copy_at(session, chat_id, message_id)
    pages = await repo.file_count(session, receipt_id)
    if receipt is not None and copy is not None and is_final(receipt.status) and not copy.shows_decision:
        await show_decision_on(bot, session, texts, receipt, copy, pages)


async def show_decision_on(bot: Bot, session: AsyncSession, texts: Texts, receipt: Receipt, copy: ReviewMessage,
                           pages: int) -> None:
    """Edit one copy to the final state, exactly once."""
    # Claim first: two tasks editing the same message would send an identical edit, which Telegram refuses.
    claimed = await repo.claim_copy(session, copy.id)
    await session.commit()
    if not claimed:
        return
    crash_point("card_claimed")
    try:
        await show_decision(bot, copy.chat_id, copy.message_id, copy.card_in, receipt, pages, texts)
        crash_point("card_edited")
    except (TelegramForbiddenError, TelegramBadRequest) as exc:
        # Deleted by the admin, or the bot left that chat: nothing left to update there.
        log.warning("Receipt %s: cannot update the copy in chat %s: %s", receipt.id, copy.chat_id, exc.message)
    except BaseException:
        await repo.release_copy(session, copy.id)
        await session.commit()
        raise
