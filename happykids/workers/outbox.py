"""The outbox worker: runs the work that handlers committed to the `outbox` table, until it is done.

A handler commits its change and the follow-up tasks in one transaction, so after kill -9 the tasks are
still there and this worker (a job of the hub, workers/hub.py) picks them up on the next start. Tasks of one kind run
strictly one after another in the order they were created (head of line: the oldest pending task of a
kind blocks the younger ones, so archives reach MEGA in order); different kinds run side by side, so a
MEGA outage never delays the director's notifications. Failures are retried with exponential back-off;
transient ones (network, Telegram or MEGA down) forever, anything else up to MAX_ATTEMPTS.

Several replicas on one database run each task once: a worker claims a kind's oldest task before running it
(`claim_heads`, FOR UPDATE SKIP LOCKED, a lease renewed while it runs; workers/leases.py), so the head of a kind
runs on one replica at a time and the order holds across replicas too. A replica killed mid-task leaves the
task claimed until its lease runs out; then another replica runs it again (every executor is written to be run
twice safely). A worker that lost its lease (stalled past it) stops the task and records nothing.

The worker knows nothing of receipts: it is given the executors (kind -> coroutine) and the context they
need (their dependencies), and calls `executor(context, payload)`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Any, Generic, TypeVar

import aiohttp
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from happykids.db.base import utcnow
from happykids.db.models import OutboxTask
from happykids.db.repositories import outbox as repo
from happykids.domain.wording import count_of
from happykids.storage.base import ArchiveError
from happykids.workers.leases import keep_lease, lease_end, new_owner, sole_process

log = logging.getLogger(__name__)

# Module-level so the tests can make time pass faster.
POLL_SECONDS = 1.0  # also notices tasks written by another process
RETRY_BASE_SECONDS = 2.0
RETRY_MAX_SECONDS = 300.0  # MEGA down for an hour: a try every 5 minutes, not a storm
MAX_ATTEMPTS = 10  # for unexpected errors (bugs); transient ones retry forever
KEEP_DONE = timedelta(days=30)

TRANSIENT = (ArchiveError, TelegramNetworkError, TelegramServerError, aiohttp.ClientError, OSError, TimeoutError,
             OperationalError)


class GiveUp(Exception):
    """Retrying cannot help (e.g. the file to archive is gone): the task is marked failed and logged."""


class RetryLater(Exception):
    """Not a failure: part of the work is being done right now by someone else in this process (another
    coroutine holds the claim on a card). The task runs again after RETRY_BASE_SECONDS; no attempt is
    counted and nothing above INFO is logged."""


C = TypeVar("C")  # what the executors are given: their dependencies (bot, sessions, texts, archive, ...)
Executor = Callable[[C, dict[str, Any]], Awaitable[None]]


def retry_delay(attempts: int, base: float | None = None, cap: float | None = None) -> float:
    """Seconds to wait after the `attempts`-th failure: base, 2*base, 4*base, ... capped."""
    base = RETRY_BASE_SECONDS if base is None else base
    cap = RETRY_MAX_SECONDS if cap is None else cap
    return min(cap, base * 2.0 ** max(attempts - 1, 0))


class OutboxWorker(Generic[C]):
    def __init__(self, sessions: async_sessionmaker[AsyncSession], executors: Mapping[str, Executor[C]],
                 context: C):
        self.sessions = sessions
        self.context = context
        self._executors = dict(executors)
        self._wakeup = asyncio.Event()
        self._running: dict[str, asyncio.Task[None]] = {}  # kind -> the task being executed
        self._unknown_kinds: set[str] = set()
        self._finished = 0  # counts ended executions, to spot a stale read of the table
        self.owner = new_owner()  # written on the tasks this worker claims

    def wake(self) -> None:
        """Look at the table now (a handler just committed new tasks)."""
        self._wakeup.set()

    @property
    def busy(self) -> bool:
        """Running a task, or woken to look for new ones (the demo waits for this as it waits for handlers)."""
        return bool(self._running) or self._wakeup.is_set()

    async def run(self) -> None:
        await self._forget_old()
        if sole_process(self.sessions):
            await self._release_claims(None)  # SQLite: one bot process, so a claim found is a dead one's
        try:
            while True:
                try:
                    soonest = await self._dispatch()
                except Exception:  # e.g. "database is locked": try again next round
                    log.exception("Очередь задач: не удалось прочитать ждущие задачи")
                    soonest = None
                timeout = POLL_SECONDS if soonest is None else min(max(soonest, 0.01), POLL_SECONDS)
                # asyncio.timeout, not wait_for: Python 3.11's wait_for swallows a cancellation that arrives as
                # the wait ends (a task just finished and woke us), and the stopping bot then waits here forever.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(timeout):
                        await self._wakeup.wait()
                self._wakeup.clear()
        finally:
            running = list(self._running.values())
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
            await self._release_claims(self.owner)  # a graceful stop: another replica need not wait for the lease

    async def _release_claims(self, owner: str | None) -> None:
        try:
            async with self.sessions() as session, session.begin():
                await repo.release_claims(session, owner)
        except Exception:  # the leases run out by themselves
            log.exception("Очередь задач: не удалось снять захват задач")

    async def _dispatch(self) -> float | None:
        """Start every kind's oldest task that is due; return seconds until the next one falls due."""
        finished_before = self._finished
        async with self.sessions() as session:
            heads = await repo.heads(session)
        if self._finished != finished_before:
            return 0.0  # a task ended while we read: this snapshot may be stale (attempts, due_at); read again
        now, soonest = utcnow(), None
        wanted: list[str] = []
        for task in heads:
            if task.kind in self._running:
                continue
            if task.kind not in self._executors:
                if task.kind not in self._unknown_kinds:
                    self._unknown_kinds.add(task.kind)
                    log.error("Очередь задач: для задач вида %r нет исполнителя, задача %s ждёт", task.kind, task.id)
                continue
            ready = task.due_at
            if task.claimed_until is not None and task.claimed_until > ready:
                ready = task.claimed_until  # another replica runs it; it is ours only if its lease runs out
            wait = (ready - now).total_seconds()
            if wait > 0:
                soonest = wait if soonest is None else min(soonest, wait)
                continue
            wanted.append(task.kind)
        if wanted:
            async with self.sessions() as session, session.begin():
                claimed = await repo.claim_heads(session, wanted, self.owner, now, lease_end(now))
            for task in claimed:  # a kind missing here was claimed by another replica a moment ago
                self._running[task.kind] = asyncio.create_task(self._execute(task), name=f"outbox:{task.kind}")
        return soonest

    async def _execute(self, task: OutboxTask) -> None:
        try:
            try:
                if not await self._run_claimed(task):
                    return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - every failure is recorded on the task
                await self._after_failure(task, exc)
            else:
                async with self.sessions() as session, session.begin():
                    await repo.mark_done(session, task.id, self.owner)
        except asyncio.CancelledError:
            raise
        except Exception:  # could not even record the outcome: the task simply runs again
            log.exception("Очередь задач: не удалось записать итог задачи %s", task.id)
        finally:
            self._running.pop(task.kind, None)
            self._finished += 1
            self.wake()

    async def _run_claimed(self, task: OutboxTask) -> bool:
        """Run the executor while renewing the claim; False if the claim was lost (the executor is stopped:
        the replica that took the task over runs it, and this one records nothing)."""
        work: asyncio.Future[None] = asyncio.ensure_future(
            self._executors[task.kind](self.context, json.loads(task.payload or "{}")))
        lease = asyncio.create_task(keep_lease(lambda: self._renew(task.id)))
        try:
            await asyncio.wait({work, lease}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            lease.cancel()
            if not work.done():
                work.cancel()
            await asyncio.gather(work, lease, return_exceptions=True)
        if work.cancelled():  # the lease was lost while it ran
            log.warning("Очередь задач: задачу %s (%s) забрала другая копия бота, пока эта её выполняла; "
                        "итог записывает та копия", task.id, task.kind)
            return False
        work.result()  # raises the executor's exception
        return True

    async def _renew(self, task_id: int) -> bool:
        async with self.sessions() as session, session.begin():
            return await repo.renew_claim(session, task_id, self.owner, lease_end())

    async def _after_failure(self, task: OutboxTask, exc: Exception) -> None:
        attempts = task.attempts + 1
        error = f"{type(exc).__name__}: {exc}"
        async with self.sessions() as session, session.begin():
            if isinstance(exc, RetryLater):
                due = utcnow() + timedelta(seconds=RETRY_BASE_SECONDS)
                await repo.mark_retry(session, task.id, task.attempts, due, error, self.owner)
                log.info("Outbox: task %s (%s, %s) looks again soon: %s", task.id, task.kind, task.subject, exc)
                return
            if isinstance(exc, GiveUp) or (not isinstance(exc, (*TRANSIENT, TelegramRetryAfter))
                                           and attempts >= MAX_ATTEMPTS):
                await repo.mark_failed(session, task.id, attempts, error, self.owner)
                log.error("Очередь задач: задача %s (%s, %s) не выполнена после %s и больше не повторяется (%s)",
                          task.id, task.kind, task.subject, count_of(attempts, "попытки", "попыток", "попыток"), error,
                          exc_info=None if isinstance(exc, (*TRANSIENT, GiveUp)) else exc)
                return
            delay = exc.retry_after if isinstance(exc, TelegramRetryAfter) else retry_delay(attempts)
            await repo.mark_retry(session, task.id, attempts, utcnow() + timedelta(seconds=delay), error,
                                  self.owner)
        log.warning("Очередь задач: попытка %d задачи %s (%s, %s) не удалась (%s), следующая через %.0f с",
                    attempts, task.id, task.kind, task.subject, error, delay,
                    exc_info=None if isinstance(exc, (*TRANSIENT, TelegramRetryAfter)) else exc)

    async def _forget_old(self) -> None:
        try:
            async with self.sessions() as session, session.begin():
                await repo.forget_done(session, KEEP_DONE)
        except Exception:  # housekeeping only
            log.exception("Очередь задач: не удалось удалить старые выполненные задачи")

