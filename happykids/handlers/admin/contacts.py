"""Contacts section: the agency's contacts shown in /help, when a link is missing and after mistakes.

She may format them like every text she writes (the app's buttons or typed tags, ui/director_text.py).
"""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.repositories.catalog import CONTACTS_KEY, get_setting, set_setting
from happykids.domain.catalog_edit import CatalogEditError, clean_contacts
from happykids.handlers.admin.panel import InputStep, record
from happykids.texts.service import Markup, Texts
from happykids.ui.callbacks import AdminMenu, ContactsEdit, Section
from happykids.ui.director_text import director_html, tag_problems
from happykids.ui.keyboards.admin import keyboard, menu_button
from happykids.ui.states import AdminInput
from happykids.ui.view import ask, ask_again, input_saved, show
from tgtext.typed import as_typed

router = Router(name="admin.contacts")
router.message.filter(F.chat.type == "private")


async def contacts_screen(event: CallbackQuery | Message, session: AsyncSession, texts: Texts) -> None:
    contacts = await get_setting(session, CONTACTS_KEY)
    text = texts.fixed("panel.contacts", contacts=contacts or Markup(texts.fixed("panel.contacts_empty")))
    await show(event, text, keyboard([(texts.fixed("panel.btn_edit"), ContactsEdit())], [menu_button(texts)]))


@router.callback_query(AdminMenu.filter(F.section == Section.CONTACTS))
async def open_contacts(callback: CallbackQuery, session: AsyncSession, texts: Texts) -> None:
    await callback.answer()
    await contacts_screen(callback, session, texts)


@router.callback_query(ContactsEdit.filter())
async def edit(callback: CallbackQuery, admin_state: FSMContext, texts: Texts) -> None:
    await ask(callback, admin_state, texts, AdminInput.contacts, texts.fixed("panel.ask_contacts"),
              AdminMenu(section=Section.CONTACTS))


@router.message(InputStep(AdminInput.contacts), F.text, ~F.text.startswith("/"))
async def typed(message: Message, admin_state: FSMContext, session: AsyncSession, texts: Texts) -> None:
    # Kept as typed, her Bold/Italic buttons written as tags: shown through tgtext.typed like all she
    # writes (texts/service.py), and the catalog file carries them as they are.
    formatted = director_html(message)
    if problems := tag_problems(formatted):
        await ask_again(message, admin_state, texts, escape("\n".join(problems), quote=False))
        return
    try:
        contacts = clean_contacts(as_typed(formatted.html))
    except CatalogEditError as exc:
        await ask_again(message, admin_state, texts, escape(str(exc), quote=False))
        return
    old = await get_setting(session, CONTACTS_KEY)
    if contacts != old:
        await set_setting(session, CONTACTS_KEY, contacts)
        await record(session, message.from_user, "contacts.set", "контакты", old or None, contacts)
    await input_saved(message, admin_state)
    await message.answer(texts.fixed("panel.contacts_saved"))
    await contacts_screen(message, session, texts)
