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
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from happykids.db.repositories.handled_updates import record_handled

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
        # Dialog state written during this update, by storage key: written to the database once, on commit.
        self.pending_state: dict[str, StateRecord] = {}
        self._before_commit: list[Callable[[UnitOfWork], Awaitable[None]]] = []
        self._after_commit: list[Callable[[], None]] = []

    @classmethod
    def current(cls) -> UnitOfWork | None:
        """The unit of the update this code runs in, if any (background jobs have none)."""
        return _current.get()

    @classmethod
    @asynccontextmanager
    async def open(cls, sessions: async_sessionmaker[AsyncSession], update_id: int | None = None
                   ) -> AsyncIterator[UnitOfWork]:
        async with sessions() as session:
            unit = cls(session, update_id)
            token = _current.set(unit)
            try:
                yield unit
                await unit.commit()
            except BaseException:
                await unit.rollback()
                raise
            finally:
                _current.reset(token)

    def before_commit(self, hook: Callable[[UnitOfWork], Awaitable[None]]) -> None:
        """Run `hook` inside the transaction, right before the next commit (once)."""
        if hook not in self._before_commit:
            self._before_commit.append(hook)

    def after_commit(self, hook: Callable[[], None]) -> None:
        """Run `hook` after the next commit succeeded (once): e.g. publish what is now durable to a cache."""
        self._after_commit.append(hook)

    @property
    def dirty(self) -> bool:
        return bool(self.pending_state or self._before_commit or self.session.in_transaction())

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

    def _writes(self) -> bool:
        sync = self.session.sync_session
        return bool(sync.info.get(_WROTE) or sync.new or sync.dirty or sync.deleted)

    async def rollback(self) -> None:
        self.pending_state.clear()
        self._before_commit.clear()
        self._after_commit.clear()
        self.session.sync_session.info.pop(_WROTE, None)
        await self.session.rollback()
