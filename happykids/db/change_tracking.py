"""Knowing when reference data changed, so it can be held in memory instead of read on every button press.

The catalog (groups, periods, children options, links, contacts), the admin list and the director's text
overrides are read on nearly every update but change a few times a month. Caches of them (services/caches.py)
must still never show stale data:

* In this process: session events see every write to a tracked table, whatever code made it (ORM objects, or
  update()/delete()/insert() statements run through a session), and after the commit tell the caches, through
  the app's `VersionBoard` that its session factory puts in every session's `info` (no global registry).
  Nothing has to remember to call "invalidate" — a new write path is covered the day it is written.
* In other processes sharing the database (the `happykids catalog import` CLI, another replica): the same
  commit bumps a version number stored in the `settings` table, in the same transaction as the change. A cache
  compares that number at most once per `VersionBoard.CHECK_EVERY` seconds. The running bot reads the numbers
  in the background (`VersionBoard.watch`), so no update waits for that read or pays its statement; code
  without the watcher (tools, a bare test app) reads them inline when they are due.

SQLAlchemy has no ready-made cache invalidation of this kind (dogpile.cache keys on queries, not on writes),
so this small module does it with SQLAlchemy's documented session events.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from enum import StrEnum

from sqlalchemy import Integer, String, cast, event, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from happykids.db.models import Admin, CatalogGroup, CatalogPeriod, ChildrenOption, PaymentLink, Setting, TextOverride


class Topic(StrEnum):
    CATALOG = "catalog"
    ADMINS = "admins"
    TEXTS = "texts"


VERSION_PREFIX = "version:"
TOPIC_OF_TABLE: dict[str, Topic] = {
    CatalogGroup.__tablename__: Topic.CATALOG,
    CatalogPeriod.__tablename__: Topic.CATALOG,
    ChildrenOption.__tablename__: Topic.CATALOG,
    PaymentLink.__tablename__: Topic.CATALOG,
    Setting.__tablename__: Topic.CATALOG,  # the agency's contacts are part of what a parent sees
    Admin.__tablename__: Topic.ADMINS,
    TextOverride.__tablename__: Topic.TEXTS,
}
log = logging.getLogger(__name__)
BACKGROUND = "happykids_background"  # execution option of the watcher's read: no update's statement (tests count)
_CHANGED = "changed_topics"  # key in Session.info: the topics this transaction wrote to
BOARD = "version_board"  # key in Session.info (set by the app's session factory): whom to tell after a commit


def _mark(session: Session, table_names: set[str]) -> None:
    topics = {TOPIC_OF_TABLE[name] for name in table_names if name in TOPIC_OF_TABLE}
    if topics:
        session.info.setdefault(_CHANGED, set()).update(topics)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    tables = {obj.__table__.name for obj in (*session.new, *session.dirty, *session.deleted)
              if hasattr(obj, "__table__")}
    _mark(session, tables)


@event.listens_for(Session, "do_orm_execute")
def _on_statement(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if table is not None:
            _mark(state.session, {table.name})


@event.listens_for(Session, "before_commit")
def _bump_versions(session: Session) -> None:
    session.flush()  # objects still pending must be seen by after_flush before we decide
    for topic in sorted(session.info.get(_CHANGED, ())):
        _bump(session.connection(), topic)


@event.listens_for(Session, "after_commit")
def _notify(session: Session) -> None:
    board = session.info.get(BOARD)
    for topic in session.info.pop(_CHANGED, set()):
        if board is not None:
            board.changed(topic)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_CHANGED, None)


def _bump(connection: Connection, topic: Topic) -> None:
    # A Core statement on the connection: it does not go through the session, so it is not itself tracked.
    # One atomic increment, so two writers at once still end on two different numbers.
    key = VERSION_PREFIX + topic
    bumped = connection.execute(
        update(Setting).where(Setting.key == key).values(value=cast(cast(Setting.value, Integer) + 1, String)))
    if bumped.rowcount == 0:
        connection.execute(insert(Setting).values(key=key, value="1"))


class VersionBoard:
    """Every topic's version, read from the database together, at most once per `CHECK_EVERY` seconds: all
    the caches of a process share one cheap query, however many caches and presses there are."""

    CHECK_EVERY = 1.0  # seconds: how late another process's change may be seen here, at most

    def __init__(self) -> None:
        self._versions: dict[str, int] = {}
        self._read_at = float("-inf")
        self._listeners: list[Callable[[Topic], None]] = []
        self.watching = False  # `watch` keeps the numbers fresh: `version()` answers from memory

    def on_change(self, listener: Callable[[Topic], None]) -> None:
        """Call `listener(topic)` after every commit of this app's sessions that changed `topic`."""
        self._listeners.append(listener)

    def changed(self, topic: Topic) -> None:
        for listener in self._listeners:
            listener(topic)

    def due(self) -> bool:
        """Would the next `version()` ask the database?"""
        return not self.watching and time.monotonic() - self._read_at >= self.CHECK_EVERY

    def known(self, topic: Topic) -> int:
        """The topic's version as last read (no query): a cache that skipped a read another cache made still
        sees that its topic moved on."""
        return self._versions.get(topic, 0)

    async def version(self, session: AsyncSession, topic: Topic) -> int:
        if self.due():
            await self._read(session)
        return self._versions.get(topic, 0)

    async def watch(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        """Read the numbers every CHECK_EVERY seconds until cancelled (the running bot's background task)."""
        self.watching = True
        try:
            while True:
                try:
                    async with sessions() as session:
                        await self._read(session)
                except Exception as exc:  # noqa: BLE001 - a busy database: the next look will do
                    log.warning("Не удалось проверить, менялись ли каталог, тексты и админы (%s)", exc)
                await asyncio.sleep(self.CHECK_EVERY)
        finally:
            self.watching = False

    async def _read(self, session: AsyncSession) -> None:
        now = time.monotonic()
        rows = await session.execute(select(Setting.key, Setting.value).where(Setting.key.startswith(VERSION_PREFIX))
                                     .execution_options(**{BACKGROUND: self.watching}))
        self._versions = {key.removeprefix(VERSION_PREFIX): int(value) for key, value in rows.all()}
        self._read_at = now
