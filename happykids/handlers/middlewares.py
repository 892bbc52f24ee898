"""One unit of work per update, and the parent's row kept fresh inside it.

The pattern of MasterGroosha's `DbSessionMiddleware`: the middleware opens the session, the handler gets it
(typed, as `session`), the middleware commits at the end. Here it is a whole unit of work (db/unit_of_work.py):
the dialog state that aiogram's FSM writes, the parent's row and the funnel events all land in the same
transaction. The other dependencies a handler may ask for are registered once in the dispatcher's workflow
data (app/wiring.py): `settings`, `texts`, `catalog_cache`, `admin_cache`, `workers`, `bot`.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Chat, TelegramObject, User
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from happykids.db.repositories.parents import touch_parent
from happykids.db.unit_of_work import UnitOfWork

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class UnitOfWorkMiddleware(BaseMiddleware):
    """Gives the update `session` and `uow`; upserts the sender at most once a minute per person, so
    broadcasts and statistics know who is here (and that they have not blocked the bot)."""

    REFRESH_SECONDS = 60.0
    REMEMBER = 50_000  # people whose last refresh we remember; older ones are simply refreshed again

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]):
        self._sessions = session_factory
        self._seen: OrderedDict[int, tuple[float, tuple[str, str | None, str | None]]] = OrderedDict()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        async with UnitOfWork.open(self._sessions) as unit:
            data["uow"] = unit
            data["session"] = unit.session
            await self._track(unit, data.get("event_from_user"), data.get("event_chat"))
            return await handler(event, data)

    async def _track(self, unit: UnitOfWork, user: User | None, chat: Chat | None) -> None:
        if user is None or user.is_bot or (chat is not None and chat.type != "private"):
            return
        identity = (user.first_name, user.last_name, user.username)
        seen = self._seen.get(user.id)
        now = time.monotonic()
        if seen is not None and seen[1] == identity and now - seen[0] < self.REFRESH_SECONDS:
            return

        async def write(unit: UnitOfWork) -> None:
            # At commit, with the rest of the update: until then the update holds no write lock for it.
            await touch_parent(unit.session, user.id, user.first_name, user.last_name, user.username)
            unit.after_commit(lambda: self._remember(user.id, now, identity))

        unit.before_commit(write)

    def _remember(self, user_id: int, at: float, identity: tuple[str, str | None, str | None]) -> None:
        self._seen[user_id] = (at, identity)
        self._seen.move_to_end(user_id)
        while len(self._seen) > self.REMEMBER:
            self._seen.popitem(last=False)
