"""One unit of work per update: one database session, one transaction, committed once.

Everything an update writes — the dialog state, the parent's row, a funnel event, a receipt and its outbox
tasks — goes into the same transaction, so it is all there or none of it is. The handlers' middleware opens the
unit (`UnitOfWork.open`), handlers receive its session, and code that is not handed the session (the FSM
storage, which aiogram calls) finds the unit of the update it runs in through a context variable.

`commit()` may be called before a side effect that must not run ahead of the data (a screen shown to a
parent, "получили" for a receipt): it flushes the buffered dialog state into the same transaction, commits,
and the unit goes on in a new transaction for the rest of the update. The end of the update commits whatever
is left; an exception rolls it back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

StateRecord = tuple[str | None, str]  # (FSM state, data as JSON)

_current: ContextVar[UnitOfWork | None] = ContextVar("happykids_unit_of_work", default=None)


class UnitOfWork:
    def __init__(self, session: AsyncSession):
        self.session = session
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
    async def open(cls, sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[UnitOfWork]:
        async with sessions() as session:
            unit = cls(session)
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
        await self.session.commit()
        self.pending_state.clear()
        done, self._after_commit = self._after_commit, []
        for publish in done:
            publish()

    async def rollback(self) -> None:
        self.pending_state.clear()
        self._before_commit.clear()
        self._after_commit.clear()
        await self.session.rollback()
