"""«🎬 Проекты» in the panel: the list, a project's card (numbers, the deep link, publish with or without an
announcement, close, cancel), the applications with approve / reject in one tap. Parents are told of every
decision. The guided dialog (creating and editing) is handlers/admin/project_dialog.py, the list's tools (move,
message the approved, export) handlers/admin/project_roster.py; both routers are included here.

Every change goes to the journal with the panel's `record`, in the same commit.
"""

from __future__ import annotations

from collections.abc import Awaitable

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.config import Settings
from happykids.db.repositories import projects as repo
from happykids.db.unit_of_work import UnitOfWork
from happykids.domain.projects import ProjectError, ProjectStatus
from happykids.handlers.admin import project_dialog, project_roster
from happykids.handlers.admin.panel import InputStep, record
from happykids.handlers.admin.project_views import announce, show_applications, show_card, show_list
from happykids.services import projects as service
from happykids.texts.service import Texts
from happykids.ui.callbacks import AdminMenu, AppDecision, PjAdm, ProjectAdmin, ProjectApplication, Section
from happykids.ui.project_admin_screens import cancel_keyboard, reason_keyboard
from happykids.ui.states import ProjectInput
from happykids.ui.view import finish_input, show
from happykids.workers.hub import Workers

router = Router(name="admin.projects")
router.message.filter(F.chat.type == "private")
router.include_routers(project_dialog.router, project_roster.router)


@router.callback_query(AdminMenu.filter(F.section == Section.PROJECTS))
async def open_projects(callback: CallbackQuery, session: AsyncSession, texts: Texts) -> None:
    await callback.answer()
    await show_list(callback, session, texts)


@router.callback_query(ProjectAdmin.filter(F.action.in_({PjAdm.PUBLISH, PjAdm.PUBLISH_ANNOUNCE, PjAdm.ANNOUNCE})
                                           & (F.project_id != 0)))
async def publish_saved(callback: CallbackQuery, callback_data: ProjectAdmin, session: AsyncSession, texts: Texts,
                        bot: Bot, settings: Settings, uow: UnitOfWork, workers: Workers) -> None:
    """«Опубликовать» (with or without the announcement) on a draft or a closed project, or «Разослать анонс»
    on a published one that was not announced."""
    project_id = callback_data.project_id
    if callback_data.action is PjAdm.PUBLISH:
        await _act_on_card(callback, session, texts, bot, uow, project_id, service.publish(session, project_id),
                           "project.publish", "projects.published_done")
        return
    published = callback_data.action is PjAdm.ANNOUNCE or await service.publish(session, project_id)
    project = await repo.get(session, project_id, fresh=True)
    if not published or project is None or project.status != ProjectStatus.PUBLISHED:
        await callback.answer(texts.fixed("projects.gone"))
        await show_card(callback, session, texts, bot, project_id)
        return
    if callback_data.action is PjAdm.PUBLISH_ANNOUNCE:
        await record(session, callback.from_user, "project.publish", str(project_id))
    popup = await announce(callback, session, texts, bot, settings, project)
    await uow.commit()
    workers.broadcasts.wake()
    await callback.answer(popup)
    await show_card(callback, session, texts, bot, project_id)


# -- a project's card and its applications -------------------------------------------------------------------

@router.callback_query(ProjectAdmin.filter(F.action == PjAdm.CLOSE))
async def close_applications(callback: CallbackQuery, callback_data: ProjectAdmin, session: AsyncSession,
                             texts: Texts, bot: Bot, uow: UnitOfWork) -> None:
    project_id = callback_data.project_id
    await _act_on_card(callback, session, texts, bot, uow, project_id, service.close(session, project_id),
                       "project.close", "projects.closed_done")


async def _act_on_card(callback: CallbackQuery, session: AsyncSession, texts: Texts, bot: Bot, uow: UnitOfWork,
                       project_id: int, action: Awaitable[bool], journal: str, done: str) -> None:
    """A one-tap action on a project's card: journal and commit when it applied, say so (or that the project is
    gone), and show the card as it now is."""
    if await action:
        await record(session, callback.from_user, journal, str(project_id))
        await uow.commit()
        await callback.answer(texts.fixed(done))
    else:
        await callback.answer(texts.fixed("projects.gone"))
    await show_card(callback, session, texts, bot, project_id)


@router.callback_query(ProjectAdmin.filter(F.action == PjAdm.CARD))
async def open_card(callback: CallbackQuery, callback_data: ProjectAdmin, session: AsyncSession, texts: Texts,
                    bot: Bot) -> None:
    await callback.answer()
    await show_card(callback, session, texts, bot, callback_data.project_id)


@router.callback_query(ProjectAdmin.filter(F.action == PjAdm.APPS))
async def open_applications(callback: CallbackQuery, callback_data: ProjectAdmin, session: AsyncSession,
                            texts: Texts) -> None:
    await callback.answer()
    await show_applications(callback, session, texts, callback_data.project_id)


async def _decide(event: CallbackQuery | Message, session: AsyncSession, texts: Texts, workers: Workers,
                  uow: UnitOfWork, application_id: int, approve: bool, reason: str | None) -> str:
    """Decide, commit, tell the parents; returns the popup to answer with. Shows the applications again."""
    user = event.from_user
    try:
        outcome = await service.decide(session, application_id, approve, reason, user.id if user else None)
    except ProjectError as exc:
        await uow.rollback()
        popup = await texts.plain(str(exc))
        found = await repo.application(session, application_id)
        if found is not None:
            await show_applications(event, session, texts, found.project_id)
        return popup
    await record(session, user, "project.approve" if approve else "project.reject", str(application_id),
                 new=reason)
    await uow.commit()
    workers.outbox.wake()  # the parent (and whoever moved up) is told by the outbox: committed with the decision
    await show_applications(event, session, texts, outcome.application.project_id)
    return texts.fixed("projects.approved_done" if approve else "projects.rejected_done")


@router.callback_query(ProjectApplication.filter(F.action.in_({AppDecision.APPROVE, AppDecision.NO_REASON})))
async def approve_or_reject_now(callback: CallbackQuery, callback_data: ProjectApplication, session: AsyncSession,
                                texts: Texts, workers: Workers, uow: UnitOfWork) -> None:
    approve = callback_data.action is AppDecision.APPROVE
    popup = await _decide(callback, session, texts, workers, uow, callback_data.application_id, approve, None)
    await callback.answer(popup)


@router.callback_query(ProjectApplication.filter(F.action == AppDecision.REJECT))
async def ask_reason(callback: CallbackQuery, callback_data: ProjectApplication, admin_state: FSMContext,
                     session: AsyncSession, texts: Texts) -> None:
    found = await repo.application(session, callback_data.application_id)
    child = await repo.child_of(session, found.parent_id, found.child_id) if found else None
    if found is None or child is None:
        await callback.answer(texts.fixed("projects.gone"))
        return
    await callback.answer()
    sent = await show(callback, texts.fixed("projects.ask_reject", child=child.name),
                      reason_keyboard(texts, found.id, found.project_id))
    await admin_state.set_state(ProjectInput.reject_reason)
    await admin_state.set_data({"pj_app": found.id, "prompt_msg": sent.message_id})


@router.message(InputStep(ProjectInput.reject_reason), F.text, ~F.text.startswith("/"))
async def typed_reason(message: Message, admin_state: FSMContext, session: AsyncSession, texts: Texts,
                       workers: Workers, uow: UnitOfWork) -> None:
    application_id = int((await admin_state.get_data()).get("pj_app") or 0)
    await finish_input(message, admin_state)
    popup = await _decide(message, session, texts, workers, uow, application_id, False, (message.text or "")[:500])
    await message.answer(popup)


# -- cancelling a project ------------------------------------------------------------------------------------

@router.callback_query(ProjectAdmin.filter(F.action == PjAdm.CANCEL))
async def ask_cancel(callback: CallbackQuery, callback_data: ProjectAdmin, admin_state: FSMContext,
                     session: AsyncSession, texts: Texts) -> None:
    project = await repo.get(session, callback_data.project_id, fresh=True)
    if project is None or project.status == ProjectStatus.CANCELLED:
        await callback.answer(texts.fixed("projects.gone"))
        return
    await callback.answer()
    count = len(await repo.active_applications(session, project.id))
    sent = await show(callback, texts.fixed("projects.ask_cancel", title=project.title, count=count),
                      cancel_keyboard(texts, project.id))
    await admin_state.set_state(ProjectInput.cancel_reason)
    await admin_state.set_data({"pj_project": project.id, "prompt_msg": sent.message_id})


async def _cancel(event: CallbackQuery | Message, session: AsyncSession, texts: Texts, bot: Bot, uow: UnitOfWork,
                  workers: Workers, project_id: int, reason: str | None) -> None:
    await service.cancel_project(session, project_id, reason)
    await record(session, event.from_user, "project.cancel", str(project_id), new=reason)
    await uow.commit()
    workers.outbox.wake()  # everyone who applied is told by the outbox: committed with the cancellation
    await show_card(event, session, texts, bot, project_id)


@router.callback_query(ProjectAdmin.filter(F.action == PjAdm.CANCEL_YES))
async def cancel_now(callback: CallbackQuery, callback_data: ProjectAdmin, session: AsyncSession, texts: Texts,
                     bot: Bot, uow: UnitOfWork, workers: Workers) -> None:
    await callback.answer(texts.fixed("projects.cancelled_done"))
    await _cancel(callback, session, texts, bot, uow, workers, callback_data.project_id, None)


@router.message(InputStep(ProjectInput.cancel_reason), F.text, ~F.text.startswith("/"))
async def typed_cancel_reason(message: Message, admin_state: FSMContext, session: AsyncSession, texts: Texts,
                              bot: Bot, uow: UnitOfWork, workers: Workers) -> None:
    project_id = int((await admin_state.get_data()).get("pj_project") or 0)
    await finish_input(message, admin_state)
    await message.answer(texts.fixed("projects.cancelled_done"))
    await _cancel(message, session, texts, bot, uow, workers, project_id, (message.text or "")[:500])
