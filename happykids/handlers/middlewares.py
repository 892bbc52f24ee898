"""One unit of work per update, and the parent's row kept fresh inside it.

The pattern of MasterGroosha's `DbSessionMiddleware`: the middleware opens the session, the handler gets it
(typed, as `session`), the middleware commits at the end. Here it is a whole unit of work (db/unit_of_work.py):
the dialog state that aiogram's FSM writes, the parent's row and the funnel events all land in the same
transaction. The other dependencies a handler may ask for are registered once in the dispatcher's workflow
data (app/wiring.py): `settings`, `texts`, `catalog_cache`, `admin_cache`, `workers`, `bot`.

It also never handles an update twice. An update comes again after a kill -9 (the polling inbox replays the
unfinished ones at start, a webhook delivery that got no answer is retried by Telegram); if its id is recorded
(db/unit_of_work.py), its work is in the database and is not done again. It may not have finished, though: the
process died between the commit and the screen it was about to show, and the parent would look at a spinner's
result that never comes. Such an update gets the person's current screen shown again (handlers/redelivery.py),
which is harmless if it was shown after all. An update this process took itself is known to be finished (or
still running) and is simply skipped.

On PostgreSQL (several replicas may share the database) the unit of work claims the update at its very start,
under the chat's lock (db/unit_of_work.py): a redelivery to another replica, even while the first still handles
it, waits and is skipped, and one chat's updates are handled one at a time across replicas; the claim's row says
whether the first delivery finished. The middleware hands the unit the chat (or, without one, the sender) to lock.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import Chat, TelegramObject, Update, User
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from happykids.db.repositories.handled_updates import finished_before, highest_handled, was_handled
from happykids.db.repositories.parents import touch_parent
from happykids.db.unit_of_work import UnitOfWork
from happykids.handlers.redelivery import show_again

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
log = logging.getLogger(__name__)


class Seen(Enum):
    NEW = "new"
    FINISHED = "finished"  # handled to its end (or still running here): skip it
    MAYBE_UNFINISHED = "maybe unfinished"  # its work was committed by a process that may have died mid-way


class SeenUpdates:
    """Has this update been handled already? Asked of every update, so the usual answer costs nothing:
    an id this process took before is remembered; an id above the newest one recorded when the process
    started cannot be a redelivery; only an id at or below it (the updates Telegram sends again after a
    restart) is looked up, one SELECT each. SQLite: one process at a time, so an id recorded by an earlier
    process is one that process may not have finished."""

    REMEMBER = 10_000

    def __init__(self) -> None:
        self._recent: set[int] = set()
        self._order: deque[int] = deque()
        self._floor: int | None = None

    async def seen(self, session: AsyncSession, update_id: int) -> Seen:
        if update_id in self._recent:
            return Seen.FINISHED
        self._remember(update_id)
        if self._floor is None:
            self._floor = await highest_handled(session)  # once per process
        if update_id <= self._floor and await was_handled(session, update_id):
            return Seen.MAYBE_UNFINISHED
        return Seen.NEW

    def _remember(self, update_id: int) -> None:
        self._recent.add(update_id)
        self._order.append(update_id)
        if len(self._order) > self.REMEMBER:
            self._recent.discard(self._order.popleft())


class UnitOfWorkMiddleware(BaseMiddleware):
    """Gives the update `session` and `uow`; upserts the sender at most once a minute per person, so
    broadcasts and statistics know who is here (and that they have not blocked the bot)."""

    REFRESH_SECONDS = 60.0
    # People whose last refresh we remember; older ones are simply refreshed again. An entry older than
    # REFRESH_SECONDS answers nothing (that person is refreshed either way), so `_remember` drops those too: the
    # map holds the last minute's people, not the last 50,000 (~400 bytes each, 20 MB at the cap).
    REMEMBER = 50_000

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]):
        self._sessions = session_factory
        self._seen: OrderedDict[int, tuple[float, tuple[str, str | None, str | None]]] = OrderedDict()
        self.updates = SeenUpdates()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        update_id = event.update_id if isinstance(event, Update) else None
        chat, user = data.get("event_chat"), data.get("event_from_user")
        chat_id = chat.id if isinstance(chat, Chat) else user.id if isinstance(user, User) else None
        async with UnitOfWork.open(self._sessions, update_id, chat_id=chat_id) as unit:
            data["uow"] = unit
            data["session"] = unit.session
            seen = Seen.NEW if update_id is None else await self._handled_before(unit, update_id)
            if seen is Seen.FINISHED:
                log.info("Update %s was handled before; not handling it again", update_id)
                return UNHANDLED
            if seen is Seen.MAYBE_UNFINISHED:
                log.info("Update %s was handled before, perhaps not to its end: not handling it again, only its "
                         "screen is shown again", update_id)
                unit.on_record_already()
                if isinstance(event, Update):
                    await show_again(event, data)
                return UNHANDLED
            await self._track(unit, data.get("event_from_user"), data.get("event_chat"))
            return await handler(event, data)

    async def _handled_before(self, unit: UnitOfWork, update_id: int) -> Seen:
        if unit.claimed is not None:  # claimed at the start of the unit (PostgreSQL): the claim is the answer
            if unit.claimed:
                return Seen.NEW
            return Seen.FINISHED if await finished_before(unit.session, update_id) else Seen.MAYBE_UNFINISHED
        return await self.updates.seen(unit.session, update_id)

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
        stale_before = time.monotonic() - self.REFRESH_SECONDS
        while self._seen and next(iter(self._seen.values()))[0] <= stale_before:  # oldest first (move_to_end)
            self._seen.popitem(last=False)
