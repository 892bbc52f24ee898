"""Every background job of the bot in one place: built by the app wiring, started and stopped with polling.

Each job gets its dependencies (bot, session factory, texts, settings, archive) when it is built here, never
the whole app. Handlers receive this hub as `workers: Workers` (it is in the dispatcher's data) and only wake
jobs: `workers.outbox.wake()` after committing outbox tasks, `workers.broadcasts.wake()` after queueing a
broadcast, `workers.broadcasts.stop_now(id)` after stopping one.

A new job is a class with `async def run(self) -> None` (loop until cancelled; pick up unfinished work from
the database first, so a restart loses nothing) and one line in `Workers.__init__`:
    self.reminders = self._job(ReminderScheduler(bot, sessions, texts, settings))
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol, TypeVar

from aiogram import Bot
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from happykids.config import Settings
from happykids.storage.base import ArchiveBackend
from happykids.texts.service import Texts
from happykids.workers.backups import DailyBackups
from happykids.workers.broadcasts import BroadcastSender
from happykids.workers.outbox import OutboxWorker
from happykids.workers.project_tasks import EXECUTORS as PROJECT_EXECUTORS
from happykids.workers.receipt_tasks import EXECUTORS, ReceiptTaskDeps
from happykids.workers.reminders import EXECUTORS as REMINDER_EXECUTORS
from happykids.workers.reminders import FEEDERS as REMINDER_FEEDERS
from happykids.workers.reminders import ReminderDeps
from happykids.workers.scheduler import ReminderScheduler
from happykids.workers.telegram_payment_tasks import EXECUTORS as TELEGRAM_PAYMENT_EXECUTORS

log = logging.getLogger(__name__)


class Job(Protocol):
    async def run(self) -> None: ...


J = TypeVar("J", bound=Job)


class Workers:
    def __init__(self, *, bot: Bot, sessions: async_sessionmaker[AsyncSession], texts: Texts, settings: Settings,
                 archive: ArchiveBackend):
        self._jobs: list[Job] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._archive = archive
        # receipts: notify admins, archive, tell parents; projects: tell parents; resumes after kill -9
        self.outbox = self._job(OutboxWorker(sessions, {**EXECUTORS, **PROJECT_EXECUTORS, **TELEGRAM_PAYMENT_EXECUTORS},
                                             ReceiptTaskDeps(bot, sessions, texts, settings, archive)))
        # sends queued broadcasts, paced; resumes them after a restart
        self.broadcasts = self._job(BroadcastSender(bot, sessions, texts))
        self.backups = self._job(DailyBackups(settings, archive,  # at BACKUP_TIME into DATA_DIR/backups (+MEGA)
                                              sessions=sessions))  # once a day across replicas
        # the scheduler: renewal reminders, gentle follow-ups (at most once each, quiet hours respected)
        self.reminders = self._job(ReminderScheduler(bot, sessions, REMINDER_EXECUTORS, ReminderDeps(texts),
                                                     REMINDER_FEEDERS))

    def _job(self, job: J) -> J:
        self._jobs.append(job)
        return job

    async def start(self) -> None:
        """On the dispatcher's startup: every job starts running in the background."""
        for job in self._jobs:
            self._tasks.append(asyncio.create_task(job.run(), name=type(job).__name__))

    async def stop(self) -> None:
        """On the dispatcher's shutdown: cancel every job and wait until each has wound down (a broadcast
        lets its sends in flight finish and be recorded)."""
        for task in self._tasks:
            task.cancel()
        results = await asyncio.gather(*self._tasks, return_exceptions=True)
        for task, result in zip(self._tasks, results, strict=True):
            if isinstance(result, Exception):
                log.error("Фоновая задача %s завершилась с ошибкой", task.get_name(), exc_info=result)
        self._tasks.clear()

    async def close(self) -> None:
        """When the app closes: stop (if still running) and let go of the archive's connections."""
        await self.stop()
        await self._archive.close()
