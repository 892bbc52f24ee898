"""The parent's second part of projects, as presses and answers: the director's extra questions (typed sizes,
a photo, «Оставить»), the project's payment step («📎 Отправить чек»), and the offer of a freed place
(«✅ Иду» / «✖️ Не смогу»).

Its router goes before the projects router (handlers/routers.py), whose last handler refuses any other step as
outdated. The next screen is decided by handlers/project_flow.py; a wrong answer gets the payment dialog's
escalation on the same question: the field's error, then an instruction, then the contacts.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.base import utcnow
from happykids.db.models import Application, Child, Project
from happykids.db.repositories import projects as repo
from happykids.db.unit_of_work import UnitOfWork
from happykids.domain.child_fields import COLUMN, ChildField, parse_typed
from happykids.domain.mistakes import MistakeLevel, escalate
from happykids.domain.projects import HOLDS_PLACE, ProjectError
from happykids.handlers import project_flow as flow
from happykids.handlers.projects import PROJECT, current_screen, present, project_card, stale
from happykids.services import project_offers as offers
from happykids.services import projects as service
from happykids.services.caches import CatalogCache
from happykids.services.project_payments import payable
from happykids.texts.service import Texts
from happykids.ui.callbacks import PjStep, ProjectStep
from happykids.ui.project_parent_screens import pay_screen
from happykids.ui.states import ProjectDialog
from happykids.ui.view import commit_before_showing, retire
from happykids.workers.hub import Workers

router = Router(name="project_steps")
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")


# -- the extra questions -------------------------------------------------------------------------------------

async def _on_question(state: FSMContext, session: AsyncSession,
                       parent_id: int) -> tuple[Project, Child, ChildField] | None:
    """(project, child, field) of the question the parent is on, or None."""
    if await state.get_state() != ProjectDialog.extra.state:
        return None
    data = await state.get_data()
    project = await service.visible_to_parent(session, int(data.get(PROJECT) or 0))
    child = await repo.child_of(session, parent_id, int(data.get(flow.CHILD) or 0))
    field = await flow.current_field(state, project) if project is not None else None
    return (project, child, field) if project and child and field else None


@router.callback_query(ProjectStep.filter(F.step == PjStep.KEEP))
async def keep_last(callback: CallbackQuery, callback_data: ProjectStep, state: FSMContext, session: AsyncSession,
                    texts: Texts, bot: Bot) -> None:
    found = await _on_question(state, session, callback.from_user.id)
    last = getattr(found[1], COLUMN[found[2]]) if found else None
    if found is None or found[0].id != callback_data.project_id or not last:
        await stale(callback, session, texts, state, bot)
        return
    await callback.answer()
    project, child, field = found
    await present(bot, callback.from_user.id, state, await flow.answered(state, texts, project, child, field, last),
                  callback)


@router.message(StateFilter(ProjectDialog.extra), ~F.text.startswith("/"))
async def answer(message: Message, state: FSMContext, session: AsyncSession, texts: Texts, bot: Bot,
                 catalog_cache: CatalogCache) -> None:
    parent_id = message.chat.id
    found = await _on_question(state, session, parent_id)
    if found is None:
        await present(bot, parent_id, state, await current_screen(session, texts, state, parent_id))
        return
    project, child, field = found
    try:
        if field is ChildField.PHOTO:
            if not message.photo:
                raise ProjectError("projects.err_photo")
            value: str | int = message.photo[-1].file_id
        elif message.text is None:
            raise ProjectError("projects.type_answer")
        else:
            value = parse_typed(field, message.text)
    except ProjectError as exc:
        await _mistake(message, state, session, texts, bot, catalog_cache, str(exc))
        return
    await present(bot, parent_id, state, await flow.answered(state, texts, project, child, field, value))


async def _mistake(message: Message, state: FSMContext, session: AsyncSession, texts: Texts, bot: Bot,
                   catalog_cache: CatalogCache, error: str) -> None:
    """Like the payment dialog: the error, then an instruction, then the contacts; the same question again."""
    mistakes = int((await state.get_data()).get("mistakes", 0)) + 1
    await state.update_data(mistakes=mistakes)
    level = escalate(mistakes)
    catalog = await catalog_cache.get(session)
    await commit_before_showing()
    if level is MistakeLevel.ERROR:
        await message.answer(await texts.get(error))
    elif level is MistakeLevel.INSTRUCTION:
        await message.answer(await texts.get("projects.extra_instruction"))
    else:
        await message.answer(await texts.get("projects.extra_contacts", contacts=catalog.contacts))
    await present(bot, message.chat.id, state, await current_screen(session, texts, state, message.chat.id))


# -- the payment step ----------------------------------------------------------------------------------------

@router.callback_query(ProjectStep.filter(F.step == PjStep.RECEIPT))
async def send_receipt(callback: CallbackQuery, callback_data: ProjectStep, state: FSMContext,
                       session: AsyncSession, texts: Texts, bot: Bot) -> None:
    """«📎 Отправить чек» on the card: the next photo or PDF is this application's receipt."""
    parent_id = callback.from_user.id
    fee = await payable(session, parent_id, callback_data.item)
    application = await repo.application_for_parent(session, parent_id, callback_data.item)
    project = await service.visible_to_parent(session, callback_data.project_id)
    child = await repo.child_of(session, parent_id, application.child_id) if application else None
    if (fee is None or project is None or child is None or application is None or fee.project_id != project.id
            or application.status not in HOLDS_PLACE or application.paid_at is not None):
        await stale(callback, session, texts, state, bot, "projects.err_not_active")
        return
    await callback.answer()
    await state.set_state(ProjectDialog.pay)
    await state.update_data({PROJECT: project.id, flow.PAYING: application.id})
    await present(bot, parent_id, state, await pay_screen(texts, project, child), callback)


@router.message(StateFilter(ProjectDialog.pay), F.text, ~F.text.startswith("/"))
async def text_on_pay_step(message: Message, state: FSMContext, session: AsyncSession, texts: Texts,
                           bot: Bot) -> None:
    await commit_before_showing()
    await message.answer(await texts.get("projects.pay_hint"))
    await present(bot, message.chat.id, state, await current_screen(session, texts, state, message.chat.id))


# -- a freed place -------------------------------------------------------------------------------------------

@router.callback_query(ProjectStep.filter(F.step.in_({PjStep.OFFER_YES, PjStep.OFFER_NO})))
async def offer_answer(callback: CallbackQuery, callback_data: ProjectStep, state: FSMContext,
                       session: AsyncSession, texts: Texts, bot: Bot, uow: UnitOfWork, workers: Workers) -> None:
    parent_id, yes = callback.from_user.id, callback_data.step is PjStep.OFFER_YES
    application: Application | None
    try:
        if yes:
            application = await offers.accept(session, parent_id, callback_data.item, utcnow())
            offered = []
        else:
            application = await repo.application_for_parent(session, parent_id, callback_data.item)
            offered = await offers.decline(session, parent_id, callback_data.item, utcnow())
    except ProjectError as exc:
        await uow.rollback()
        await stale(callback, session, texts, state, bot, str(exc))
        return
    project = await repo.get(session, callback_data.project_id)
    child = await repo.child_of(session, parent_id, application.child_id) if application else None
    await uow.commit()
    if offered:
        workers.outbox.wake()  # the next on the waiting list hears of the place (committed with the decline)
    await callback.answer()
    if callback.message is not None:
        await retire(bot, parent_id, callback.message.message_id)  # the offer is answered: no more buttons
    values = {"child": child.name if child else "", "project": project.title if project else ""}
    await bot.send_message(parent_id, await texts.get("projects.offer_taken" if yes else "projects.offer_declined",
                                                      **values))
    screen = await project_card(session, texts, parent_id, callback_data.project_id)
    if screen is not None:
        await state.update_data({PROJECT: callback_data.project_id})
        await present(bot, parent_id, state, screen)
