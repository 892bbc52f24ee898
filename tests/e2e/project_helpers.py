"""Shared steps of the projects tests: a project made through the service, a parent applying by buttons."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from happykids.db.base import utcnow
from happykids.db.models import Application
from happykids.domain.projects import Fee, FeeKind, ProjectKind
from happykids.services import projects as service
from tests.e2e.admin_helpers import SETTLE, step

__all__ = ["SETTLE", "applications", "apply", "make_project", "step"]


async def make_project(app, title="Кастинг «Весна»", places=5, fee=None, publish=True, deadline_days=5):
    draft = service.Draft(title, ProjectKind.CASTING, "Нужны дети 5–9 лет.", utcnow() + timedelta(days=10),
                          "Студия на Малышева, 51", places, utcnow() + timedelta(days=deadline_days),
                          fee or Fee(FeeKind.FREE))
    async with app.sessions() as session, session.begin():
        return (await service.create(session, draft, None, publish=publish)).id


async def applications(app, project_id):
    async with app.sessions() as session:
        query = select(Application).where(Application.project_id == project_id).order_by(Application.position)
        return list((await session.scalars(query)).all())


async def apply(emu, parent, title, child="Маша Иванова", birth="05.03.2017", *, first_time=True):
    """/projects -> the card -> «Записаться» -> (consent, name, birth) or a remembered child -> «Записать»."""
    await step(emu, parent.send_command("/projects"))
    await step(emu, parent.press(title))
    await step(emu, parent.press("Записаться"))
    if first_time:
        await step(emu, parent.press("Согласен"))
    else:
        await step(emu, parent.press("Другой ребёнок"))
    await step(emu, parent.send_text(child))
    await step(emu, parent.send_text(birth))
    await step(emu, parent.press("Записать"))
    return parent.last
