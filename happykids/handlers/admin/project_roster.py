"""The tools on a project's applications screen: move an application between the list and the waiting list with
one tap, write to every approved participant (a broadcast: paced, with progress and a report), and export the
list as XLSX.
"""

from __future__ import annotations

import asyncio
import secrets
from html import escape

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.config import Settings
from happykids.db.base import utcnow
from happykids.db.repositories import projects as repo
from happykids.db.unit_of_work import UnitOfWork
from happykids.domain.broadcasts import Content
from happykids.domain.clock import to_local
from happykids.domain.projects import ProjectError
from happykids.handlers.admin.panel import InputStep, record
from happykids.handlers.admin.project_views import admins, show_applications
from happykids.services import project_announce, project_export, project_roster
from happykids.services.project_announce import caption_fits
from happykids.texts.service import Markup, Texts
from happykids.ui.broadcast_content import send_content
from happykids.ui.callbacks import AppDecision, PjAdm, ProjectAdmin, ProjectApplication
from happykids.ui.director_text import director_html, tag_problems
from happykids.ui.keyboards.admin import keyboard
from happykids.ui.states import ProjectInput
from happykids.ui.view import ask, ask_again, finish_input
from happykids.workers.hub import Workers

router = Router(name="admin.project_roster")
router.message.filter(F.chat.type == "private")

MESSAGE = "pj_message"  # the draft of her message to the approved: {"project", "token", "text", "photo"}


@router.callback_query(ProjectApplication.filter(F.action.in_({AppDecision.TO_LIST, AppDecision.TO_WAITING})))
async def move(callback: CallbackQuery, callback_data: ProjectApplication, session: AsyncSession, texts: Texts,
               workers: Workers, uow: UnitOfWork) -> None:
    to_list = callback_data.action is AppDecision.TO_LIST
    try:
        application = await project_roster.move(session, callback_data.application_id, to_list, callback.from_user.id)
    except ProjectError as exc:
        await uow.rollback()
        await callback.answer(await texts.plain(str(exc)))
        found = await repo.application(session, callback_data.application_id)
        if found is not None:
            await show_applications(callback, session, texts, found.project_id)
        return
    await record(session, callback.from_user, "project.move", str(application.id),
                 new="список" if to_list else "лист ожидания")
    await uow.commit()
    workers.outbox.wake()  # the parent hears of the move: committed with it
    await callback.answer(texts.fixed("projects.moved_up_done" if to_list else "projects.moved_down_done"))
    await show_applications(callback, session, texts, application.project_id)


@router.callback_query(ProjectAdmin.filter(F.action == PjAdm.EXPORT))
async def export(callback: CallbackQuery, callback_data: ProjectAdmin, session: AsyncSession, texts: Texts,
                 bot: Bot) -> None:
    project = await repo.get(session, callback_data.project_id, fresh=True)
    rows = await project_export.roster(session, project, to_local(utcnow()).date()) if project else []
    if project is None or not rows:
        await callback.answer(texts.fixed("projects.export_empty"), show_alert=True)
        return
    await callback.answer()
    data = await asyncio.to_thread(project_export.to_xlsx, rows, project.title)
    await bot.send_document(callback.from_user.id, BufferedInputFile(data, project_export.filename(project)),
                            caption=texts.fixed("projects.export_caption", title=project.title, count=len(rows)))


# -- a message to the approved participants ----------------------------------------------------------------

@router.callback_query(ProjectAdmin.filter(F.action == PjAdm.TO_APPROVED))
async def ask_message(callback: CallbackQuery, callback_data: ProjectAdmin, admin_state: FSMContext,
                      session: AsyncSession, texts: Texts, settings: Settings) -> None:
    project = await repo.get(session, callback_data.project_id, fresh=True)
    reach = [p for p in await project_announce.approved_parents(session, callback_data.project_id)
             if p not in await admins(session, settings)]
    if project is None or not reach:
        await callback.answer(texts.fixed("projects.nobody_approved"), show_alert=True)
        return
    await ask(callback, admin_state, texts, ProjectInput.to_approved,
              texts.fixed("projects.ask_to_approved", title=project.title, count=len(reach)),
              ProjectAdmin(action=PjAdm.APPS, project_id=project.id), pj_project=project.id)


@router.message(InputStep(ProjectInput.to_approved), F.photo | (F.text & ~F.text.startswith("/")))
async def typed_message(message: Message, admin_state: FSMContext, session: AsyncSession, texts: Texts,
                        settings: Settings, bot: Bot) -> None:
    project_id = int((await admin_state.get_data()).get("pj_project") or 0)
    project = await repo.get(session, project_id, fresh=True)
    formatted = director_html(message)
    if problems := tag_problems(formatted):
        await ask_again(message, admin_state, texts, escape("\n".join(problems), quote=False))
        return
    if project is None:
        await finish_input(message, admin_state)
        return
    text = await texts.get("projects.to_approved", project=project.title, text=Markup(formatted.html))
    photo = message.photo[-1].file_id if message.photo else None
    if photo is not None and not caption_fits(text):
        await ask_again(message, admin_state, texts, texts.fixed("panel_ops.caption_too_long", length=len(text)))
        return
    token = secrets.token_hex(4)
    await finish_input(message, admin_state, **{MESSAGE: {"project": project_id, "token": token, "text": text,
                                                          "photo": photo}})
    reach = [p for p in await project_announce.approved_parents(session, project_id)
             if p not in await admins(session, settings)]
    await send_content(bot, message.chat.id, Content(text, photo))  # exactly what they will get
    await message.answer(texts.fixed("projects.to_approved_preview", count=len(reach)), reply_markup=keyboard(
        [(texts.fixed("projects.btn_adm_send"), ProjectAdmin(action=PjAdm.SEND_TO_APPROVED, project_id=project_id,
                                                             draft=token))],
        [(texts.fixed("panel.btn_cancel"), ProjectAdmin(action=PjAdm.APPS, project_id=project_id))]))


@router.message(InputStep(ProjectInput.to_approved), ~F.text.startswith("/"))
async def wrong_message(message: Message, admin_state: FSMContext, texts: Texts) -> None:
    """A sticker, a file or a voice where a text or a photo is due: say what is accepted (and keep a file away
    from the receipts)."""
    await ask_again(message, admin_state, texts, texts.fixed("panel_ops.wrong_content"))


@router.callback_query(ProjectAdmin.filter(F.action == PjAdm.SEND_TO_APPROVED))
async def send_message(callback: CallbackQuery, callback_data: ProjectAdmin, admin_state: FSMContext,
                       session: AsyncSession, texts: Texts, settings: Settings, uow: UnitOfWork,
                       workers: Workers) -> None:
    draft = (await admin_state.get_data()).get(MESSAGE) or {}
    project = await repo.get(session, callback_data.project_id, fresh=True)
    if draft.get("token") != callback_data.draft or project is None:
        await callback.answer(texts.fixed("projects.draft_gone"))
        return
    await admin_state.update_data({MESSAGE: None})  # a second tap finds nothing to send
    _, counts = await project_announce.message_approved(
        session, project, Content(draft["text"], draft.get("photo")), created_by=callback.from_user.id,
        exclude=await admins(session, settings))
    await record(session, callback.from_user, "project.message", project.title, new=counts.total)
    await uow.commit()
    workers.broadcasts.wake()  # the sender posts its progress and the report in her chat
    await callback.answer(texts.fixed("projects.to_approved_queued", count=counts.total))
    await show_applications(callback, session, texts, project.id)
