"""The parent's side of projects: /projects, a project's card, applying for a child, cancelling.

Applying is a short dialog in the parent's own FSM context (ui/states.py, ProjectDialog), so a restart resumes
on the step they were on: consent (once, before any child's data is stored) -> which child (remembered, or a
new one: name, birth date) -> confirmation -> the result. Every step has Back; a press on an old screen gets
"this button is outdated" and the current step; typing where a button is expected escalates like the payment
dialog (domain/mistakes.py). The places themselves are counted by services/projects.py under a row lock.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.base import utcnow
from happykids.db.repositories import project_admin
from happykids.db.repositories import project_parent as extra_repo
from happykids.db.repositories import projects as repo
from happykids.db.unit_of_work import UnitOfWork
from happykids.domain.clock import agency_zone, to_local
from happykids.domain.mistakes import escalate
from happykids.domain.projects import (
    ApplicationStatus,
    ProjectError,
    ProjectFunnelStep,
    parse_birth_date,
    parse_child_name,
    project_from_payload,
)
from happykids.handlers import project_flow as flow
from happykids.handlers.mistakes import LEVEL_TEXT
from happykids.services import child_answers, project_audience
from happykids.services import projects as service
from happykids.services.caches import CatalogCache
from happykids.services.project_payments import is_paid_project
from happykids.texts.service import Texts
from happykids.ui.callbacks import PjStep, ProjectCard, ProjectsList, ProjectStep
from happykids.ui.project_screens import (
    Mine,
    ProjectScreen,
    birth_screen,
    cancel_screen,
    card_screen,
    child_screen,
    consent_screen,
    list_screen,
    name_screen,
    result_screen,
)
from happykids.ui.states import PROJECT_CHOOSING, ProjectDialog
from happykids.ui.view import commit_before_showing, put, retire
from happykids.workers.hub import Workers

router = Router(name="projects")
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")

LIVE = "pj_msg"  # the message that shows the projects screen now (edited in place; older ones are retired)
PROJECT, CHILD, NAME = "pj", "pj_child", "pj_name"
PROJECT_STATES = {s.state for s in ProjectDialog.__all_states__}


# -- showing -------------------------------------------------------------------------------------------------

async def present(bot: Bot, chat_id: int, state: FSMContext, screen: ProjectScreen,
                  pressed: CallbackQuery | None = None) -> None:
    """Commit, then show `screen`: in the pressed message if it is the live projects screen, else as a new
    message (the greeting or a payment step is never overwritten). The previous live screen loses its buttons."""
    data = await state.get_data()
    live = data.get(LIVE)
    message = pressed.message if pressed is not None and isinstance(pressed.message, Message) else None
    edit = message if message is not None and message.message_id == live else None
    await commit_before_showing()
    shown = await put(bot, chat_id, screen.text, screen.markup, edit=edit, photo=screen.photo)
    now_live = shown.message_id if screen.markup is not None else None  # one without buttons needs no retiring
    if live and live != shown.message_id:
        await retire(bot, chat_id, live)
    if now_live != live:
        await state.update_data({LIVE: now_live})


async def open_list(session: AsyncSession, texts: Texts, parent_id: int) -> ProjectScreen:
    projects = await project_audience.for_parent(session, await repo.open_projects(session, utcnow()), parent_id)
    return await list_screen(texts, projects, await service.numbers(session, projects), agency_zone())


async def project_card(session: AsyncSession, texts: Texts, parent_id: int, project_id: int) -> ProjectScreen | None:
    project = await service.visible_to_parent(session, project_id)
    if project is None:
        return None
    mine = []
    for application, child in await repo.parent_applications(session, parent_id, project_id):
        rank = (await repo.waiting_rank(session, project_id, application.position)
                if application.status == ApplicationStatus.WAITING else 0)
        pending = await extra_repo.pending_receipt_of(session, application.id) is not None
        mine.append(Mine(application, child, rank, pending))
    numbers = (await service.numbers(session, [project]))[project.id]
    window = service.window(project)
    now = utcnow()
    return await card_screen(texts, project, numbers, mine, agency_zone(), window.open_for_applications(now),
                             window.cancellable_by_parent(now))


async def current_screen(session: AsyncSession, texts: Texts, state: FSMContext, parent_id: int) -> ProjectScreen:
    """The step the parent is really on (after a restart, a mistake or a stale press)."""
    current, data = await state.get_state(), await state.get_data()
    project = await service.visible_to_parent(session, int(data.get(PROJECT) or 0))
    if current in PROJECT_STATES and project is not None:
        if current == ProjectDialog.consent.state:
            return await consent_screen(texts, project.id)
        if current == ProjectDialog.name.state:
            return await name_screen(texts, project)
        if current == ProjectDialog.birth.state:
            return await birth_screen(texts, project, str(data.get(NAME) or ""))
        resumed = await flow.resume(session, state, texts, parent_id, project)  # extra questions, confirm, pay
        if resumed is not None:
            return resumed
        if current == ProjectDialog.pay.state:
            await state.set_state(None)
            card = await project_card(session, texts, parent_id, project.id)
            return card or await open_list(session, texts, parent_id)
        await state.set_state(ProjectDialog.child)
        return await child_screen(texts, project, await repo.children_of(session, parent_id))
    if current in PROJECT_STATES:
        await state.set_state(None)
    if project is not None:  # the card of the project they were looking at
        card = await project_card(session, texts, parent_id, project.id)
        if card is not None:
            return card
    return await open_list(session, texts, parent_id)


async def stale(callback: CallbackQuery, session: AsyncSession, texts: Texts, state: FSMContext, bot: Bot,
                popup: str = "dialog.stale_button") -> None:
    await callback.answer(await texts.plain(popup))
    screen = await current_screen(session, texts, state, callback.from_user.id)
    await present(bot, callback.from_user.id, state, screen, callback)


async def leave_dialog(state: FSMContext) -> None:
    if await state.get_state() in PROJECT_STATES:
        await state.set_state(None)


# -- the list and the card -----------------------------------------------------------------------------------

@router.message(Command("projects"))
async def cmd_projects(message: Message, state: FSMContext, session: AsyncSession, texts: Texts, bot: Bot) -> None:
    await leave_dialog(state)
    await present(bot, message.chat.id, state, await open_list(session, texts, message.chat.id))


@router.message(CommandStart(deep_link=True, magic=F.args.regexp(r"^project_\d{1,9}$")))
async def deep_link(message: Message, command: CommandObject, state: FSMContext, session: AsyncSession,
                    texts: Texts, bot: Bot) -> None:
    """`t.me/<bot>?start=project_<id>`: the parent lands on that project (or the list, if it is gone)."""
    await leave_dialog(state)
    project_id = project_from_payload(command.args) or 0
    screen = await project_card(session, texts, message.chat.id, project_id)
    if screen is not None:
        await state.update_data({PROJECT: project_id})
        await project_admin.record_event(session, message.chat.id, ProjectFunnelStep.VIEWED, project_id)
    await present(bot, message.chat.id, state, screen or await open_list(session, texts, message.chat.id))


@router.callback_query(ProjectsList.filter())
async def on_list(callback: CallbackQuery, state: FSMContext, session: AsyncSession, texts: Texts, bot: Bot) -> None:
    await callback.answer()
    await leave_dialog(state)
    await present(bot, callback.from_user.id, state, await open_list(session, texts, callback.from_user.id), callback)


@router.callback_query(ProjectCard.filter())
async def on_card(callback: CallbackQuery, callback_data: ProjectCard, state: FSMContext, session: AsyncSession,
                  texts: Texts, bot: Bot) -> None:
    screen = await project_card(session, texts, callback.from_user.id, callback_data.project_id)
    if screen is None:
        await callback.answer(await texts.plain("projects.not_found"))
        screen = await open_list(session, texts, callback.from_user.id)
    else:
        await callback.answer()
        await state.update_data({PROJECT: callback_data.project_id})
        await project_admin.record_event(session, callback.from_user.id, ProjectFunnelStep.VIEWED,
                                         callback_data.project_id)
    await leave_dialog(state)
    await present(bot, callback.from_user.id, state, screen, callback)


# -- applying ------------------------------------------------------------------------------------------------

async def _step_handler(callback: CallbackQuery, data: ProjectStep, state: FSMContext, session: AsyncSession,
                        texts: Texts, bot: Bot) -> ProjectScreen | str | None:
    """The next screen for a press on a step, or a popup key to refuse it with."""
    parent_id = callback.from_user.id
    current, stored = await state.get_state(), await state.get_data()
    in_this = int(stored.get(PROJECT) or 0) == data.project_id and current in PROJECT_STATES
    project = await service.visible_to_parent(session, data.project_id)
    if project is None:
        return "projects.not_found"
    if data.step is PjStep.APPLY:
        if not service.window(project).open_for_applications(utcnow()):
            return "projects.err_closed"
        if not await project_audience.may_apply(session, project, parent_id):
            return "projects.err_not_for_you"
        await state.update_data({PROJECT: project.id, CHILD: None, NAME: None, "mistakes": 0})
        if not await repo.has_consent(session, parent_id):
            await state.set_state(ProjectDialog.consent)
            return await consent_screen(texts, project.id)
        return await _children_or_name(session, texts, state, parent_id, project)
    if not in_this:
        return None
    await state.update_data(mistakes=0)
    if data.step is PjStep.CONSENT and current == ProjectDialog.consent.state:
        await repo.give_consent(session, parent_id)
        return await _children_or_name(session, texts, state, parent_id, project)
    if data.step is PjStep.NEW_CHILD and current == ProjectDialog.child.state:
        await state.set_state(ProjectDialog.name)
        return await name_screen(texts, project)
    if data.step is PjStep.CHILD and current == ProjectDialog.child.state:
        child = await repo.child_of(session, parent_id, data.item)
        if child is None:
            return None
        return await flow.after_child(state, texts, project, child)
    if data.step is PjStep.BACK and current == ProjectDialog.birth.state:
        await state.set_state(ProjectDialog.name)
        return await name_screen(texts, project)
    chosen = await repo.child_of(session, parent_id, int(stored.get(CHILD) or 0))
    if data.step is PjStep.BACK and current in (ProjectDialog.extra.state, ProjectDialog.confirm.state) and chosen:
        return await flow.back(session, state, texts, parent_id, project, chosen)
    if data.step is PjStep.BACK and current in (ProjectDialog.name.state, ProjectDialog.confirm.state):
        children = await repo.children_of(session, parent_id)
        if children:
            await state.set_state(ProjectDialog.child)
            return await child_screen(texts, project, children)
        await state.set_state(None)
        return await project_card(session, texts, parent_id, project.id)
    return None


async def _children_or_name(session: AsyncSession, texts: Texts, state: FSMContext, parent_id: int,
                            project: Any) -> ProjectScreen:
    children = await repo.children_of(session, parent_id)
    if children:
        await state.set_state(ProjectDialog.child)
        return await child_screen(texts, project, children)
    await state.set_state(ProjectDialog.name)
    return await name_screen(texts, project)


@router.callback_query(ProjectStep.filter(F.step.in_({PjStep.CONFIRM, PjStep.CANCEL, PjStep.CANCEL_YES})))
async def on_decisive_step(callback: CallbackQuery, callback_data: ProjectStep, state: FSMContext,
                           session: AsyncSession, texts: Texts, bot: Bot, uow: UnitOfWork, workers: Workers) -> None:
    parent_id = callback.from_user.id
    project = await service.visible_to_parent(session, callback_data.project_id)
    if project is None:
        await stale(callback, session, texts, state, bot, "projects.not_found")
        return
    if callback_data.step is PjStep.CANCEL:
        found = await repo.application_for_parent(session, parent_id, callback_data.item)
        child = await repo.child_of(session, parent_id, found.child_id) if found else None
        if found is None or child is None:
            await stale(callback, session, texts, state, bot, "projects.err_not_active")
            return
        await callback.answer()
        await present(bot, parent_id, state, await cancel_screen(texts, project, found.id, child), callback)
        return
    if callback_data.step is PjStep.CANCEL_YES:
        await _cancel(callback, callback_data, state, session, texts, bot, uow, workers)
        return
    data = await state.get_data()
    if (await state.get_state() != ProjectDialog.confirm.state or int(data.get(PROJECT) or 0) != project.id
            or int(data.get(CHILD) or 0) != callback_data.item):
        await stale(callback, session, texts, state, bot)
        return
    try:
        outcome = await service.apply(session, project.id, parent_id, callback_data.item, utcnow())
    except ProjectError as exc:
        await uow.rollback()
        await state.set_state(None)
        await callback.answer(await texts.plain(str(exc)))
        screen = await project_card(session, texts, parent_id, project.id) or await open_list(session, texts, parent_id)
        await present(bot, parent_id, state, screen, callback)
        return
    await callback.answer()
    child = await repo.child_of(session, parent_id, callback_data.item)
    if child is None:  # it was there under the lock a moment ago (/mydata waits for the same lock)
        raise RuntimeError("the child vanished")
    child_answers.save(child, outcome.application, project.child_fields, data.get(flow.ANSWERS) or {})
    paying = is_paid_project(project) and outcome.application.status != ApplicationStatus.WAITING
    await state.set_state(ProjectDialog.pay if paying else None)  # on the payment step a photo is the receipt
    await state.update_data({flow.PAYING: outcome.application.id if paying else None, flow.ANSWERS: None})
    screen = await result_screen(texts, project, child, ApplicationStatus(outcome.application.status), outcome.rank)
    await present(bot, parent_id, state, screen, callback)


async def _cancel(callback: CallbackQuery, data: ProjectStep, state: FSMContext, session: AsyncSession,
                  texts: Texts, bot: Bot, uow: UnitOfWork, workers: Workers) -> None:
    parent_id = callback.from_user.id
    try:
        outcome = await service.cancel_by_parent(session, parent_id, data.item, utcnow())
    except ProjectError as exc:
        await uow.rollback()
        await stale(callback, session, texts, state, bot, str(exc))
        return
    await callback.answer()
    child = await repo.child_of(session, parent_id, outcome.application.child_id)
    screen = (await project_card(session, texts, parent_id, data.project_id)
              or await open_list(session, texts, parent_id))
    await present(bot, parent_id, state, screen, callback)
    project = await repo.get(session, data.project_id)
    await bot.send_message(parent_id, await texts.get("projects.cancelled", child=child.name if child else "",
                                                      project=project.title if project else ""))
    if outcome.notices:
        workers.outbox.wake()  # the first on the waiting list hears they moved up (committed with the change)


@router.callback_query(ProjectStep.filter())
async def on_step(callback: CallbackQuery, callback_data: ProjectStep, state: FSMContext, session: AsyncSession,
                  texts: Texts, bot: Bot) -> None:
    if callback_data.step is PjStep.CHILD and await state.get_state() == ProjectDialog.child.state:
        refusal = await flow.age_refusal(session, texts, callback_data.project_id, callback.from_user.id,
                                     callback_data.item, "projects.err_age")
        if refusal is not None:  # this child cannot be chosen: say why, the choice stays on the screen
            await callback.answer(refusal[:200], show_alert=True)
            return
    result = await _step_handler(callback, callback_data, state, session, texts, bot)
    if result is None or isinstance(result, str):
        await stale(callback, session, texts, state, bot, result or "dialog.stale_button")
        return
    await callback.answer()
    await present(bot, callback.from_user.id, state, result, callback)


# -- typed answers -------------------------------------------------------------------------------------------

@router.message(StateFilter(ProjectDialog.name, ProjectDialog.birth), F.text, ~F.text.startswith("/"))
async def typed_answer(message: Message, state: FSMContext, session: AsyncSession, texts: Texts, bot: Bot) -> None:
    parent_id = message.chat.id
    data = await state.get_data()
    project = await service.visible_to_parent(session, int(data.get(PROJECT) or 0))
    if project is None:
        await state.set_state(None)
        await present(bot, parent_id, state, await open_list(session, texts, parent_id))
        return
    try:
        if await state.get_state() == ProjectDialog.name.state:
            name = parse_child_name(message.text or "")
            await state.update_data({NAME: name})
            await state.set_state(ProjectDialog.birth)
            await present(bot, parent_id, state, await birth_screen(texts, project, name))
            return
        birth = parse_birth_date(message.text or "", to_local(utcnow()).date())
        refusal = await flow.age_refusal(session, texts, project.id, parent_id, 0, "projects.err_age_new", birth,
                                     str(data.get(NAME) or ""))
        if refusal is not None:  # nothing is stored: the parent may type another date, or go back
            await commit_before_showing()
            await message.answer(refusal)
            await present(bot, parent_id, state, await current_screen(session, texts, state, parent_id))
            return
        child = await service.add_child(session, parent_id, str(data.get(NAME) or ""), birth)
    except ProjectError as exc:
        await commit_before_showing()
        await message.answer(await texts.get(str(exc)))
        await present(bot, parent_id, state, await current_screen(session, texts, state, parent_id))
        return
    await state.update_data({NAME: None})
    await present(bot, parent_id, state, await flow.after_child(state, texts, project, child))


@router.message(StateFilter(ProjectDialog.name, ProjectDialog.birth), ~F.text.startswith("/"))
async def not_text(message: Message, state: FSMContext, session: AsyncSession, texts: Texts, bot: Bot) -> None:
    await message.answer(await texts.get("projects.type_name"))
    await present(bot, message.chat.id, state, await current_screen(session, texts, state, message.chat.id))


@router.message(StateFilter(*PROJECT_CHOOSING), ~F.text.startswith("/"))
async def typed_instead_of_button(message: Message, state: FSMContext, session: AsyncSession, texts: Texts,
                                  bot: Bot, catalog_cache: CatalogCache) -> None:
    """Like the payment dialog: an error, then an instruction, then the contacts; the same step again."""
    mistakes = int((await state.get_data()).get("mistakes", 0)) + 1
    await state.update_data(mistakes=mistakes)
    catalog = await catalog_cache.get(session)
    await commit_before_showing()
    await message.answer(await texts.get(LEVEL_TEXT[escalate(mistakes)], contacts=catalog.contacts))
    await present(bot, message.chat.id, state, await current_screen(session, texts, state, message.chat.id))
