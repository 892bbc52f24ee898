"""The whole catalog as a YAML file: download it, edit it anywhere, upload it back.

The upload is validated with the same parser as `happykids catalog import`, then the director sees what
will change and confirms; only then the catalog is replaced (one transaction, like the CLI).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Document, Message
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.repositories.catalog import export_spec
from happykids.db.unit_of_work import UnitOfWork
from happykids.domain.catalog import CatalogError
from happykids.domain.catalog_yaml import dump_catalog_yaml, parse_catalog_yaml
from happykids.domain.wording import quoted
from happykids.handlers.admin.catalog import catalog_screen
from happykids.handlers.admin.panel import InputStep, record
from happykids.services.catalog_import import apply_import, import_preview
from happykids.texts.service import Texts
from happykids.ui.callbacks import AdminMenu, CatalogFile, FileAct, Section
from happykids.ui.keyboards.admin import keyboard
from happykids.ui.states import AdminInput
from happykids.ui.view import ask, ask_again, finish_input, retire

router = Router(name="admin.catalog_file")
router.message.filter(F.chat.type == "private")

MAX_FILE_BYTES = 512 * 1024  # a real catalog is a few kilobytes
MAX_SUMMARY = 3500  # leave room for the rest of the message under Telegram's 4096


def _token(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@router.callback_query(CatalogFile.filter(F.action == FileAct.EXPORT))
async def export_file(callback: CallbackQuery, session: AsyncSession, bot: Bot, texts: Texts) -> None:
    await callback.answer()
    content = dump_catalog_yaml(await export_spec(session)).encode("utf-8")
    name = f"catalog-{datetime.now(UTC):%Y-%m-%d}.yaml"
    await bot.send_document(callback.from_user.id, BufferedInputFile(content, filename=name),
                            caption=texts.fixed("panel.export_caption"))


@router.callback_query(CatalogFile.filter(F.action == FileAct.IMPORT))
async def import_start(callback: CallbackQuery, admin_state: FSMContext, texts: Texts) -> None:
    await ask(callback, admin_state, texts, AdminInput.catalog_file, texts.fixed("panel.ask_file"),
              AdminMenu(section=Section.CATALOG))


# `.as_()` hands the handler the document the filter matched, so it is never None here.
@router.message(InputStep(AdminInput.catalog_file), F.document.as_("document"))
async def file_received(message: Message, document: Document, admin_state: FSMContext, session: AsyncSession,
                        bot: Bot, texts: Texts) -> None:
    if document.file_size and document.file_size > MAX_FILE_BYTES:
        await ask_again(message, admin_state, texts, texts.fixed("panel.file_too_big"))
        return
    data = await bot.download(document)
    raw = data.read() if data else b""
    if len(raw) > MAX_FILE_BYTES:
        await ask_again(message, admin_state, texts, texts.fixed("panel.file_too_big"))
        return
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        await ask_again(message, admin_state, texts, texts.fixed("panel.file_not_text"))
        return
    try:
        spec = parse_catalog_yaml(text)
    except CatalogError as exc:
        await ask_again(message, admin_state, texts, texts.fixed("panel.file_invalid", error=str(exc)))
        return

    changes = await import_preview(session, spec)
    if changes.empty:
        await finish_input(message, admin_state)
        await message.answer(texts.fixed("panel.import_no_changes"))
        await catalog_screen(message, session, texts)
        return

    # Keep waiting for a file: a corrected version can be sent straight away, and a document sent now
    # must not be mistaken for a payment receipt.
    prompt_msg = (await admin_state.get_data()).get("prompt_msg")
    await retire(bot, message.chat.id, prompt_msg)
    token = _token(text)
    await admin_state.update_data(import_yaml=text, import_token=token, prompt_msg=None)
    summary = "\n".join(changes.summary_lines())
    if len(summary) > MAX_SUMMARY:
        summary = summary[:MAX_SUMMARY].rstrip() + "\n…"
    warning = ""
    if changes.groups_with_receipts:
        groups = ", ".join(f"{quoted(title)} ({count})" for title, count in changes.groups_with_receipts.items())
        warning = texts.fixed("panel.import_receipts_warning", groups=groups)
    markup = keyboard([(texts.fixed("panel.btn_apply"), CatalogFile(action=FileAct.APPLY, token=token))],
                      [(texts.fixed("panel.btn_cancel"), AdminMenu(section=Section.CATALOG))])
    await message.answer(texts.fixed("panel.import_summary", lines=summary) + warning, reply_markup=markup)


@router.message(InputStep(AdminInput.catalog_file), ~F.text.startswith("/"))
async def not_a_file(message: Message, admin_state: FSMContext, texts: Texts) -> None:
    await ask_again(message, admin_state, texts, texts.fixed("panel.file_needed"))


@router.callback_query(CatalogFile.filter(F.action == FileAct.APPLY))
async def apply_file(callback: CallbackQuery, callback_data: CatalogFile, session: AsyncSession,
                     admin_state: FSMContext, texts: Texts, uow: UnitOfWork) -> None:
    data = await admin_state.get_data()
    if not callback_data.token or data.get("import_token") != callback_data.token:
        await callback.answer(texts.fixed("panel.import_stale"))
        return
    spec = parse_catalog_yaml(data["import_yaml"])  # validated on upload; parsed again, never trusted from state
    changes = await apply_import(session, spec)
    summary = "\n".join(changes.summary_lines())
    await record(session, callback.from_user, "catalog.import", "каталог", new=summary[:MAX_SUMMARY] or None)
    await uow.commit()
    await admin_state.clear()
    await callback.answer(texts.fixed("panel.import_done"))
    await catalog_screen(callback, session, texts)
