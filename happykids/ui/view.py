"""The one screen engine: show a screen by editing the message that was pressed, or by sending a new one.

Both the parent's dialog and the director's panel are "one message, edited in place as you tap". The shared
rules live here once:

* Telegram refuses an edit that changes nothing ("message is not modified"), so such an edit is skipped;
  the caller may know better than the pressed message's snapshot (two quick taps), see `put(changed=...)`.
  Should one still be refused that way, the screen is shown already: never an error for the parent.
* A pressed message that is gone (deleted on another device) cannot be edited: the screen is sent anew.
* Only one message carries live buttons: an older one gets its keyboard removed (`retire`), so a step that
  has passed cannot be pressed again. It may be gone already: that is fine.
* The dialog remembers which message is live and what it shows in its FSM data; the panel remembers the
  prompt it is waiting on in the panel's own FSM context (destiny "admin").
* A screen is text, or a photo with the text as its caption (a project's poster). Telegram edits text into
  text and a photo into another photo (editMessageMedia), never one kind into the other: such a change of
  screen comes as a new message, and the caller retires the old one as it retires any older screen.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import re
from typing import Any

from aiogram import Bot
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, InputMediaPhoto, Message

from happykids.db.unit_of_work import UnitOfWork
from happykids.services.crash_points import crash_point
from happykids.texts.service import Texts
from happykids.ui.dialog_screens import Screen
from happykids.ui.keyboards.admin import cancel_keyboard
from happykids.ui.states import CHOOSING

NOT_MODIFIED = "message is not modified"
GONE = ("message to edit not found", "message can't be edited")
DIALOG_MSG = "dialog_msg"  # id of the message that carries the dialog's live choice buttons
SHOWN = "dialog_shown"  # fingerprint of the step last shown (a press carries an older snapshot)
SHOWN_ON = "dialog_shown_on"  # the message showing it: DIALOG_MSG, or the link screen, which is never retired
VIEW_KEYS = (DIALOG_MSG, SHOWN, SHOWN_ON)  # the engine's own bookkeeping in the dialog's data: keep it on a reset
TAKEN = "input_taken"  # the panel's data: her message whose input was committed (`input_saved`)


# -- the engine ------------------------------------------------------------------------------------------

def _plain(html_text: str) -> str:
    """Text as Telegram reports it back (tags stripped, entities decoded, trimmed), to spot a no-op edit."""
    return html.unescape(re.sub(r"<[^>]+>", "", html_text)).strip()


def _keyboard_dump(markup: InlineKeyboardMarkup | None) -> dict[str, Any] | None:
    return markup.model_dump(exclude_none=True) if markup and markup.inline_keyboard else None


def looks_the_same(message: Message, text: str, markup: InlineKeyboardMarkup | None,
                   photo: str | None = None) -> bool:
    """Does `message` (as Telegram last reported it) already show `text` with `markup` (and `photo`)?"""
    shown = message.text if message.text is not None else message.caption
    same_photo = photo is None or any(size.file_id == photo for size in message.photo or [])
    return (same_photo and _plain(text) == (shown or "").strip()
            and _keyboard_dump(message.reply_markup) == _keyboard_dump(markup))


async def _send(bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None, photo: str | None) -> Message:
    if photo is not None:
        return await bot.send_photo(chat_id, photo, caption=text, reply_markup=markup, parse_mode=ParseMode.HTML)
    return await bot.send_message(chat_id, text, reply_markup=markup, disable_web_page_preview=True)


async def put(bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None, *,
              edit: Message | None = None, changed: bool | None = None, photo: str | None = None) -> Message:
    """Show `text` with `markup` (`photo`: as the caption of that photo): edit `edit` in place, or send a new
    message when there is none or it is of the other kind (text <-> photo; see the module's docstring).
    `changed`: whether the edit changes anything, when the caller knows better than `edit`'s snapshot."""
    if edit is None or (photo is not None) != bool(edit.photo) or (photo is None and edit.text is None):
        return await _send(bot, chat_id, text, markup, photo)
    if changed is None:
        changed = not looks_the_same(edit, text, markup, photo)
    if not changed:
        return edit
    try:
        if photo is not None:
            edited = await bot.edit_message_media(
                chat_id=chat_id, message_id=edit.message_id, reply_markup=markup,
                media=InputMediaPhoto(media=photo, caption=text, parse_mode=ParseMode.HTML))
        else:
            edited = await bot.edit_message_text(chat_id=chat_id, message_id=edit.message_id, text=text,
                                                 reply_markup=markup, disable_web_page_preview=True)
    except TelegramBadRequest as exc:
        if NOT_MODIFIED in exc.message:  # it already shows this (a press raced an edit): nothing to do
            return edit
        if not any(gone in exc.message for gone in GONE):
            raise
        # Deleted by the parent (on another device, say): the screen comes as a new message instead.
        return await _send(bot, chat_id, text, markup, photo)
    return edited if isinstance(edited, Message) else edit


async def retire(bot: Bot, chat_id: int, message_id: int | None) -> None:
    """Take the buttons off an outdated message; it may be gone already."""
    if message_id:
        with contextlib.suppress(TelegramBadRequest):
            await bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id, reply_markup=None)


# -- the parent's dialog -----------------------------------------------------------------------------------

def _fingerprint(screen: Screen) -> str:
    markup = screen.markup.model_dump_json(exclude_none=True) if screen.markup else ""
    return hashlib.sha1(f"{screen.text}\x00{markup}".encode(), usedforsecurity=False).hexdigest()[:16]


async def show_step(bot: Bot, chat_id: int, state: FSMContext, screen: Screen, pressed: Message | None = None) -> None:
    """Show a dialog step, editing `pressed` (the message whose button was pressed) when there is one.

    The new step is committed before the parent sees it (`UnitOfWork.commit`): a crash may lose a screen that
    was never shown, never one that was. Only the id of a newly sent message is recorded after sending; if
    that is lost, the older message simply keeps its buttons, which still lead to the current step."""
    data = await state.get_data()
    previous = data.get(DIALOG_MSG)
    shown = _fingerprint(screen)
    changed = None  # let the engine compare with what the pressed message shows
    if pressed is not None and pressed.message_id == data.get(SHOWN_ON, previous):
        changed = data.get(SHOWN) != shown  # two quick taps: the second press's snapshot is outdated
    elif pressed is not None and previous is not None:
        # An older message: its buttons were taken off (retire) when the dialog moved on, perhaps after the
        # parent pressed, so the press's snapshot may still show them. Trusting it would leave no live buttons.
        changed = True
    live = screen.state in CHOOSING  # the link screen keeps its pay button forever: never retired later
    await state.set_state(screen.state)
    if pressed is not None:
        await state.update_data({DIALOG_MSG: pressed.message_id if live else None, SHOWN: shown,
                                 SHOWN_ON: pressed.message_id})
    crash_point("step_written")  # tests: the next step is in the dialog state, nothing of it committed
    await commit_before_showing()
    message = await put(bot, chat_id, screen.text, screen.markup, edit=pressed, changed=changed)
    gone = pressed.message_id if pressed is not None and message.message_id != pressed.message_id else None
    if pressed is None or gone:  # a new message carries the step now
        await state.update_data({DIALOG_MSG: message.message_id if live else None, SHOWN: shown,
                                 SHOWN_ON: message.message_id})
    if previous and previous not in (message.message_id, gone):
        await retire(bot, chat_id, previous)


async def commit_before_showing() -> None:
    """Make what the update wrote so far durable before a parent (or the director) sees its result.

    A kill -9 right after it leaves the work on record and the screen unshown: the update comes again and only
    the screen is shown (handlers/redelivery.py). The crash point lets the tests kill the bot exactly there."""
    unit = UnitOfWork.current()
    if unit is not None:
        await unit.commit()
    crash_point("step_committed")


# -- the director's panel ----------------------------------------------------------------------------------

def _bot_of(event: CallbackQuery | Message) -> Bot:
    if event.bot is None:  # events from the dispatcher always carry their bot; one built by hand may not
        raise RuntimeError("this event is not bound to a Bot")
    return event.bot


async def show(event: CallbackQuery | Message, text: str, markup: InlineKeyboardMarkup | None = None, *,
               photo: str | None = None) -> Message:
    """Show a panel screen: edit the pressed message, or send a new one (after typed input, or when the
    pressed message is a file, which cannot become text). `photo`: the screen is that photo with `text`."""
    bot = _bot_of(event)
    if isinstance(event, CallbackQuery):
        pressed = event.message if isinstance(event.message, Message) else None
        return await put(bot, event.from_user.id, text, markup, edit=pressed, photo=photo)
    return await put(bot, event.chat.id, text, markup, photo=photo)


async def ask(event: CallbackQuery | Message, admin_state: FSMContext, texts: Texts, step: State, prompt: str,
              back: CallbackData, *, below: bool = False, problem: str = "", **data: Any) -> None:
    """Show a prompt with «Отмена» (which returns to `back`) and wait for the director's message.
    `below`: send the prompt as a new message, keeping the screen above it (e.g. a text to copy from).
    `problem`: what was wrong with her last input, shown above the prompt this time only."""
    if isinstance(event, CallbackQuery):
        await event.answer()
        if below and isinstance(event.message, Message):
            event = event.message
    sent = await show(event, f"⚠️ {problem}\n\n{prompt}" if problem else prompt, cancel_keyboard(back.pack(), texts))
    await admin_state.set_state(step)
    await admin_state.set_data({"prompt": prompt, "back": back.pack(), "prompt_msg": sent.message_id, **data})


async def ask_again(message: Message, admin_state: FSMContext, texts: Texts, problem: str) -> None:
    """Bad input: say what is wrong and show the same prompt again (as a new message, below hers)."""
    data = await admin_state.get_data()
    await retire(_bot_of(message), message.chat.id, data.get("prompt_msg"))
    sent = await message.answer(f"⚠️ {problem}\n\n{data.get('prompt', '')}",
                                reply_markup=cancel_keyboard(data.get("back"), texts),
                                disable_web_page_preview=True)
    await admin_state.update_data(prompt_msg=sent.message_id)


async def finish_input(message: Message, admin_state: FSMContext, **keep: Any) -> None:
    """The input was accepted: stop waiting and take «Отмена» off the prompt."""
    data = await admin_state.get_data()
    await retire(_bot_of(message), message.chat.id, data.get("prompt_msg"))
    await admin_state.set_state(None)
    await admin_state.set_data(keep)


async def input_saved(message: Message, admin_state: FSMContext) -> None:
    """Her input changed something (the change is written, not committed): stop waiting in the same commit as
    the change, marking her message as taken (TAKEN), then take «Отмена» off the prompt.

    Committing the change while the panel still waits would let a kill -9 before the next screen take her next
    message as the same input again (a second group with the same title); and the update delivered again after
    it finds TAKEN and shows her the panel with «saved» (handlers/redelivery.py)."""
    prompt_msg = (await admin_state.get_data()).get("prompt_msg")
    await admin_state.set_state(None)
    await admin_state.set_data({TAKEN: message.message_id, "prompt_msg": prompt_msg})  # the re-show retires it
    await commit_before_showing()
    await retire(_bot_of(message), message.chat.id, prompt_msg)
