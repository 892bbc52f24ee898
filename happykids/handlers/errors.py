"""One place for unexpected errors: log them, never leave the parent with a spinning button or silence."""

from __future__ import annotations

import contextlib
import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.types import ErrorEvent
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from happykids.db.repositories.parents import mark_blocked
from happykids.texts.service import Texts
from happykids.ui.answered import AnsweredCallbacks

log = logging.getLogger(__name__)
router = Router(name="errors")


@router.errors()
async def on_error(event: ErrorEvent, bot: Bot, texts: Texts, db: async_sessionmaker[AsyncSession],
                   answered_callbacks: AnsweredCallbacks) -> None:
    update = event.update
    message = update.message or update.edited_message
    chat_id = None
    if message:
        chat_id = message.chat.id
    elif update.callback_query:
        chat_id = update.callback_query.from_user.id
    if isinstance(event.exception, TelegramForbiddenError) and chat_id:
        log.info("User %s blocked the bot; marking them so broadcasts skip them", chat_id)
        async with db() as session, session.begin():
            await mark_blocked(session, chat_id)
        return
    log.error("Обновление %s не обработано из-за ошибки в коде бота", update.update_id, exc_info=event.exception)
    with contextlib.suppress(TelegramAPIError):
        if update.pre_checkout_query:  # no chat to write to; unanswered, the payment would hang for 10 seconds
            await update.pre_checkout_query.answer(ok=False, error_message=await texts.plain("tgpay.refused_error"))
            return
        if update.callback_query and update.callback_query.id not in answered_callbacks:
            await update.callback_query.answer(await texts.plain("common.error"))
        elif chat_id and (message is None or message.chat.type == "private"):
            await bot.send_message(chat_id, await texts.get("common.error"))
