"""The scheduler job: sends the reminders that fell due (services/reminders.py says what it guarantees and why
it is a table of its own).

Each round: rows left `sending` by a dead process become `uncertain` (never sent again); the feeders schedule
what other tables recorded (the follow-ups of new payment links); the due ones are taken
oldest first. For each, in one transaction, its kind's executor says what to send or why not any more (paid
again, stopped, blocked...), and the row is claimed (scheduled -> sending, a conditional UPDATE: one replica
wins); that is committed, then the message is sent and `sent` recorded. Parent reminders wait out the quiet
hours (21:00–09:00 agency time). Reminders missed while the bot was down are simply due: sent once, after
start, if their executor still finds them relevant.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from aiogram import Bot
from aiogram.exceptions import TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from happykids.db.base import utcnow
from happykids.db.models import Reminder
from happykids.db.repositories import reminders as repo
from happykids.db.repositories.parents import mark_blocked
from happykids.domain import clock
from happykids.domain.renewals import ReminderStatus, is_quiet, next_allowed
from happykids.services.crash_points import crash_point
from happykids.services.message_intents import surely_not_sent

log = logging.getLogger(__name__)

# Module-level so the tests can make time pass faster.
POLL_SECONDS = 30.0  # also notices reminders scheduled by another process; a handler wakes it at once
BATCH = 50
SENDING_LEASE = timedelta(minutes=5)  # a claim older than this without a result: its process died
RETRY_SECONDS = 60.0
MAX_ATTEMPTS = 5

C = TypeVar("C")


@dataclass(frozen=True, slots=True)
class Outgoing:
    text: str
    markup: InlineKeyboardMarkup | None = None


# An executor composes the message from the reminder (and the database, in the claim's transaction), or says
# in a few words why it is no longer relevant.
Compose = Callable[[C, AsyncSession, Reminder, dict[str, Any]], Awaitable["Outgoing | str"]]


@dataclass(frozen=True, slots=True)
class Executor(Generic[C]):
    compose: Compose[C]
    quiet_hours: bool = True  # a message to a parent: not at night


# A feeder schedules reminders from changes recorded elsewhere (e.g. the links the funnel recorded), in the
# round's transaction; it returns how many it scheduled.
Feeder = Callable[[AsyncSession], Awaitable[int]]


class ReminderScheduler(Generic[C]):
    def __init__(self, bot: Bot, sessions: async_sessionmaker[AsyncSession], executors: Mapping[str, Executor[C]],
                 context: C, feeders: Sequence[Feeder] = ()):
        self.bot, self.sessions, self.context = bot, sessions, context
        self._executors = dict(executors)
        self._feeders = list(feeders)
        self._wakeup = asyncio.Event()
        self._unknown: set[str] = set()

    def wake(self) -> None:
        """Look at the table now (a reminder due now was just committed, or the test clock moved)."""
        self._wakeup.set()

    async def run(self) -> None:
        while True:
            try:
                wait = await self.run_once()
            except Exception:  # e.g. "database is locked": try again next round
                log.exception("Напоминания: не удалось просмотреть очередь")
                wait = POLL_SECONDS
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), min(max(wait, 0.01), POLL_SECONDS))
            self._wakeup.clear()

    async def run_once(self) -> float:
        """One round; returns the seconds until the next reminder falls due (at most POLL_SECONDS)."""
        await self._give_up_stale()
        for feed in self._feeders:
            async with self.sessions() as session, session.begin():
                await feed(session)
        now = utcnow()
        async with self.sessions() as session:
            due = await repo.due(session, now, BATCH)
            upcoming = await repo.next_due_at(session)
        wait = POLL_SECONDS if upcoming is None else (upcoming - now).total_seconds()
        quiet_until: datetime | None = None
        for reminder in due:
            executor = self._executors.get(reminder.kind)
            if executor is None:
                if reminder.kind not in self._unknown:
                    self._unknown.add(reminder.kind)
                    log.error("Напоминания: для вида %r нет исполнителя, напоминание %s ждёт", reminder.kind,
                              reminder.id)
                continue
            local = clock.local_now()
            if executor.quiet_hours and is_quiet(local):
                quiet_until = next_allowed(local)
                continue
            await self._send(reminder, executor)
        if quiet_until is not None:
            wait = (clock.to_utc(quiet_until) - utcnow()).total_seconds()
        elif len(due) == BATCH:
            wait = 0.0
        return max(wait, 0.0)

    async def _send(self, reminder: Reminder, executor: Executor[C]) -> None:
        payload = json.loads(reminder.payload or "{}")
        async with self.sessions() as session:
            async with session.begin():
                outgoing = await executor.compose(self.context, session, reminder, payload)
                if isinstance(outgoing, str):
                    if await repo.skip(session, reminder.id, outgoing):
                        log.info("Reminder %s (%s) skipped: %s", reminder.id, reminder.key, outgoing)
                    return
                if not await repo.claim(session, reminder.id, utcnow()):
                    return  # another worker (replica) took it
            crash_point("reminder_claimed")
            try:
                message = await self.bot.send_message(reminder.chat_id, outgoing.text, reply_markup=outgoing.markup,
                                                      disable_web_page_preview=True)
            except asyncio.CancelledError:
                raise  # stopped mid-call: left `sending`, so the next start treats it as uncertain
            except Exception as exc:  # noqa: BLE001 - every failure is recorded on the reminder
                async with session.begin():
                    await self._after_failure(session, reminder, exc)
                return
            crash_point("reminder_sent")
            async with session.begin():
                await repo.finish(session, reminder.id, ReminderStatus.SENT, message_id=message.message_id)
        log.info("Reminder %s (%s) sent to %s", reminder.id, reminder.key, reminder.chat_id)

    async def _after_failure(self, session: AsyncSession, reminder: Reminder, exc: Exception) -> None:
        error = f"{type(exc).__name__}: {exc}"[:500]
        if isinstance(exc, TelegramForbiddenError):
            await mark_blocked(session, reminder.chat_id)
            await repo.finish(session, reminder.id, ReminderStatus.FAILED, "the parent blocked the bot")
            log.info("Reminder %s: %s blocked the bot", reminder.id, reminder.chat_id)
            return
        if not surely_not_sent(exc):
            await repo.finish(session, reminder.id, ReminderStatus.UNCERTAIN, error)
            log.warning("Напоминание %s для %s могло уйти (%s), повторно не отправляю — родитель не должен "
                        "получить его дважды", reminder.id, reminder.chat_id, error)
            return
        if reminder.attempts + 1 >= MAX_ATTEMPTS and not isinstance(exc, TelegramRetryAfter):
            await repo.finish(session, reminder.id, ReminderStatus.FAILED, error)
            log.error("Напоминание %s для %s не отправлено после %d попыток: %s", reminder.id, reminder.chat_id,
                      MAX_ATTEMPTS, error)
            return
        delay = exc.retry_after if isinstance(exc, TelegramRetryAfter) else RETRY_SECONDS
        await repo.release(session, reminder.id, utcnow() + timedelta(seconds=delay), error)
        log.warning("Напоминание %s: Telegram не принял (%s), повторю через %.0f с", reminder.id, error, delay)

    async def _give_up_stale(self) -> None:
        async with self.sessions() as session, session.begin():
            for reminder in await repo.stale_sending(session, utcnow() - SENDING_LEASE):
                await repo.mark_uncertain(session, reminder.id)
                log.warning("Напоминание %s для %s отправлялось, когда процесс остановился; могло уйти — повторно "
                            "не отправляю (родитель не должен получить его дважды)", reminder.id, reminder.chat_id)
