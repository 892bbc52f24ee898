"""One unit of work per update: one database session, one transaction, committed once.

Everything an update writes — the dialog state, the parent's row, a funnel event, a receipt and its outbox
tasks — goes into the same transaction, so it is all there or none of it is. The handlers' middleware opens the
unit (`UnitOfWork.open`), handlers receive its session, and code that is not handed the session (the FSM
storage, which aiogram calls) finds the unit of the update it runs in through a context variable.

`commit()` may be called before a side effect that must not run ahead of the data (a screen shown to a
parent, "получили" for a receipt): it flushes the buffered dialog state into the same transaction, commits,
and the unit goes on in a new transaction for the rest of the update. The end of the update commits whatever
is left; an exception rolls it back.

The update's Telegram id is recorded in the first commit that writes anything (db/repositories/
handled_updates.py), in that same transaction: after a kill -9 Telegram delivers an unconfirmed update again
(app/polling.py confirms only handled ones), and the middleware skips one whose id is recorded, because its
work is in the database. Whatever an update does after that commit (a message to the parent, say) is made
durable by the code that commits first (e.g. the receipt outbox). An update that wrote nothing needs no
record (its repetition changes no data) and costs no extra statement.

On PostgreSQL several replicas may share the database, and Telegram may deliver an update again to another
replica while the first still handles it; a parent's next press may reach another replica too. There the unit
holds one pooled connection for the whole update and starts with one statement (`claim_update`) that waits for
the chat's advisory lock and inserts the update's id: a second delivery waits for the first to finish and then
finds the id (it is skipped), and the chat's next update waits until this one is completely done — screens
shown, state written — so a parent's presses are handled one at a time and in order across replicas. The lock
is held across the unit's commits and released with one statement after the last (`release_chat`, which also
marks the update finished: a redelivery of an update that was claimed but never finished shows its screen
again, handlers/redelivery.py); a unit
that ends abnormally drops its connection instead, and PostgreSQL frees the lock with it, as it does when a
replica is killed. Why a PostgreSQL lock rather than a Redis one: it needs no lease, so neither a slow update
nor a killed replica can ever let two updates of one chat run at once, and it costs one statement, not two
Redis round trips.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from happykids.db.repositories.handled_updates import claim_update, record_handled, release_chat

StateRecord = tuple[str | None, str]  # (FSM state, data as JSON)

_current: ContextVar[UnitOfWork | None] = ContextVar("happykids_unit_of_work", default=None)
_WROTE = "happykids_wrote"  # key in Session.info: this session has sent an INSERT, UPDATE or DELETE


@event.listens_for(Session, "do_orm_execute")
def _on_statement(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    session.info[_WROTE] = True


class UnitOfWork:
    def __init__(self, session: AsyncSession, update_id: int | None = None):
        self.session = session
        self.update_id = update_id  # the Telegram update this unit handles, recorded with its first write
        self._update_recorded = update_id is None
        # PostgreSQL: whether the start of the unit claimed the update (False: handled elsewhere, see the
        # middleware); None where updates are not claimed at the start (SQLite: one process).
        self.claimed: bool | None = None
        # Dialog state written during this update, by storage key: written to the database once, on commit.
        self.pending_state: dict[str, StateRecord] = {}
        self._before_commit: list[Callable[[UnitOfWork], Awaitable[None]]] = []
        self._after_commit: list[Callable[[], None]] = []
        self._after_commit_io: list[Callable[[], Awaitable[None]]] = []
        # Writes to a store outside the database waiting for the commit (Redis: db/redis_storage.py).
        self.pending_io: dict[Any, Any] = {}

    @classmethod
    def current(cls) -> UnitOfWork | None:
        """The unit of the update this code runs in, if any (background jobs have none)."""
        return _current.get()

    @classmethod
    @asynccontextmanager
    async def open(cls, sessions: async_sessionmaker[AsyncSession], update_id: int | None = None, *,
                   chat_id: int | None = None) -> AsyncIterator[UnitOfWork]:
        """`chat_id`: the chat the update belongs to (its lock orders the chat's updates across replicas)."""
        bind = sessions.kw.get("bind")
        if update_id is not None and isinstance(bind, AsyncEngine) and bind.dialect.name == "postgresql":
            async with cls._claimed(bind, sessions, update_id, chat_id) as unit:
                yield unit
            return
        async with sessions() as session, cls._running(cls(session, update_id)) as unit:
            yield unit

    @classmethod
    @asynccontextmanager
    async def _running(cls, unit: UnitOfWork) -> AsyncIterator[UnitOfWork]:
        token = _current.set(unit)
        try:
            yield unit
            await unit.commit()
        except BaseException:
            await unit.rollback()
            raise
        finally:
            _current.reset(token)

    @classmethod
    @asynccontextmanager
    async def _claimed(cls, engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], update_id: int,
                       chat_id: int | None) -> AsyncIterator[UnitOfWork]:
        async with engine.connect() as connection:  # one connection for the whole update: it holds the lock
            locked = False  # the claim went through: the lock is held and the connection is sane
            try:
                async with sessions(bind=connection) as session:
                    unit = cls(session, update_id)
                    async with cls._running(unit):
                        unit.claimed = await claim_update(session, update_id, chat_id)
                        unit._update_recorded = True  # in the transaction that commits first
                        locked = True
                        yield unit
            finally:
                if chat_id is not None:
                    await cls._let_go(connection, chat_id, update_id, locked)

    @staticmethod
    async def _let_go(connection: AsyncConnection, chat_id: int, update_id: int, locked: bool) -> None:
        try:
            if locked:
                await release_chat(connection, chat_id, update_id)
                return
        except BaseException:
            await connection.invalidate()
            raise
        # The claim was interrupted (cancelled, connection broken) and may or may not hold the lock: never return
        # the connection to the pool with it; closing it makes PostgreSQL free the lock.
        await connection.invalidate()

    def on_record_already(self) -> None:
        """This update's id is on record from an earlier delivery: what the unit writes now (showing its screen
        again) needs no second record."""
        self._update_recorded = True

    def before_commit(self, hook: Callable[[UnitOfWork], Awaitable[None]]) -> None:
        """Run `hook` inside the transaction, right before the next commit (once)."""
        if hook not in self._before_commit:
            self._before_commit.append(hook)

    def after_commit(self, hook: Callable[[], None]) -> None:
        """Run `hook` after the next commit succeeded (once): e.g. publish what is now durable to a cache."""
        self._after_commit.append(hook)

    def after_commit_io(self, hook: Callable[[], Awaitable[None]]) -> None:
        """Await `hook` after the next commit succeeded (once), before the update goes on: e.g. write the
        dialog state to Redis only once the database holds what goes with it (db/redis_storage.py)."""
        if hook not in self._after_commit_io:
            self._after_commit_io.append(hook)

    def wrote(self) -> None:
        """A write went past the session's statement events (a Core statement on its connection): the update's
        id must still be recorded with it."""
        self.session.sync_session.info[_WROTE] = True

    @property
    def dirty(self) -> bool:
        return bool(self.pending_state or self._before_commit or self._after_commit_io
                    or self.session.in_transaction())

    async def commit(self) -> None:
        if not self.dirty:
            return  # nothing was read or written: no COMMIT round trip
        hooks, self._before_commit = self._before_commit, []
        for hook in hooks:
            await hook(self)
        record = self.update_id is not None and not self._update_recorded and self._writes()
        if record and self.update_id is not None:
            await record_handled(self.session, self.update_id)
        await self.session.commit()
        self._update_recorded = self._update_recorded or record
        self.session.sync_session.info.pop(_WROTE, None)
        self.pending_state.clear()
        done, self._after_commit = self._after_commit, []
        for publish in done:
            publish()
        io, self._after_commit_io = self._after_commit_io, []
        for write in io:
            await write()

    def _writes(self) -> bool:
        sync = self.session.sync_session
        return bool(sync.info.get(_WROTE) or sync.new or sync.dirty or sync.deleted)

    async def rollback(self) -> None:
        self.pending_state.clear()
        self._before_commit.clear()
        self._after_commit.clear()
        self._after_commit_io.clear()
        self.pending_io.clear()
        self.session.sync_session.info.pop(_WROTE, None)
        await self.session.rollback()
