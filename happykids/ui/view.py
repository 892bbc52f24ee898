"""Showing the dialog's current screen: edit the message the parent pressed, or send a fresh one.

Only one message carries live choice buttons at a time: when a newer one appears, the older one's
keyboard is removed, so a parent cannot press options of a step that has passed.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import re

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import InlineKeyboardMarkup, Message

from happykids.ui.dialog_screens import Screen
from happykids.ui.states import CHOOSING

DIALOG_MSG = "dialog_msg"  # id of the message that carries the live choice buttons
SHOWN = "dialog_shown"  # fingerprint of what that message shows now (a press carries an older snapshot)


def _same_keyboard(a: InlineKeyboardMarkup | None, b: InlineKeyboardMarkup | None) -> bool:
    dump = lambda m: m.model_dump(exclude_none=True) if m else None  # noqa: E731
    return dump(a) == dump(b)


async def retire(bot: Bot, chat_id: int, message_id: int | None) -> None:
    """Remove the keyboard of an outdated dialog message. It may be gone already: that is fine."""
    if message_id:
        with contextlib.suppress(TelegramBadRequest):
            await bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id, reply_markup=None)


async def show(bot: Bot, chat_id: int, state: FSMContext, screen: Screen, pressed: Message | None = None) -> None:
    """Show `screen`, editing `pressed` (the message whose button was pressed) when there is one."""
    data = await state.get_data()
    previous = data.get(DIALOG_MSG)
    shown = _fingerprint(screen)
    if pressed is not None:
        if pressed.message_id == previous:
            changed = data.get(SHOWN) != shown  # two quick taps: the second press's snapshot is outdated
        else:
            changed = pressed.text != _plain(screen.text) or not _same_keyboard(pressed.reply_markup, screen.markup)
        if changed:
            await bot.edit_message_text(
                chat_id=chat_id, message_id=pressed.message_id, text=screen.text, reply_markup=screen.markup,
                disable_web_page_preview=True,
            )
        message_id = pressed.message_id
    else:
        sent = await bot.send_message(chat_id, screen.text, reply_markup=screen.markup, disable_web_page_preview=True)
        message_id = sent.message_id
    if previous and previous != message_id:
        await retire(bot, chat_id, previous)
    # The link screen's message keeps its pay button forever, so it is never retired later.
    await state.set_state(screen.state)
    live = screen.state in CHOOSING
    await state.update_data({DIALOG_MSG: message_id if live else None, SHOWN: shown if live else None})


def _fingerprint(screen: Screen) -> str:
    markup = screen.markup.model_dump_json(exclude_none=True) if screen.markup else ""
    return hashlib.sha1(f"{screen.text}\x00{markup}".encode()).hexdigest()[:16]


def _plain(html_text: str) -> str:
    """Text as Telegram reports it back (tags stripped, entities decoded), to spot a no-op edit."""
    return html.unescape(re.sub(r"<[^>]+>", "", html_text))
