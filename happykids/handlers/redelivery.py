"""An update delivered again whose work was committed but maybe not finished: show the person where they are.

Why: a press commits the next step before showing it (ui/view.py, `commit_before_showing`), so a kill -9 between
the two leaves the step in the database and nothing on the screen; the redelivered update must not do the work
again (handlers/middlewares.py skips it), yet skipping it silently leaves the person looking at the old step, or
at nothing after /start. Here the current screen is shown instead, rebuilt from the committed state by the same
screen builders the handlers use:

* the payment dialog: a press on the dialog's message edits that message into the current step. The press's own
  snapshot of the message (as the first delivery saw it) is what is compared, never the dialog's record of what
  it showed (that record was committed before the screen was): if the first delivery did show it after all,
  Telegram answers "message is not modified", which the screen engine treats as shown. /start, or text typed
  where a button is expected, sends the current step, unless a dialog screen was shown after that message (its
  message id is newer);
* projects (a parent applying to a casting, a shoot, a show): a press on a projects button, /projects, a
  project's deep link, or what the parent typed or sent on a step (a name, a birth date, an answer) shows the
  step they are on now (handlers/projects.py `current_screen`: the card, the consent, the name or birth prompt,
  a question, the confirmation, the payment step), in the pressed message when it is the live projects screen,
  else as a new one; not when a projects screen newer than their message is there (it was shown after it);
* the director's panel: after a typed input was taken (`input_saved` marks her message, in the same commit as
  the change and as leaving the input step) she gets the panel's main screen with a line that it was saved:
  the screen the handler would have shown (the item, the contacts) is not kept anywhere to rebuild it from. A
  press on a panel button shows the prompt the panel now waits on, if it was asked in that message, else the
  main screen with the same line. A prompt the panel waits on since before her message is asked again.

The press itself is not answered again: the parent's handlers (and the panel's that commit through
`commit_before_showing`, e.g. deleting a catalog item) answer before their first commit, and Telegram refuses a
second answer; a panel press that commits with `uow.commit()` before its popup may stay unanswered after such a
kill (Telegram stops the spinner by itself), its message still changes. Anything else (a receipt, the receipt
review, a notice) is left alone: receipts, decisions and notices are made durable by their own outbox.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, Update

from happykids.config import Settings
from happykids.handlers.admin.panel import panel_context
from happykids.handlers.filters import IsAdmin
from happykids.handlers.projects import LIVE, PROJECT_STATES, current_screen, open_list, present, project_card
from happykids.services.caches import AdminCache, CatalogCache
from happykids.texts.service import Texts
from happykids.ui import callbacks as cb
from happykids.ui.dialog_screens import render
from happykids.ui.keyboards.admin import cancel_keyboard, main_menu
from happykids.ui.states import CHOOSING, PaymentDialog, ProjectDialog
from happykids.ui.view import DIALOG_MSG, SHOWN_ON, TAKEN, put, retire, show_step

log = logging.getLogger(__name__)
DIALOG_STATES = frozenset(s.state for s in PaymentDialog.__all_states__)
PROJECT_PRESSES = frozenset(f.__prefix__ for f in (cb.ProjectsList, cb.ProjectCard, cb.ProjectStep))
PANEL_PRESSES = frozenset(f.__prefix__ for f in (
    cb.AdminMenu, cb.ItemList, cb.ItemCard, cb.ItemAction, cb.ItemAdd, cb.CatalogFile, cb.LinkMatrix, cb.LinkCard,
    cb.LinkAction, cb.ContactsEdit, cb.TextScreen, cb.TextCard, cb.TextAction, cb.AdminsAction, cb.AuditPage,
    cb.PaymentsAction, cb.PaymentsExport, cb.StatsPeriod, cb.BroadcastAction, cb.BroadcastAudience,
    cb.BroadcastStop, cb.ProjectAdmin, cb.ProjectKindPick, cb.ProjectApplication, cb.ProjectGroupPick,
    cb.ProjectEditField, cb.ProjectFieldPick, cb.RenewalsAdmin))
DEEP_LINK = re.compile(r"^/start project_(\d{1,9})$")


async def show_again(update: Update, data: dict[str, Any]) -> None:
    state, bot, texts = data.get("state"), data.get("bot"), data.get("texts")
    if not (isinstance(state, FSMContext) and isinstance(bot, Bot) and isinstance(texts, Texts)):
        return
    callback, message = update.callback_query, update.message
    if callback is not None and isinstance(callback.message, Message) and callback.message.chat.type == "private":
        prefix = (callback.data or "").split(":", 1)[0]
        if prefix in PROJECT_PRESSES:
            await _project_press(callback, callback.message, state, bot, texts, data)
        elif prefix in PANEL_PRESSES:
            if await _is_admin(callback, data):
                await _panel_press(callback.message, panel_context(state), bot, texts)
        else:
            await _payment_press(callback.message, state, bot, texts, data)
    elif message is not None and message.chat.type == "private":
        if await _is_admin(message, data) and await _panel_message(message, panel_context(state), bot, texts):
            return
        if await _project_message(message, state, bot, texts, data):
            return
        await _payment_message(message, state, bot, texts, data)


# -- the payment dialog --------------------------------------------------------------------------------------

async def _payment_press(pressed: Message, state: FSMContext, bot: Bot, texts: Texts, data: dict[str, Any]) -> None:
    current, catalog_cache = await state.get_state(), data.get("catalog_cache")
    if current not in DIALOG_STATES or not isinstance(catalog_cache, CatalogCache):
        return  # not in the payment dialog: nothing of ours to show
    dialog = await state.get_data()
    if pressed.message_id not in (dialog.get(DIALOG_MSG), dialog.get(SHOWN_ON)):
        return  # a press on another message (a notice, a card): not the dialog's screen
    screen = await render(current, dialog, await catalog_cache.get(data["session"]), texts)
    await put(bot, pressed.chat.id, screen.text, screen.markup, edit=pressed)
    log.info("Показал родителю %s текущий шаг снова: нажатие пришло повторно после сбоя", pressed.chat.id)


async def _payment_message(message: Message, state: FSMContext, bot: Bot, texts: Texts,
                           data: dict[str, Any]) -> None:
    """/start, or text typed where the dialog expects a button (handlers/mistakes.py)."""
    current, catalog_cache = await state.get_state(), data.get("catalog_cache")
    text = message.text or ""
    typed = message.text is not None and not text.startswith("/") and current in CHOOSING
    if not (text.startswith("/start") or typed) or current not in DIALOG_STATES:
        return
    if not isinstance(catalog_cache, CatalogCache):
        return
    dialog = await state.get_data()
    newest = max(int(dialog.get(DIALOG_MSG) or 0), int(dialog.get(SHOWN_ON) or 0))
    if newest > message.message_id:
        return  # a step was shown after this message: it was finished
    screen = await render(current, dialog, await catalog_cache.get(data["session"]), texts)
    await show_step(bot, message.chat.id, state, screen)
    log.info("Показал родителю %s текущий шаг снова: сообщение пришло повторно после сбоя", message.chat.id)


# -- projects ------------------------------------------------------------------------------------------------

async def _project_press(callback: CallbackQuery, pressed: Message, state: FSMContext, bot: Bot, texts: Texts,
                         data: dict[str, Any]) -> None:
    live = int((await state.get_data()).get(LIVE) or 0)
    if pressed.message_id != live and live > pressed.message_id:
        return  # a projects screen newer than the pressed message is there: it came after this press
    parent_id = callback.from_user.id
    await present(bot, parent_id, state, await current_screen(data["session"], texts, state, parent_id), callback)
    log.info("Показал родителю %s текущий шаг проекта снова: нажатие пришло повторно после сбоя", parent_id)


async def _project_message(message: Message, state: FSMContext, bot: Bot, texts: Texts,
                           data: dict[str, Any]) -> bool:
    """A message of the projects (a command or what was sent on a step): show the current screen; False if it
    is not one of theirs."""
    text, current = message.text or "", await state.get_state()
    command = text.split(maxsplit=1)[0].split("@", 1)[0] if text.startswith("/") else ""
    link = DEEP_LINK.match(text)
    on_step = (not command and current in PROJECT_STATES
               and not (current == ProjectDialog.pay.state and message.text is None))  # a receipt: its own outbox
    if command != "/projects" and link is None and not on_step:
        return False
    if int((await state.get_data()).get(LIVE) or 0) > message.message_id:
        return True  # a projects screen was shown after this message: it was finished
    session, parent_id = data["session"], message.chat.id
    if link is not None:
        screen = (await project_card(session, texts, parent_id, int(link[1]))
                  or await open_list(session, texts, parent_id))
    elif on_step:
        screen = await current_screen(session, texts, state, parent_id)
    else:
        screen = await open_list(session, texts, parent_id)
    await present(bot, parent_id, state, screen)
    log.info("Показал родителю %s текущий шаг проекта снова: сообщение пришло повторно после сбоя", parent_id)
    return True


# -- the director's panel ------------------------------------------------------------------------------------

async def _is_admin(event: Message | CallbackQuery, data: dict[str, Any]) -> bool:
    settings, admin_cache = data.get("settings"), data.get("admin_cache")
    if not (isinstance(settings, Settings) and isinstance(admin_cache, AdminCache)):
        return False
    return await IsAdmin()(event, settings=settings, session=data["session"], admin_cache=admin_cache)


async def _panel_saved(bot: Bot, chat_id: int, texts: Texts, pressed: Message | None) -> None:
    """The panel's main screen, headed by a line that her last action was saved."""
    text = f"{texts.fixed('panel.saved_before_restart')}\n\n{texts.fixed('panel.menu')}"
    await put(bot, chat_id, text, main_menu(texts), edit=pressed)
    log.info("Показал админу %s панель снова: её действие сохранено, обновление пришло повторно после сбоя",
             chat_id)


async def _panel_press(pressed: Message, panel: FSMContext, bot: Bot, texts: Texts) -> None:
    stored = await panel.get_data()
    if await panel.get_state() is not None and stored.get("prompt") and stored.get("prompt_msg") == pressed.message_id:
        await put(bot, pressed.chat.id, stored["prompt"], cancel_keyboard(stored.get("back"), texts), edit=pressed)
        log.info("Показал админу %s её вопрос снова: нажатие пришло повторно после сбоя", pressed.chat.id)
        return
    await _panel_saved(bot, pressed.chat.id, texts, pressed)


async def _panel_message(message: Message, panel: FSMContext, bot: Bot, texts: Texts) -> bool:
    """Her message was the panel's input: show the panel (or its question) again; False if it was not."""
    stored = await panel.get_data()
    if stored.get(TAKEN) == message.message_id:
        await retire(bot, message.chat.id, stored.get("prompt_msg"))  # the kill came before `input_saved` did it
        await _panel_saved(bot, message.chat.id, texts, None)
        return True
    if await panel.get_state() is None or not stored.get("prompt") or (message.text or "").startswith("/"):
        return False
    if int(stored.get("prompt_msg") or 0) > message.message_id:
        return True  # asked again after her message: that was shown
    await retire(bot, message.chat.id, stored.get("prompt_msg"))
    sent = await put(bot, message.chat.id, stored["prompt"], cancel_keyboard(stored.get("back"), texts))
    await panel.update_data(prompt_msg=sent.message_id)
    log.info("Показал админу %s её вопрос снова: сообщение пришло повторно после сбоя", message.chat.id)
    return True
