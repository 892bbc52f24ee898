"""The director's guided dialog for a project: creating one (eleven short steps, a preview, then a draft, a
publication, or a publication with an announcement) and editing a saved one, field by field, with the same steps.

The answers live in the panel's FSM context as a draft (JSON) until she saves; a random token in every button of
the dialog makes a press on an old screen refuse to act on a draft that is gone. An edit is the same draft made
from the saved project with `edit` set to its id: after the one step it is saved at once (services/project_edit.py,
which tells the applicants of a new date or place) and the card is shown again.
"""

from __future__ import annotations

import secrets
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.config import Settings
from happykids.db.base import utcnow
from happykids.db.repositories import projects as repo
from happykids.db.unit_of_work import UnitOfWork
from happykids.domain.clock import agency_zone
from happykids.domain.projects import Audience, FeeKind, ProjectError, ProjectStatus, parse_age_range
from happykids.handlers.admin.panel import InputStep, record
from happykids.handlers.admin.project_fields import DONE as FIELDS_DONE
from happykids.handlers.admin.project_fields import ask_child_fields, fields_line
from happykids.handlers.admin.project_views import admins, announce, group_titles, show_card
from happykids.services import project_audience, project_edit
from happykids.services import projects as service
from happykids.services.broadcast import group_choices
from happykids.texts.service import Texts
from happykids.ui.callbacks import (
    AdminMenu,
    PjAdm,
    ProjectAdmin,
    ProjectEditField,
    ProjectFieldPick,
    ProjectGroupPick,
    ProjectKindPick,
    Section,
)
from happykids.ui.keyboards.admin import Button, keyboard
from happykids.ui.project_admin_screens import edit_keyboard, kind_keyboard, preview_screen, who_keyboard, who_text
from happykids.ui.project_screens import when_text
from happykids.ui.states import ProjectInput, short
from happykids.ui.view import retire, show
from happykids.workers.hub import Workers

router = Router(name="admin.project_dialog")
router.message.filter(F.chat.type == "private")

DRAFT = "pj_draft"
STEPS: list[State] = [ProjectInput.title, ProjectInput.kind, ProjectInput.description, ProjectInput.poster,
                      ProjectInput.when, ProjectInput.place, ProjectInput.who, ProjectInput.ages,
                      ProjectInput.places, ProjectInput.deadline, ProjectInput.fee]
TYPED = [ProjectInput.title, ProjectInput.description, ProjectInput.when, ProjectInput.place, ProjectInput.ages,
         ProjectInput.places, ProjectInput.deadline, ProjectInput.fee]
BY_NAME = {short(s.state): s for s in STEPS}
SHORTCUTS = {  # steps that also have a button: the step -> (its action, the label)
    ProjectInput.poster: (PjAdm.NO_POSTER, "projects.btn_adm_no_poster"),
    ProjectInput.when: (PjAdm.TBA, "projects.btn_adm_tba"),
    ProjectInput.ages: (PjAdm.ANY_AGE, "projects.btn_adm_any_age"),
    ProjectInput.places: (PjAdm.UNLIMITED, "projects.btn_adm_unlimited"),
    ProjectInput.deadline: (PjAdm.NO_DEADLINE, "projects.btn_adm_no_deadline"),
    ProjectInput.fee: (PjAdm.FREE, "projects.btn_adm_free"),
}
SHORTCUT_STEP = {action: step for step, (action, _) in SHORTCUTS.items()}
SHORTCUT_VALUES: dict[PjAdm, dict[str, Any]] = {
    PjAdm.TBA: {"starts_at": None}, PjAdm.UNLIMITED: {"places": None}, PjAdm.NO_DEADLINE: {"deadline": None},
    PjAdm.FREE: {"fee": {"kind": FeeKind.FREE.value, "amount": None, "url": None}}, PjAdm.NO_POSTER: {"poster": None},
    PjAdm.ANY_AGE: {"age_min": None, "age_max": None},
}


def _back(draft: dict[str, Any]) -> CallbackData:
    """Where «Отмена» leads: the card of the project being edited, or the list."""
    if draft.get("edit"):
        return ProjectAdmin(action=PjAdm.CARD, project_id=int(draft["edit"]))
    return AdminMenu(section=Section.PROJECTS)


async def _ask(event: CallbackQuery | Message, admin_state: FSMContext, session: AsyncSession, texts: Texts,
               step: State, draft: dict[str, Any], problem: str = "") -> None:
    """Show the step's question with its buttons and wait for her answer (typed, a photo, or a press)."""
    name = short(step.state)
    head = (texts.fixed("projects.edit_head", title=draft.get("title", "")) if draft.get("edit")
            else texts.fixed("projects.step_head", n=STEPS.index(step) + 1, total=len(STEPS)))
    prompt = f"{head}\n\n{texts.fixed(f'projects.ask_{name}')}"
    cancel: Button = (texts.fixed("panel.btn_cancel"), _back(draft))
    if step is ProjectInput.kind:
        markup = kind_keyboard(texts, draft["token"], cancel)
    elif step is ProjectInput.who:
        markup = who_keyboard(texts, draft["token"], await group_choices(session), set(draft.get("groups") or []),
                              cancel)
    else:
        rows: list[list[Button]] = []
        if step in SHORTCUTS:
            action, label_key = SHORTCUTS[step]
            rows.append([(texts.fixed(label_key), ProjectAdmin(action=action, draft=draft["token"]))])
        markup = keyboard(*rows, [cancel])
    await _put(event, admin_state, f"⚠️ {problem}\n\n{prompt}" if problem else prompt, markup)
    await admin_state.set_state(step)
    await admin_state.update_data({DRAFT: draft, "pj_step": step.state})


async def _put(event: CallbackQuery | Message, admin_state: FSMContext, text: str, markup: Any,
               photo: str | None = None) -> None:
    """Show the step; the previous one, if it stays above (after her answer, or a text <-> photo change of
    screen), loses its buttons."""
    previous = (await admin_state.get_data()).get("prompt_msg")
    sent = await show(event, text, markup, photo=photo)
    if previous and previous != sent.message_id and event.bot is not None and event.from_user is not None:
        await retire(event.bot, event.from_user.id, previous)
    await admin_state.update_data(prompt_msg=sent.message_id)


async def _preview(event: CallbackQuery | Message, admin_state: FSMContext, session: AsyncSession, texts: Texts,
                   settings: Settings, draft: dict[str, Any], problem: str = "") -> None:
    await admin_state.set_state(ProjectInput.preview)
    await admin_state.update_data({DRAFT: draft, "pj_step": ProjectInput.preview.state})
    project = project_edit.preview_of(draft)
    reach = [p for p in await project_audience.recipients(session, project, utcnow())
             if p not in await admins(session, settings)]
    text, markup, photo = await preview_screen(texts, project, agency_zone(), draft["token"],
                                               who_text(texts, project, await group_titles(session)), len(reach))
    text += await fields_line(texts, project.child_fields)
    await _put(event, admin_state, problem + text, markup, photo)


async def _after(event: CallbackQuery | Message, admin_state: FSMContext, session: AsyncSession, texts: Texts,
                 settings: Settings, uow: UnitOfWork, workers: Workers, step: State, draft: dict[str, Any]) -> None:
    """Go on from `step`: the next question, or the preview after the last; an edit is saved at once."""
    if draft.get("edit"):
        await _save_edit(event, admin_state, session, texts, uow, workers, step, draft)
        return
    index = STEPS.index(step)
    if index + 1 < len(STEPS):
        await _ask(event, admin_state, session, texts, STEPS[index + 1], draft)
        return
    # After the fee: which extra child fields to ask (handlers/admin/project_fields.py); «Готово» -> the preview.
    await ask_child_fields(event, admin_state, texts, draft)


@router.callback_query(ProjectFieldPick.filter(F.field == FIELDS_DONE))
async def fields_done(callback: CallbackQuery, callback_data: ProjectFieldPick, admin_state: FSMContext,
                      session: AsyncSession, texts: Texts, settings: Settings) -> None:
    data = await admin_state.get_data()
    draft = data.get(DRAFT) or {}
    if draft.get("token") != callback_data.draft or data.get("pj_step") != ProjectInput.fields.state:
        await callback.answer(texts.fixed("projects.draft_gone"))
        return
    await callback.answer()
    await _preview(callback, admin_state, session, texts, settings, draft)


async def _save_edit(event: CallbackQuery | Message, admin_state: FSMContext, session: AsyncSession, texts: Texts,
                     uow: UnitOfWork, workers: Workers, step: State, draft: dict[str, Any]) -> None:
    project_id, bot = int(draft["edit"]), event.bot
    project = project_edit.preview_of(draft)
    try:
        told = await project_edit.save(session, project_id, draft, await when_text(texts, project, agency_zone()))
    except ProjectError as exc:
        await uow.rollback()
        if isinstance(event, CallbackQuery):
            await event.answer()
        await _ask(event, admin_state, session, texts, step, draft, problem=texts.fixed(str(exc)))
        return
    await record(session, event.from_user, "project.edit", draft.get("title", ""), new=short(step.state))
    prompt = (await admin_state.get_data()).get("prompt_msg")
    await admin_state.set_state(None)
    await admin_state.set_data({})
    await uow.commit()
    if told:
        workers.outbox.wake()  # the new date or place reaches the applicants: committed with the change
    done = texts.fixed("projects.edited_told" if told else "projects.edited_done")
    if isinstance(event, CallbackQuery):
        await event.answer(done)
    else:
        await event.answer(done)
        if bot is not None:
            await retire(bot, event.chat.id, prompt)
    if bot is not None:
        await show_card(event, session, texts, bot, project_id)


def _draft_of(data: dict[str, Any], token: str) -> dict[str, Any] | None:
    draft = data.get(DRAFT) or {}
    return draft if draft.get("token") == token else None


# -- starting: a new project, or a field of a saved one --------------------------------------------------------

@router.callback_query(ProjectAdmin.filter(F.action == PjAdm.NEW))
async def new_project(callback: CallbackQuery, admin_state: FSMContext, session: AsyncSession, texts: Texts) -> None:
    await callback.answer()
    await admin_state.set_data({})
    await _ask(callback, admin_state, session, texts, ProjectInput.title, {"token": secrets.token_hex(4)})


@router.callback_query(ProjectAdmin.filter(F.action == PjAdm.EDIT))
async def choose_field(callback: CallbackQuery, callback_data: ProjectAdmin, session: AsyncSession,
                       texts: Texts) -> None:
    project = await repo.get(session, callback_data.project_id, fresh=True)
    if project is None or project.status == ProjectStatus.CANCELLED:
        await callback.answer(texts.fixed("projects.gone"))
        return
    await callback.answer()
    await show(callback, texts.fixed("projects.edit_choose", title=project.title), edit_keyboard(texts, project.id))


@router.callback_query(ProjectEditField.filter())
async def edit_field(callback: CallbackQuery, callback_data: ProjectEditField, admin_state: FSMContext,
                     session: AsyncSession, texts: Texts) -> None:
    project = await repo.get(session, callback_data.project_id, fresh=True)
    step = BY_NAME.get(callback_data.field)
    if project is None or step is None or project.status == ProjectStatus.CANCELLED:
        await callback.answer(texts.fixed("projects.gone"))
        return
    await callback.answer()
    draft = {**project_edit.draft_of(project), "token": secrets.token_hex(4), "edit": project.id}
    await admin_state.set_data({})
    await _ask(callback, admin_state, session, texts, step, draft)


# -- her answers ---------------------------------------------------------------------------------------------

@router.callback_query(ProjectKindPick.filter())
async def pick_kind(callback: CallbackQuery, callback_data: ProjectKindPick, admin_state: FSMContext,
                    session: AsyncSession, texts: Texts, settings: Settings, uow: UnitOfWork,
                    workers: Workers) -> None:
    draft = _draft_of(await admin_state.get_data(), callback_data.draft)
    if draft is None or "title" not in draft:
        await callback.answer(texts.fixed("projects.draft_gone"))
        return
    if not draft.get("edit"):
        await callback.answer()
    await _after(callback, admin_state, session, texts, settings, uow, workers, ProjectInput.kind,
                 {**draft, "kind": callback_data.kind.value})


@router.message(InputStep(*TYPED), F.text, ~F.text.startswith("/"))
async def typed(message: Message, admin_state: FSMContext, session: AsyncSession, texts: Texts, settings: Settings,
                uow: UnitOfWork, workers: Workers) -> None:
    current = await admin_state.get_state()
    step = next(s for s in TYPED if s.state == current)
    draft = (await admin_state.get_data()).get(DRAFT) or {}
    try:
        if step is ProjectInput.ages:
            low, high = parse_age_range(message.text or "")
            answer: dict[str, Any] = {"age_min": low, "age_max": high}
        else:
            answer = service.read_answer(short(step.state), message.text or "", message.html_text, draft, utcnow())
    except ProjectError as exc:
        await _ask(message, admin_state, session, texts, step, draft, problem=await texts.get(str(exc)))
        return
    await _after(message, admin_state, session, texts, settings, uow, workers, step, {**draft, **answer})


@router.message(InputStep(ProjectInput.poster), F.photo)
async def poster(message: Message, admin_state: FSMContext, session: AsyncSession, texts: Texts, settings: Settings,
                 uow: UnitOfWork, workers: Workers) -> None:
    data = await admin_state.get_data()
    draft = data.get(DRAFT) or {}
    if message.media_group_id:  # an album: its first photo is the poster, the rest is swallowed (below)
        await admin_state.update_data(pj_album=message.media_group_id)
    await _after(message, admin_state, session, texts, settings, uow, workers, ProjectInput.poster,
                 {**draft, "poster": message.photo[-1].file_id if message.photo else None})


async def _rest_of_album(message: Message, admin_state: FSMContext | None = None) -> bool:
    if not message.media_group_id or admin_state is None:
        return False
    return bool((await admin_state.get_data()).get("pj_album") == message.media_group_id)


@router.message(_rest_of_album)
async def album_part(message: Message) -> None:
    """The later photos of an album sent as the poster: the first one is it; these are no receipts."""


@router.message(InputStep(*TYPED, ProjectInput.poster, ProjectInput.reject_reason, ProjectInput.cancel_reason),
                ~F.text)
async def not_text(message: Message, admin_state: FSMContext, session: AsyncSession, texts: Texts) -> None:
    """A photo or a sticker where she should type (or a file where a poster photo is due): ask again, and keep
    it away from the receipts."""
    current = await admin_state.get_state()
    step = next((s for s in STEPS if s.state == current), None)
    draft = (await admin_state.get_data()).get(DRAFT) or {}
    problem = texts.fixed("projects.err_poster" if step is ProjectInput.poster else "panel.send_text")
    if step is not None and draft:
        await _ask(message, admin_state, session, texts, step, draft, problem=problem)
        return
    await message.answer(problem)


@router.message(InputStep(ProjectInput.poster), ~F.text.startswith("/"))
async def poster_typed(message: Message, admin_state: FSMContext, session: AsyncSession, texts: Texts) -> None:
    draft = (await admin_state.get_data()).get(DRAFT) or {}
    await _ask(message, admin_state, session, texts, ProjectInput.poster, draft,
               problem=texts.fixed("projects.err_poster"))


@router.message(InputStep(ProjectInput.kind, ProjectInput.who, ProjectInput.preview), ~F.text.startswith("/"))
async def buttons_expected(message: Message, admin_state: FSMContext, session: AsyncSession, texts: Texts,
                           settings: Settings) -> None:
    """She typed where the dialog waits for a button: say so, show the same step again."""
    draft = (await admin_state.get_data()).get(DRAFT) or {}
    problem = texts.fixed("projects.use_buttons")
    current = await admin_state.get_state()
    if current == ProjectInput.preview.state:
        await _preview(message, admin_state, session, texts, settings, draft, problem=f"⚠️ {problem}\n\n")
        return
    step = ProjectInput.kind if current == ProjectInput.kind.state else ProjectInput.who
    await _ask(message, admin_state, session, texts, step, draft, problem=problem)


@router.callback_query(ProjectAdmin.filter(F.action.in_(set(SHORTCUT_STEP))))
async def shortcut(callback: CallbackQuery, callback_data: ProjectAdmin, admin_state: FSMContext,
                   session: AsyncSession, texts: Texts, settings: Settings, uow: UnitOfWork, workers: Workers) -> None:
    data = await admin_state.get_data()
    draft, step = _draft_of(data, callback_data.draft), SHORTCUT_STEP[callback_data.action]
    if draft is None or data.get("pj_step") != step.state:
        await callback.answer(texts.fixed("projects.draft_gone"))
        return
    if not draft.get("edit"):
        await callback.answer()
    await _after(callback, admin_state, session, texts, settings, uow, workers, step,
                 {**draft, **SHORTCUT_VALUES[callback_data.action]})


@router.callback_query(ProjectGroupPick.filter())
async def toggle_group(callback: CallbackQuery, callback_data: ProjectGroupPick, admin_state: FSMContext,
                       session: AsyncSession, texts: Texts) -> None:
    data = await admin_state.get_data()
    draft = _draft_of(data, callback_data.draft)
    code = {gid: c for gid, c, _ in await group_choices(session)}.get(callback_data.group_id)
    if draft is None or data.get("pj_step") != ProjectInput.who.state or code is None:
        await callback.answer(texts.fixed("projects.draft_gone"))
        return
    await callback.answer()
    chosen = set(draft.get("groups") or [])
    chosen ^= {code}
    await _ask(callback, admin_state, session, texts, ProjectInput.who, {**draft, "groups": sorted(chosen)})


@router.callback_query(ProjectAdmin.filter(F.action.in_({PjAdm.WHO_ALL, PjAdm.WHO_NEXT})))
async def who_done(callback: CallbackQuery, callback_data: ProjectAdmin, admin_state: FSMContext,
                   session: AsyncSession, texts: Texts, settings: Settings, uow: UnitOfWork, workers: Workers) -> None:
    data = await admin_state.get_data()
    draft = _draft_of(data, callback_data.draft)
    if draft is None or data.get("pj_step") != ProjectInput.who.state:
        await callback.answer(texts.fixed("projects.draft_gone"))
        return
    everyone = callback_data.action is PjAdm.WHO_ALL
    if not everyone and not draft.get("groups"):
        await callback.answer(texts.fixed("projects.who_need_group"), show_alert=True)
        return
    if not draft.get("edit"):
        await callback.answer()
    answer = ({"audience": Audience.ALL.value, "groups": []} if everyone
              else {"audience": Audience.GROUPS.value, "groups": draft["groups"]})
    await _after(callback, admin_state, session, texts, settings, uow, workers, ProjectInput.who,
                 {**draft, **answer})


# -- the preview's buttons -------------------------------------------------------------------------------------

@router.callback_query(ProjectAdmin.filter(F.action.in_({PjAdm.SAVE_DRAFT, PjAdm.PUBLISH, PjAdm.PUBLISH_ANNOUNCE})
                                           & (F.project_id == 0)))
async def save(callback: CallbackQuery, callback_data: ProjectAdmin, admin_state: FSMContext, session: AsyncSession,
               texts: Texts, bot: Bot, settings: Settings, uow: UnitOfWork, workers: Workers) -> None:
    draft = _draft_of(await admin_state.get_data(), callback_data.draft)
    if draft is None or "fee" not in draft or draft.get("edit"):
        await callback.answer(texts.fixed("projects.draft_gone"))
        return
    publish = callback_data.action is not PjAdm.SAVE_DRAFT
    project = await service.create(session, service.draft_from(draft), callback.from_user.id, publish=publish)
    await project_edit.store_extras(session, project.id, draft)
    await session.refresh(project)
    await record(session, callback.from_user, "project.publish" if publish else "project.draft", project.title)
    popup = texts.fixed("projects.published_done" if publish else "projects.saved_draft")
    if callback_data.action is PjAdm.PUBLISH_ANNOUNCE:
        popup = await announce(callback, session, texts, bot, settings, project)
    await admin_state.set_data({})
    await uow.commit()
    workers.broadcasts.wake()
    await callback.answer(popup)
    await show_card(callback, session, texts, bot, project.id)

