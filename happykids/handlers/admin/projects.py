"""«🎬 Проекты» in the panel: a new project in a short guided dialog, its card with numbers and the deep link,
the applications with approve / reject in one tap, and cancelling a project. Parents are told of every decision.

The dialog uses the panel's input patterns (handlers/admin/panel.py): its own FSM context, InputStep filters,
an audit entry with each change. The draft lives in that context's data until she saves it; a token in every
button of the dialog makes a press on an old preview refuse to save a draft that is gone.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.base import utcnow
from happykids.db.repositories import projects as repo
from happykids.db.unit_of_work import UnitOfWork
from happykids.domain.clock import agency_zone, to_local
from happykids.domain.projects import (
    FeeKind,
    ProjectError,
    ProjectStatus,
    deep_link_payload,
)
from happykids.handlers.admin.panel import InputStep, record
from happykids.handlers.admin.project_fields import ask_child_fields
from happykids.services import projects as service
from happykids.texts.service import Texts
from happykids.ui.callbacks import (
    AdminMenu,
    AppDecision,
    PjAdm,
    ProjectAdmin,
    ProjectApplication,
    ProjectKindPick,
    Section,
)
from happykids.ui.keyboards.admin import keyboard
from happykids.ui.project_admin_screens import (
    applications_screen,
    cancel_keyboard,
    card_screen,
    kind_keyboard,
    list_screen,
    preview_screen,
    reason_keyboard,
)
from happykids.ui.states import ProjectInput, short
from happykids.ui.view import finish_input, retire, show
from happykids.workers.hub import Workers

router = Router(name="admin.projects")
router.message.filter(F.chat.type == "private")

DRAFT = "pj_draft"
SHORTCUTS = {  # typed steps that also have a button: the step, its prompt, the button
    ProjectInput.when: (PjAdm.TBA, "projects.btn_adm_tba"),
    ProjectInput.places: (PjAdm.UNLIMITED, "projects.btn_adm_unlimited"),
    ProjectInput.deadline: (PjAdm.NO_DEADLINE, "projects.btn_adm_no_deadline"),
    ProjectInput.fee: (PjAdm.FREE, "projects.btn_adm_free"),
}
NEXT = {ProjectInput.title: None, ProjectInput.description: ProjectInput.when, ProjectInput.when: ProjectInput.place,
        ProjectInput.place: ProjectInput.places, ProjectInput.places: ProjectInput.deadline,
        ProjectInput.deadline: ProjectInput.fee, ProjectInput.fee: None}
CREATION = list(NEXT)
SHORTCUT_STEP = {action: step for step, (action, _) in SHORTCUTS.items()}
SHORTCUT_VALUES: dict[PjAdm, dict[str, Any]] = {
    PjAdm.TBA: {"starts_at": None}, PjAdm.UNLIMITED: {"places": None}, PjAdm.NO_DEADLINE: {"deadline": None},
    PjAdm.FREE: {"fee": {"kind": FeeKind.FREE.value, "amount": None, "url": None}},
}


async def _list(event: CallbackQuery | Message, session: AsyncSession, texts: Texts) -> None:
    text, markup = await list_screen(texts, await repo.all_projects(session), agency_zone())
    await show(event, text, markup)


async def _card(event: CallbackQuery | Message, session: AsyncSession, texts: Texts, bot: Bot,
                project_id: int) -> None:
    project = await repo.get(session, project_id, fresh=True)
    if project is None:
        await _list(event, session, texts)
        return
    link = None
    if project.status == ProjectStatus.PUBLISHED:
        me = await bot.me()
        link = f"https://t.me/{me.username}?start={deep_link_payload(project.id)}"
    numbers = (await service.numbers(session, [project]))[project.id]
    await show(event, *await card_screen(texts, project, numbers, agency_zone(), link))


async def _applications(event: CallbackQuery | Message, session: AsyncSession, texts: Texts, project_id: int) -> None:
    project = await repo.get(session, project_id, fresh=True)
    if project is None:
        await _list(event, session, texts)
        return
    items = await repo.project_applications(session, project_id)
    parents = await repo.parent_names(session, [a.parent_id for a, _ in items])
    on = to_local(project.starts_at).date() if project.starts_at else to_local(utcnow()).date()
    await show(event, *await applications_screen(texts, project, items, parents, on))


@router.callback_query(AdminMenu.filter(F.section == Section.PROJECTS))
async def open_projects(callback: CallbackQuery, session: AsyncSession, texts: Texts) -> None:
    await callback.answer()
    await _list(callback, session, texts)


# -- the guided dialog ---------------------------------------------------------------------------------------

async def _ask(event: CallbackQuery | Message, admin_state: FSMContext, texts: Texts, step: Any,
               draft: dict[str, Any], problem: str = "") -> None:
    """Show the step's question (with its shortcut button, if any, and «Отмена») and wait for her answer."""
    prompt = texts.fixed(f"projects.ask_{short(step.state)}")
    rows: list[list[tuple[str, CallbackData]]] = []
    if step in SHORTCUTS:
        action, label_key = SHORTCUTS[step]
        rows.append([(texts.fixed(label_key), ProjectAdmin(action=action, draft=draft["token"]))])
    rows.append([(texts.fixed("panel.btn_cancel"), AdminMenu(section=Section.PROJECTS))])
    await _put_prompt(event, admin_state, f"⚠️ {problem}\n\n{prompt}" if problem else prompt, keyboard(*rows))
    await admin_state.set_state(step)
    await admin_state.update_data({DRAFT: draft, "pj_step": step.state})


async def _put_prompt(event: CallbackQuery | Message, admin_state: FSMContext, text: str, markup: Any) -> None:
    if isinstance(event, Message) and event.bot is not None:  # after her answer the next question comes below:
        await retire(event.bot, event.chat.id, (await admin_state.get_data()).get("prompt_msg"))  # old one retires
    sent = await show(event, text, markup)
    await admin_state.update_data(prompt_msg=sent.message_id)


@router.callback_query(ProjectAdmin.filter(F.action == PjAdm.NEW))
async def new_project(callback: CallbackQuery, admin_state: FSMContext, texts: Texts) -> None:
    await callback.answer()
    await admin_state.set_data({})
    await _ask(callback, admin_state, texts, ProjectInput.title, {"token": secrets.token_hex(4)})


@router.callback_query(ProjectKindPick.filter())
async def pick_kind(callback: CallbackQuery, callback_data: ProjectKindPick, admin_state: FSMContext,
                    texts: Texts) -> None:
    draft = (await admin_state.get_data()).get(DRAFT) or {}
    if draft.get("token") != callback_data.draft or "title" not in draft:
        await callback.answer(texts.fixed("projects.draft_gone"))
        return
    await callback.answer()
    await _ask(callback, admin_state, texts, ProjectInput.description, {**draft, "kind": callback_data.kind.value})


async def _after(event: CallbackQuery | Message, admin_state: FSMContext, texts: Texts, step: Any,
                 draft: dict[str, Any]) -> None:
    """Go on from `step`: the next question, the kinds after the title, the preview after the fee."""
    if step is ProjectInput.title:
        await admin_state.set_state(ProjectInput.kind)
        await admin_state.update_data({DRAFT: draft})
        await _put_prompt(event, admin_state, texts.fixed("projects.ask_kind"), kind_keyboard(texts, draft["token"]))
        return
    following = NEXT[step]
    if following is not None:
        await _ask(event, admin_state, texts, following, draft)
        return
    if step is ProjectInput.fee:  # which extra child fields to ask; its «Готово» shows the preview
        await ask_child_fields(event, admin_state, texts, draft)
        return
    await admin_state.set_state(ProjectInput.preview)
    await admin_state.update_data({DRAFT: draft})
    project = service.preview_of(service.draft_from(draft))
    await _put_prompt(event, admin_state, *await preview_screen(texts, project, agency_zone(), draft["token"]))


@router.message(InputStep(*CREATION), F.text, ~F.text.startswith("/"))
async def typed(message: Message, admin_state: FSMContext, texts: Texts) -> None:
    current = await admin_state.get_state()
    step = next(s for s in CREATION if s.state == current)
    draft = (await admin_state.get_data()).get(DRAFT) or {}
    try:
        answer = short(step.state)
        draft = {**draft, **service.read_answer(answer, message.text or "", message.html_text, draft, utcnow())}
    except ProjectError as exc:
        await _ask(message, admin_state, texts, step, draft, problem=await texts.get(str(exc)))
        return
    await _after(message, admin_state, texts, step, draft)


@router.message(InputStep(ProjectInput.kind, ProjectInput.preview), ~F.text.startswith("/"))
async def buttons_expected(message: Message, admin_state: FSMContext, texts: Texts) -> None:
    """She typed where the dialog waits for a button (the kind, or the preview's save): say so, show it again."""
    draft = (await admin_state.get_data()).get(DRAFT) or {}
    problem = f"⚠️ {texts.fixed('projects.use_buttons')}\n\n"
    if await admin_state.get_state() == ProjectInput.kind.state:
        await _put_prompt(message, admin_state, problem + texts.fixed("projects.ask_kind"),
                          kind_keyboard(texts, draft.get("token", "")))
        return
    text, markup = await preview_screen(texts, service.preview_of(service.draft_from(draft)), agency_zone(),
                                        draft.get("token", ""))
    await _put_prompt(message, admin_state, problem + text, markup)


@router.message(InputStep(*CREATION, ProjectInput.reject_reason, ProjectInput.cancel_reason), ~F.text)
async def not_text(message: Message, admin_state: FSMContext, texts: Texts) -> None:
    """A photo or a sticker where she should type: keep it away from the receipts; ask again."""
    current = await admin_state.get_state()
    step = next((s for s in CREATION if s.state == current), None)
    draft = (await admin_state.get_data()).get(DRAFT) or {}
    if step is not None and draft:
        await _ask(message, admin_state, texts, step, draft, problem=texts.fixed("panel.send_text"))
        return
    await message.answer(texts.fixed("panel.send_text"))


@router.callback_query(ProjectAdmin.filter(F.action.in_(set(SHORTCUT_STEP))))
async def shortcut(callback: CallbackQuery, callback_data: ProjectAdmin, admin_state: FSMContext,
                   texts: Texts) -> None:
    data = await admin_state.get_data()
    draft, step = data.get(DRAFT) or {}, SHORTCUT_STEP[callback_data.action]
    if draft.get("token") != callback_data.draft or data.get("pj_step") != step.state:
        await callback.answer(texts.fixed("projects.draft_gone"))
        return
    await callback.answer()
    value = SHORTCUT_VALUES[callback_data.action]
    await _after(callback, admin_state, texts, step, {**draft, **value})


@router.callback_query(ProjectAdmin.filter(F.action.in_({PjAdm.SAVE_DRAFT, PjAdm.PUBLISH})))
async def save(callback: CallbackQuery, callback_data: ProjectAdmin, admin_state: FSMContext,
               session: AsyncSession, texts: Texts, bot: Bot, uow: UnitOfWork) -> None:
    publish = callback_data.action is PjAdm.PUBLISH
    if callback_data.project_id:  # «Опубликовать» on a saved draft's card
        project_id = callback_data.project_id
        await _act_on_card(callback, session, texts, bot, uow, project_id, service.publish(session, project_id),
                           "project.publish", "projects.published_done")
        return
    draft = (await admin_state.get_data()).get(DRAFT) or {}
    if draft.get("token") != callback_data.draft or "fee" not in draft:
        await callback.answer(texts.fixed("projects.draft_gone"))
        return
    project = await service.create(session, service.draft_from(draft), callback.from_user.id, publish=publish)
    await record(session, callback.from_user, "project.publish" if publish else "project.draft", project.title)
    await admin_state.set_data({})
    await uow.commit()
    await callback.answer(texts.fixed("projects.published_done" if publish else "projects.saved_draft"))
    await _card(callback, session, texts, bot, project.id)


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
    await _card(callback, session, texts, bot, project_id)


@router.callback_query(ProjectAdmin.filter(F.action == PjAdm.CARD))
async def open_card(callback: CallbackQuery, callback_data: ProjectAdmin, session: AsyncSession, texts: Texts,
                    bot: Bot) -> None:
    await callback.answer()
    await _card(callback, session, texts, bot, callback_data.project_id)


@router.callback_query(ProjectAdmin.filter(F.action == PjAdm.APPS))
async def open_applications(callback: CallbackQuery, callback_data: ProjectAdmin, session: AsyncSession,
                            texts: Texts) -> None:
    await callback.answer()
    await _applications(callback, session, texts, callback_data.project_id)


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
            await _applications(event, session, texts, found.project_id)
        return popup
    await record(session, user, "project.approve" if approve else "project.reject", str(application_id),
                 new=reason)
    await uow.commit()
    workers.outbox.wake()  # the parent (and whoever moved up) is told by the outbox: committed with the decision
    await _applications(event, session, texts, outcome.application.project_id)
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
    await _card(event, session, texts, bot, project_id)


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
