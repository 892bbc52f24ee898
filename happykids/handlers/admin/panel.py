"""Shared mechanics of the panel: its own FSM context, showing a screen, asking for input, the audit.

The panel is one message edited in place as the director taps (instant, no clutter); after she types
something, the next screen comes as a new message below her text.
"""

from __future__ import annotations

import contextlib
import html
import re
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import BaseFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, TelegramObject, User
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.ui.keyboards.admin import cancel_keyboard
from happykids.db.repositories.admins import audit

ADMIN_DESTINY = "admin"


class AdminStateMiddleware(BaseMiddleware):
    """Gives admin filters and handlers `admin_state`: the panel's FSM context, apart from the parent's
    dialog (`state`), so typing a new title never breaks a payment in progress and vice versa."""

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        state: FSMContext | None = data.get("state")
        if state is not None:
            data["admin_state"] = FSMContext(storage=state.storage, key=replace(state.key, destiny=ADMIN_DESTINY))
        return await handler(event, data)


class LeaveInputOnPress(BaseMiddleware):
    """Any button pressed while the panel waits for typed input (a panel button, a receipt decision, a
    payment-dialog button) means she went elsewhere: stop waiting, or her next message (a rejection
    reason, say) would become a group title. Data is kept, so a pending file import or text preview
    still works. An outer middleware, so it sees presses handled outside the admin tree too."""

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        admin_state: FSMContext | None = data.get("admin_state")
        if admin_state is not None and await admin_state.get_state() is not None:
            await admin_state.set_state(None)
        return await handler(event, data)


class InputStep(BaseFilter):
    """The panel is waiting for one of these inputs (the admin counterpart of StateFilter)."""

    def __init__(self, *states: State):
        self.states = {s.state for s in states}

    async def __call__(self, event: TelegramObject, admin_state: FSMContext | None = None) -> bool:
        return admin_state is not None and await admin_state.get_state() in self.states


def _plain(text: str) -> str:
    """Text as Telegram reports it back (tags stripped, entities decoded, trimmed), to spot a no-op edit."""
    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip()


def _keyboard_dump(markup: InlineKeyboardMarkup | None) -> dict | None:
    return markup.model_dump(exclude_none=True) if markup and markup.inline_keyboard else None


def _same_markup(a: InlineKeyboardMarkup | None, b: InlineKeyboardMarkup | None) -> bool:
    return _keyboard_dump(a) == _keyboard_dump(b)


async def show(event: CallbackQuery | Message, text: str, markup: InlineKeyboardMarkup | None = None) -> Message | None:
    """Show a panel screen: edit the pressed message, or send a new one (after typed input, or when the
    pressed message is a file). Telegram refuses an edit that changes nothing, so that is skipped."""
    if isinstance(event, CallbackQuery):
        pressed = event.message
        if isinstance(pressed, Message) and pressed.text is not None:
            if _plain(text) != (pressed.text or "").strip() or not _same_markup(pressed.reply_markup, markup):
                edited = await pressed.edit_text(text, reply_markup=markup, disable_web_page_preview=True)
                return edited if isinstance(edited, Message) else pressed
            return pressed
        return await event.bot.send_message(event.from_user.id, text, reply_markup=markup,
                                            disable_web_page_preview=True)
    return await event.answer(text, reply_markup=markup, disable_web_page_preview=True)


async def retire(bot: Bot, chat_id: int, message_id: int | None) -> None:
    """Take the buttons off an old prompt so «Отмена» there cannot be pressed later; it may be gone."""
    if message_id:
        with contextlib.suppress(TelegramBadRequest):
            await bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id, reply_markup=None)


async def ask(event: CallbackQuery | Message, admin_state: FSMContext, step: State, prompt: str,
              back: CallbackData, *, below: bool = False, problem: str = "", **data: Any) -> None:
    """Show a prompt with «Отмена» (which returns to `back`) and wait for the director's message.
    `below`: send the prompt as a new message, keeping the screen above it (e.g. a text to copy from).
    `problem`: what was wrong with her last input, shown above the prompt this time only."""
    if isinstance(event, CallbackQuery):
        await event.answer()
        if below and isinstance(event.message, Message):
            event = event.message
    sent = await show(event, f"⚠️ {problem}\n\n{prompt}" if problem else prompt, cancel_keyboard(back.pack()))
    await admin_state.set_state(step)
    await admin_state.set_data({"prompt": prompt, "back": back.pack(),
                                "prompt_msg": sent.message_id if sent else None, **data})


async def ask_again(message: Message, admin_state: FSMContext, problem: str) -> None:
    """Bad input: say what is wrong and show the same prompt again (as a new message, below hers)."""
    data = await admin_state.get_data()
    await retire(message.bot, message.chat.id, data.get("prompt_msg"))
    sent = await message.answer(f"⚠️ {problem}\n\n{data.get('prompt', '')}",
                                reply_markup=cancel_keyboard(data.get("back")), disable_web_page_preview=True)
    await admin_state.update_data(prompt_msg=sent.message_id)


async def finish_input(message: Message, admin_state: FSMContext, **keep: Any) -> None:
    """The input was accepted: stop waiting and take «Отмена» off the prompt."""
    data = await admin_state.get_data()
    await retire(message.bot, message.chat.id, data.get("prompt_msg"))
    await admin_state.set_state(None)
    await admin_state.set_data(keep)


async def record(session: AsyncSession, user: User, action: str, target: str, old: object = None,
                 new: object = None) -> None:
    """An audit entry for a change made by `user`; committed by the caller together with the change."""
    await audit(session, user.id, user.full_name, action, target,
                None if old is None else str(old), None if new is None else str(new))
