"""Admins section: who may open the panel. ADMIN_IDS from the server settings are permanent; admins added
here (by a forwarded message, a user id, or the @username of someone who has written to the bot) can be
removed here. Rights are re-checked on every press, so a
removed admin loses the panel at once."""

from __future__ import annotations

import re
from html import escape

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, MessageOriginHiddenUser, MessageOriginUser
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.config import Settings
from happykids.db.repositories.admins import add_admin, get_admin, is_admin, panel_admins, remove_admin
from happykids.db.repositories.parents import find_by_username, get_parent
from happykids.db.unit_of_work import UnitOfWork
from happykids.handlers.admin.panel import InputStep, record
from happykids.texts.service import Markup, Texts
from happykids.ui.callbacks import AdminMenu, AdminsAct, AdminsAction, Section
from happykids.ui.keyboards.admin import Button, keyboard, label, menu_button
from happykids.ui.states import AdminInput
from happykids.ui.view import ask, ask_again, finish_input, show

router = Router(name="admin.admins")
router.message.filter(F.chat.type == "private")


async def display_name(session: AsyncSession, user_id: int, stored: str = "") -> str:
    """The best name we know: the one saved when added, else what the person told Telegram, else the id."""
    if stored:
        return stored
    parent = await get_parent(session, user_id)
    if parent and parent.first_name:
        return f"{parent.first_name} (@{parent.username})" if parent.username else parent.first_name
    return f"id {user_id}"


async def admins_screen(event: CallbackQuery | Message, session: AsyncSession, settings: Settings,
                        texts: Texts) -> None:
    panel = await panel_admins(session)
    lines: list[str] = []
    buttons: list[list[Button]] = []
    for user_id in settings.admin_ids:
        lines.append(f"🔒 {escape(await display_name(session, user_id), quote=False)}")
    for admin in panel:
        if admin.user_id in settings.admin_ids:
            continue
        name = await display_name(session, admin.user_id, admin.name)
        lines.append(f"• {escape(name, quote=False)}")
        buttons.append([(label(f"🗑 {name}"), AdminsAction(action=AdminsAct.REMOVE, user_id=admin.user_id))])
    text = texts.fixed("panel.admins", lines=Markup("\n".join(lines)))
    await show(event, text, keyboard([(texts.fixed("panel.btn_add_admin"), AdminsAction(action=AdminsAct.ADD))],
                                     *buttons, [menu_button(texts)]))


@router.callback_query(AdminMenu.filter(F.section == Section.ADMINS))
async def open_admins(callback: CallbackQuery, session: AsyncSession, settings: Settings, texts: Texts) -> None:
    await callback.answer()
    await admins_screen(callback, session, settings, texts)


# -- add -------------------------------------------------------------------------------------------------

@router.callback_query(AdminsAction.filter(F.action == AdminsAct.ADD))
async def add(callback: CallbackQuery, admin_state: FSMContext, texts: Texts) -> None:
    await ask(callback, admin_state, texts, AdminInput.admin_id, texts.fixed("panel.ask_admin"),
              AdminMenu(section=Section.ADMINS))


USERNAME = re.compile(r"^(?:@|(?:https?://)?t\.me/)([A-Za-z][A-Za-z0-9_]{3,31})$")


async def _who(message: Message, texts: Texts, session: AsyncSession) -> tuple[int, str] | str:
    """(user id, name) of the person meant, or the reason we cannot tell. A bot cannot look up a @username
    in Telegram, but it knows everyone who has written to it (the parents table, admins included)."""
    origin = message.forward_origin
    if isinstance(origin, MessageOriginUser):
        if origin.sender_user.is_bot:
            return texts.fixed("panel.admin_is_bot")
        return origin.sender_user.id, origin.sender_user.full_name
    if isinstance(origin, MessageOriginHiddenUser):
        return texts.fixed("panel.admin_hidden_forward")
    if origin is not None:
        return texts.fixed("panel.admin_not_person")
    digits = (message.text or "").strip().removeprefix("id").strip()
    if digits.isdigit() and 0 < int(digits) < 2**63:
        return int(digits), ""
    username = USERNAME.match((message.text or "").strip())
    if username:
        person = await find_by_username(session, username.group(1))
        if person is None:
            return texts.fixed("panel.admin_unknown_username", username=f"@{username.group(1)}")
        return person.user_id, ""
    return texts.fixed("panel.admin_not_person")


@router.message(InputStep(AdminInput.admin_id), ~F.text.startswith("/"))
async def who_typed(message: Message, admin_state: FSMContext, session: AsyncSession, settings: Settings,
                    texts: Texts, uow: UnitOfWork) -> None:
    director = message.from_user
    if director is None:  # IsAdmin lets no message without a sender in; nobody to note as the one who added
        return
    who = await _who(message, texts, session)
    if isinstance(who, str):
        await ask_again(message, admin_state, texts, who)
        return
    user_id, forwarded_name = who
    name = await display_name(session, user_id, forwarded_name)
    await finish_input(message, admin_state)
    if await is_admin(session, settings.admin_ids, user_id):
        await message.answer(texts.fixed("panel.admin_already", name=name))
    else:
        # Only a real name is stored; otherwise the list keeps looking it up (the person may write later).
        await add_admin(session, user_id, forwarded_name, director.id)
        await record(session, director, "admin.add", f"{name} (id {user_id})")
        await uow.commit()
        await message.answer(texts.fixed("panel.admin_added", name=name))
    await admins_screen(message, session, settings, texts)


# -- remove ----------------------------------------------------------------------------------------------

@router.callback_query(AdminsAction.filter(F.action.in_({AdminsAct.REMOVE, AdminsAct.REMOVE_YES})))
async def remove(callback: CallbackQuery, callback_data: AdminsAction, session: AsyncSession,
                 settings: Settings, texts: Texts, uow: UnitOfWork) -> None:
    user_id = callback_data.user_id
    if user_id in settings.admin_ids:  # no button for them, but a forged press must not work either
        await callback.answer(texts.fixed("panel.admin_env_protected"))
        return
    if user_id == callback.from_user.id:
        await callback.answer(texts.fixed("panel.admin_not_self"))
        return
    admin = await get_admin(session, user_id)
    if admin is None:
        await callback.answer(texts.fixed("panel.gone"))
        await admins_screen(callback, session, settings, texts)
        return
    name = await display_name(session, user_id, admin.name)
    if callback_data.action is AdminsAct.REMOVE:
        await callback.answer()
        markup = keyboard(
            [(texts.fixed("panel.btn_delete_yes"), AdminsAction(action=AdminsAct.REMOVE_YES, user_id=user_id))],
            [(texts.fixed("panel.btn_cancel"), AdminMenu(section=Section.ADMINS))])
        await show(callback, texts.fixed("panel.confirm_remove_admin", name=name), markup)
        return
    await remove_admin(session, admin)
    await record(session, callback.from_user, "admin.remove", f"{name} (id {user_id})")
    await uow.commit()
    await callback.answer(texts.fixed("panel.admin_removed"))
    await admins_screen(callback, session, settings, texts)
