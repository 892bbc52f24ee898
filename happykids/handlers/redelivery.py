"""An update delivered again whose work was committed but maybe not finished: show the parent where they are.

Why: a press commits the next step before showing it (ui/view.py), so a kill -9 between the two leaves the
step in the database and nothing on the parent's screen; the redelivered update must not do the work again
(handlers/middlewares.py skips it), yet skipping it silently leaves the parent looking at the old step, or at
nothing after /start. Here the payment dialog's current step is shown instead, from the committed state:

* a press on the dialog's message edits that message into the current step. The press's own snapshot of the
  message (as the first delivery saw it) is what is compared, never the dialog's record of what it showed (that
  record was committed before the screen was): if the first delivery did show it after all, Telegram answers
  "message is not modified", which the screen engine treats as shown. The press itself was answered before the
  first commit (handlers answer first), so it is not answered again (Telegram refuses a second answer);
* /start sends the current step, unless a dialog screen was shown after that /start (its message id is newer).

Anything else (a receipt, a project's steps, the director's panel) is left alone: receipts and notices are
made durable by their own outbox, and the rest is a press the person can simply repeat.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import Message, Update

from happykids.services.caches import CatalogCache
from happykids.texts.service import Texts
from happykids.ui.dialog_screens import render
from happykids.ui.states import PaymentDialog
from happykids.ui.view import DIALOG_MSG, SHOWN_ON, put, show_step

log = logging.getLogger(__name__)
DIALOG_STATES = frozenset(s.state for s in PaymentDialog.__all_states__)


async def show_again(update: Update, data: dict[str, Any]) -> None:
    state, bot = data.get("state"), data.get("bot")
    texts, catalog_cache = data.get("texts"), data.get("catalog_cache")
    if not (isinstance(state, FSMContext) and isinstance(bot, Bot) and isinstance(texts, Texts)
            and isinstance(catalog_cache, CatalogCache)):
        return
    current = await state.get_state()
    if current not in DIALOG_STATES:
        return  # not in the payment dialog: nothing of ours to show
    dialog = await state.get_data()
    callback, message = update.callback_query, update.message
    if callback is not None and isinstance(callback.message, Message) and callback.message.chat.type == "private":
        pressed = callback.message
        if pressed.message_id not in (dialog.get(DIALOG_MSG), dialog.get(SHOWN_ON)):
            return  # a press on another message (a notice, a card): not the dialog's screen
        screen = await render(current, dialog, await catalog_cache.get(data["session"]), texts)
        await put(bot, pressed.chat.id, screen.text, screen.markup, edit=pressed)
        log.info("Показал родителю %s текущий шаг снова: нажатие пришло повторно после сбоя", pressed.chat.id)
    elif message is not None and message.chat.type == "private" and (message.text or "").startswith("/start"):
        newest = max(int(dialog.get(DIALOG_MSG) or 0), int(dialog.get(SHOWN_ON) or 0))
        if newest > message.message_id:
            return  # a step was shown after this /start: it was finished
        screen = await render(current, dialog, await catalog_cache.get(data["session"]), texts)
        await show_step(bot, message.chat.id, state, screen)
        log.info("Показал родителю %s текущий шаг снова: /start пришёл повторно после сбоя", message.chat.id)
