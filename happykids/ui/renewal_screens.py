"""Renewals on screens that are not its own: the approved receipt's cards, brought up to date when the director
corrects «оплачено до» (the line itself is ui/receipt_copies.paid_until_line)."""

from __future__ import annotations

import contextlib

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.repositories import receipts as repo
from happykids.texts.service import Texts
from happykids.ui.receipt_cards import show_decision
from happykids.ui.receipt_copies import paid_until_line


async def refresh_paid_until(bot: Bot, session: AsyncSession, texts: Texts, receipt_id: int) -> None:
    """Every copy of the card that shows the decision gets the corrected date. Best effort, after the commit:
    the date is on record either way, and a copy deleted or in a chat the bot left is simply skipped."""
    receipt = await repo.get(session, receipt_id, fresh=True)
    if receipt is None:
        return
    pages = await repo.file_count(session, receipt_id)
    extra = await paid_until_line(session, texts, receipt_id)
    for copy in await repo.review_copies(session, receipt_id):
        if copy.shows_decision:
            with contextlib.suppress(TelegramBadRequest, TelegramForbiddenError):
                await show_decision(bot, copy.chat_id, copy.message_id, copy.card_in, receipt, pages, texts, extra)
