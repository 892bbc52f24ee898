"""The catalog and text caches of two replicas on one PostgreSQL: what the director changes on replica A reaches
replica B's parents at B's next look at the version board, at most VersionBoard.CHECK_EVERY (one second) later.

Each replica is wired as app/wiring.py wires it: its own engine, board, catalog cache and texts. "A second
passes" is B's board made due, not a sleep.
"""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import update

from happykids.db.change_tracking import VersionBoard
from happykids.db.engine import create_engine, create_session_factory
from happykids.db.models import CatalogGroup
from happykids.db.repositories.catalog import replace_catalog
from happykids.domain.catalog_yaml import parse_catalog_yaml
from happykids.services.caches import CatalogCache
from happykids.texts.service import Texts
from tests.catalogs import SMALL_CATALOG


def replica(url: str) -> SimpleNamespace:
    engine = create_engine(url)
    board = VersionBoard()
    sessions = create_session_factory(engine, board)
    return SimpleNamespace(engine=engine, board=board, sessions=sessions, catalog=CatalogCache(board),
                           texts=Texts(sessions, board))


async def a_second_passes(replica: SimpleNamespace) -> None:
    replica.board._read_at = float("-inf")


async def no_time_passes(replica: SimpleNamespace) -> None:
    """B looked at the board a moment ago, however slow this machine is today: its next look is not due."""
    replica.board._read_at = float("inf")


async def groups(replica: SimpleNamespace) -> list[str]:
    async with replica.sessions() as session:
        return [group.title for group in (await replica.catalog.get(session)).groups]


async def test_the_directors_change_on_one_replica_reaches_the_other_within_a_second(pg_schema_url):
    a, b = replica(pg_schema_url), replica(pg_schema_url)
    try:
        async with a.sessions() as session, session.begin():
            await replace_catalog(session, parse_catalog_yaml(SMALL_CATALOG))
        assert "Малыши (4–6 лет)" in await groups(b)  # B holds the catalog and the texts in memory now
        await no_time_passes(b)
        assert await b.texts.get("dialog.mistake") == "Пожалуйста, выберите вариант кнопкой под сообщением 👇"

        async with a.sessions() as session, session.begin():  # the director, on replica A
            await session.execute(update(CatalogGroup).where(CatalogGroup.code == "kids").values(title="Крошки"))
        await a.texts.set_override("dialog.mistake", "Нажмите, пожалуйста, кнопку 👇", user_id=1)
        assert "Крошки" in await groups(a)  # A itself: at once
        assert await a.texts.get("dialog.mistake") == "Нажмите, пожалуйста, кнопку 👇"
        assert "Малыши (4–6 лет)" in await groups(b)  # B within the second: still from memory, no query per press

        await a_second_passes(b)
        assert "Крошки" in await groups(b)  # the press that made B look at the board (the catalog comes first)
        assert await b.texts.get("dialog.mistake") == "Нажмите, пожалуйста, кнопку 👇"  # ...and the texts too
    finally:
        await a.engine.dispose()
        await b.engine.dispose()
