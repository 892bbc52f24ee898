"""A step of the director's guided dialog for a new project (handlers/admin/projects.py): which extra child
fields parents are asked when they apply (height, clothing size, shoe size, a photo; domain/child_fields.py).

A multi-select after the fee, none by default: each press toggles a field; «Готово» is the dialog's
(handlers/admin/project_dialog.py shows the preview). Kept in its own module so the dialog's file changes little.
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from happykids.domain.child_fields import ORDER, ChildField, decode, toggle
from happykids.texts.service import Texts
from happykids.ui.callbacks import AdminMenu, ProjectFieldPick, Section
from happykids.ui.keyboards.admin import keyboard
from happykids.ui.states import ProjectInput
from happykids.ui.view import retire, show

router = Router(name="admin.project_fields")
DRAFT, DONE = "pj_draft", "done"


async def _keyboard(texts: Texts, draft: dict[str, Any]) -> InlineKeyboardMarkup:
    chosen = set(decode(draft.get("child_fields")))
    rows: list[list[tuple[str, CallbackData]]] = []
    for field in ORDER:
        label = f"{'✅' if field in chosen else '▫️'} {await texts.plain(f'projects.field_{field.value}')}"
        rows.append([(label, ProjectFieldPick(field=field.value, draft=draft["token"]))])
    rows.append([(texts.fixed("projects.btn_fields_done"), ProjectFieldPick(field=DONE, draft=draft["token"]))])
    rows.append([(texts.fixed("panel.btn_cancel"), AdminMenu(section=Section.PROJECTS))])
    return keyboard(*rows)


async def ask_child_fields(event: CallbackQuery | Message, admin_state: FSMContext, texts: Texts,
                           draft: dict[str, Any]) -> None:
    """Show the multi-select (below her answer, or in place of the pressed prompt) and wait for it."""
    if isinstance(event, Message) and event.bot is not None:
        await retire(event.bot, event.chat.id, (await admin_state.get_data()).get("prompt_msg"))
    sent = await show(event, texts.fixed("projects.ask_child_fields"), await _keyboard(texts, draft))
    await admin_state.set_state(ProjectInput.fields)
    await admin_state.update_data({DRAFT: draft, "pj_step": ProjectInput.fields.state, "prompt_msg": sent.message_id})


async def fields_line(texts: Texts, stored: str | None) -> str:
    fields = decode(stored)
    if not fields:
        return ""
    names = [(await texts.plain(f"projects.field_{f.value}")).lower() for f in fields]
    return texts.fixed("projects.fields_asked", fields=", ".join(names))


@router.callback_query(ProjectFieldPick.filter(F.field != DONE))  # «Готово»: handlers/admin/project_dialog.py
async def pick(callback: CallbackQuery, callback_data: ProjectFieldPick, admin_state: FSMContext,
               texts: Texts) -> None:
    data = await admin_state.get_data()
    draft = data.get(DRAFT) or {}
    # A press ends the panel's input state (LeaveInputOnPress): the step is in the data, like the shortcuts'.
    if draft.get("token") != callback_data.draft or data.get("pj_step") != ProjectInput.fields.state:
        await callback.answer(texts.fixed("projects.draft_gone"))
        return
    if callback_data.field not in {f.value for f in ChildField}:
        await callback.answer(texts.fixed("projects.draft_gone"))
        return
    await callback.answer()
    draft = {**draft, "child_fields": toggle(draft.get("child_fields"), ChildField(callback_data.field))}
    await admin_state.update_data({DRAFT: draft})
    await show(callback, texts.fixed("projects.ask_child_fields"), await _keyboard(texts, draft))
