"""Places are never oversold: 40 parents apply at the same moment to a project with 5 places, on SQLite and on
PostgreSQL, each in its own transaction through the service, as 40 updates in flight would."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from happykids.db.base import utcnow
from happykids.db.engine import create_engine, create_session_factory
from happykids.db.migrate import upgrade_async
from happykids.db.models import Application
from happykids.domain.projects import Fee, FeeKind, ProjectError, ProjectKind
from happykids.services import project_offers, projects

PARENTS = 40
PLACES = 5


async def _race(url: str) -> None:
    await upgrade_async(url)
    engine = create_engine(url)
    sessions = create_session_factory(engine)
    draft = projects.Draft("Кастинг", ProjectKind.CASTING, "", utcnow() + timedelta(days=9), "Студия", PLACES,
                           utcnow() + timedelta(days=5), Fee(FeeKind.FREE))
    async with sessions() as session, session.begin():
        project_id = (await projects.create(session, draft, None, publish=True)).id
    children = {}
    for parent in range(1, PARENTS + 1):
        async with sessions() as session, session.begin():
            await projects.repo.give_consent(session, parent)
            children[parent] = (await projects.add_child(session, parent, f"Ребёнок {parent}",
                                                         utcnow().date() - timedelta(days=2500))).id

    order: list[int] = []  # parents in the order their transactions committed

    async def press(parent: int) -> None:
        async with sessions() as session, session.begin():
            await projects.apply(session, project_id, parent, children[parent], utcnow())
        order.append(parent)

    await asyncio.gather(*(press(p) for p in range(1, PARENTS + 1)))

    async with sessions() as session:
        rows = list((await session.scalars(select(Application).where(Application.project_id == project_id)
                                           .order_by(Application.position))).all())
        statuses = [r.status for r in rows]
        assert statuses.count("applied") == PLACES and statuses.count("waiting") == PARENTS - PLACES
        # The first five to arrive hold the places; the rest wait in arrival order.
        assert statuses == ["applied"] * PLACES + ["waiting"] * (PARENTS - PLACES)
        assert [r.parent_id for r in rows] == order
        assert [r.position for r in rows] == list(range(1, PARENTS + 1))


    # The same child cannot apply twice.
    with pytest.raises(ProjectError, match="err_already"):
        async with sessions() as session, session.begin():
            await projects.apply(session, project_id, 1, children[1], utcnow())
    # Another family's child cannot be used.
    with pytest.raises(ProjectError, match="err_no_child"):
        async with sessions() as session, session.begin():
            await projects.apply(session, project_id, 2, children[3], utcnow())

    # A cancellation offers the place to the first on the waiting list; it is held until they answer.
    first = rows[0]
    async with sessions() as session, session.begin():
        outcome = await projects.cancel_by_parent(session, first.parent_id, first.id, utcnow())
    assert [n.parent_id for n in outcome.notices] == [rows[PLACES].parent_id]
    async with sessions() as session, session.begin():
        offered = await session.get(Application, rows[PLACES].id)
        assert offered.status == "waiting" and offered.offer_until is not None
        await project_offers.accept(session, offered.parent_id, offered.id, utcnow())
    async with sessions() as session:
        moved = await session.get(Application, rows[PLACES].id)
        assert moved.status == "applied"
    await engine.dispose()


async def test_forty_at_once_on_sqlite(tmp_path):
    await _race(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")


async def test_forty_at_once_on_postgres(pg_schema_url):
    await _race(pg_schema_url)
