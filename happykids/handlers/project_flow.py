"""The steps of applying that come after the child is chosen: the director's extra questions (height, sizes, a
photo; domain/child_fields.py), then the confirmation, and after it the payment step of a paid project.

No router here: handlers/projects.py (presses and the child's name and birth date) and handlers/project_steps.py
(the answers themselves) both move the parent through these steps, so the next screen is decided in one place.
The answers wait in the dialog's FSM data (`pj_extra`) until the parent confirms, so a restart resumes on the
question they were on and nothing is stored about the child before «Записать».
"""

from __future__ import annotations

from datetime import date
from typing import Any

from aiogram.fsm.context import FSMContext
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.base import utcnow
from happykids.db.models import Child, Project
from happykids.db.repositories import projects as repo
from happykids.domain.child_fields import COLUMN, ChildField, decode, next_field, previous_field
from happykids.domain.clock import agency_zone, to_local
from happykids.services import project_audience
from happykids.services import projects as service
from happykids.services.project_payments import payable
from happykids.texts.service import Texts
from happykids.ui.project_parent_screens import extra_screen, extras_markup, pay_screen
from happykids.ui.project_screens import ProjectScreen, age_text, ages_line, child_screen, confirm_screen
from happykids.ui.states import ProjectDialog

CHILD, FIELD, ANSWERS, PAYING = "pj_child", "pj_field", "pj_extra", "pj_app"


async def _answers(state: FSMContext) -> dict[str, Any]:
    value = (await state.get_data()).get(ANSWERS)
    return value if isinstance(value, dict) else {}


async def after_child(state: FSMContext, texts: Texts, project: Project, child: Child) -> ProjectScreen:
    """The child is chosen (or just named): the first extra question, or the confirmation."""
    await state.update_data({CHILD: child.id, ANSWERS: {}})
    fields = decode(project.child_fields)
    if fields:
        return await ask_field(state, texts, project, child, fields[0])
    return await to_confirm(state, texts, project, child)


async def ask_field(state: FSMContext, texts: Texts, project: Project, child: Child,
                    field: ChildField) -> ProjectScreen:
    await state.set_state(ProjectDialog.extra)
    await state.update_data({FIELD: field.value, "mistakes": 0})
    return await extra_screen(texts, project, child.name, field, getattr(child, COLUMN[field]))


async def to_confirm(state: FSMContext, texts: Texts, project: Project, child: Child) -> ProjectScreen:
    await state.set_state(ProjectDialog.confirm)
    return await confirm_screen(texts, project, child, agency_zone(), to_local(utcnow()).date(),
                                await extras_markup(texts, await _answers(state)))


async def current_field(state: FSMContext, project: Project) -> ChildField | None:
    name = (await state.get_data()).get(FIELD)
    fields = decode(project.child_fields)
    return next((f for f in fields if f.value == name), None)


async def answered(state: FSMContext, texts: Texts, project: Project, child: Child, field: ChildField,
                   value: Any) -> ProjectScreen:
    """Keep the answer; the next question, or the confirmation after the last."""
    await state.update_data({ANSWERS: {**await _answers(state), field.value: value}})
    following = next_field(decode(project.child_fields), field)
    if following is not None:
        return await ask_field(state, texts, project, child, following)
    return await to_confirm(state, texts, project, child)


async def back(session: AsyncSession, state: FSMContext, texts: Texts, parent_id: int, project: Project,
               child: Child) -> ProjectScreen:
    """Back from a question or from the confirmation: the question before, else the choice of child."""
    fields = decode(project.child_fields)
    if await state.get_state() == ProjectDialog.confirm.state:
        earlier = fields[-1] if fields else None
    else:
        field = await current_field(state, project)
        earlier = previous_field(fields, field) if field is not None else None
    if earlier is not None:
        return await ask_field(state, texts, project, child, earlier)
    await state.set_state(ProjectDialog.child)
    return await child_screen(texts, project, await repo.children_of(session, parent_id))


async def resume(session: AsyncSession, state: FSMContext, texts: Texts, parent_id: int,
                 project: Project) -> ProjectScreen | None:
    """The screen of the extra question, the confirmation or the payment step the parent is on (None: none
    of these, or it cannot be shown any more)."""
    current, data = await state.get_state(), await state.get_data()
    if current == ProjectDialog.pay.state:
        fee = await payable(session, parent_id, int(data.get(PAYING) or 0))
        if fee is None or fee.project_id != project.id:
            return None
        application = await repo.application_for_parent(session, parent_id, fee.application_id)
        child = await repo.child_of(session, parent_id, application.child_id) if application else None
        return await pay_screen(texts, project, child) if child else None
    child = await repo.child_of(session, parent_id, int(data.get(CHILD) or 0))
    if child is None:
        return None
    if current == ProjectDialog.confirm.state:
        return await to_confirm(state, texts, project, child)
    field = await current_field(state, project)
    if current == ProjectDialog.extra.state and field is not None:
        return await extra_screen(texts, project, child.name, field, getattr(child, COLUMN[field]))
    return None


async def age_refusal(session: AsyncSession, texts: Texts, project_id: int, parent_id: int, child_id: int,
                       key: str, birth: date | None = None, name: str = "") -> str | None:
    """Why this child (or the new one: `birth`, `name`) cannot apply by age, in words; None if they may."""
    project = await service.visible_to_parent(session, project_id)
    child = await repo.child_of(session, parent_id, child_id) if birth is None else None
    birth, name = (child.birth_date, child.name) if child is not None else (birth, name)
    today = to_local(utcnow()).date()
    if project is None or birth is None or project_audience.child_fits(project, birth, today):
        return None
    age = await age_text(texts, birth, project_audience.age_day(project, today))
    ages = (await ages_line(texts, project)).strip().removeprefix("👶").strip()
    return await (texts.plain if key == "projects.err_age" else texts.get)(key, child=name, age=age, ages=ages)
