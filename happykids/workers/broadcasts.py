"""The broadcast sender: sends queued broadcasts to parents, paced, with a progress message, restart-safe.

How a broadcast is made safe:

* Delivery rows are created up front, one per recipient, in the same transaction as the broadcast
  (`create_broadcast` in services/broadcast.py). Parents already known to have blocked the bot get a
  "blocked" row and are skipped.
* Each send is wrapped in two commits: the row goes pending -> sending before the request and
  sending -> sent / blocked / failed after it. So after a restart we know exactly who got it.
* A graceful stop (SIGTERM, `happykids` restart) lets the sends in flight finish and be recorded before the
  job exits, so normally no row is left in "sending".
* After a crash (kill -9, power loss) a row may be left in "sending": the message may or may not have
  reached the parent. Such rows are NOT resent -- they become "unknown" and are reported as
  "не уверены" (at most one per worker, i.e. a handful). Sending twice is worse than not at all.
* 429 (TelegramRetryAfter): the message was not sent; every worker pauses for retry_after and the row is
  tried again. A refused connection (the request never left) is retried the same way. A timeout or a 5xx
  after the request left is ambiguous -> "unknown", never resent.
* 403 (TelegramForbiddenError): the parent blocked the bot -> row "blocked" and Parent.blocked = True, so
  later broadcasts skip them (until they write to the bot again).
* Pace: one shared leaky-bucket limiter (aiolimiter, no bursts) at RATE_PER_SECOND for the sends and the
  progress edits together, under Telegram's ~30 messages/s, leaving room for the bot's other replies.
* Progress: one message in the director's chat, edited at most every PROGRESS_EVERY seconds and only when its
  content changed (Telegram refuses an edit to identical text and buttons). While sending it carries
  «⏹ Остановить рассылку»; the final edit takes the button off. A resumed broadcast posts a fresh progress
  message (and takes the button off the old one). The end is a report: delivered, blocked, failed.
  (workers/broadcast_progress.py; the wording is ui/broadcast_progress.py.)
* Stop: `stop_broadcast` (the button's handler) turns the broadcast "stopping" and every row still pending
  "cancelled" in one transaction, then nudges the sender (`stop_now`). The claim pending -> sending is
  conditional, so a cancelled row is never sent, by this run or after a restart; sends already in flight
  finish and are recorded. The workers quit at once, a row a 429 put back to pending is swept to
  "cancelled", and the broadcast ends "stopped" with a report of what was delivered before the stop and
  what was cancelled.
* Several replicas (workers/leases.py): a replica claims the oldest active broadcast before sending it and
  renews the claim while it sends; the others leave it alone, so it is sent by one replica at a time, at one
  pace, with one progress message. A replica killed mid-send leaves its "sending" rows and its claim; when the
  lease runs out another replica takes the broadcast over, turns those rows "unknown" (never resent) and goes
  on with a fresh progress message. A replica that finds its claim taken over stops sending at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from dataclasses import dataclass
from enum import Enum
from typing import Any

import aiohttp
from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiolimiter import AsyncLimiter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from happykids.db.repositories import broadcast_claims as claims
from happykids.db.repositories import broadcasts as repo
from happykids.db.repositories.parents import mark_blocked
from happykids.domain.broadcasts import BroadcastStatus, Content, Counts, DeliveryStatus
from happykids.domain.wording import count_of, plural
from happykids.services.broadcast import broadcast_counts
from happykids.texts.service import Texts
from happykids.ui.broadcast_content import send_content
from happykids.workers.broadcast_progress import Progress
from happykids.workers.leases import keep_lease, lease_end, new_owner, sole_process

log = logging.getLogger(__name__)

RATE_PER_SECOND = 25.0  # Telegram allows ~30 messages/s to different chats; keep a margin for other replies
WORKERS = 4  # concurrent requests, so a slow network round trip does not cap the rate
PROGRESS_EVERY = 2.0  # seconds between edits of the progress message
SHUTDOWN_GRACE = 5.0  # on a graceful stop, how long a send in flight may take to finish and be recorded
IDLE_POLL = 5.0  # the job also looks for queued broadcasts this often (the handler wakes it at once)
MAX_RETRIES = 10  # 429 / refused connections for one parent before giving up on them
CONNECT_BACKOFF = 2.0


class _Outcome(Enum):
    DONE = "done"
    RETRY = "retry"
    SKIP = "skip"


@dataclass(frozen=True)
class _Job:
    delivery_id: int
    user_id: int


class BroadcastSender:
    """Sends queued broadcasts one after another. One instance per running bot (a job of workers/hub.py)."""

    def __init__(self, bot: Bot, sessions: async_sessionmaker[AsyncSession], texts: Texts, *,
                 rate: float = RATE_PER_SECOND, workers: int = WORKERS, progress_every: float = PROGRESS_EVERY):
        self.bot = bot
        self.sessions = sessions
        self.texts = texts
        self.rate = rate
        self.workers = workers
        self.progress_every = progress_every
        self.limiter = AsyncLimiter(1, 1 / rate)  # one token, refilled every 1/rate s: no bursts
        self._wakeup = asyncio.Event()
        self._paused_until = 0.0
        self._resumed: set[int] = set()
        self._stops: dict[int, asyncio.Event] = {}  # broadcast id -> "stop now", for the run in progress
        self.owner = new_owner()  # written on the broadcast this sender claims

    # -- what handlers may do ----------------------------------------------------------------------------
    def wake(self) -> None:
        """A broadcast was queued (committed): start it now rather than at the next poll."""
        self._wakeup.set()

    def stop_now(self, broadcast_id: int) -> None:
        """The director stopped it (`stop_broadcast` committed: the rows are cancelled already): let the
        workers quit without delay. If it is not running yet, the run finds it "stopping" and only reports."""
        self._stop_event(broadcast_id).set()

    # -- the loop --------------------------------------------------------------------------------------
    async def run(self) -> None:
        """The background job: resume interrupted broadcasts, then send queued ones as they come."""
        await self.recover()
        while True:
            claimed = await self._claim_next()
            if claimed is None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), IDLE_POLL)
                self._wakeup.clear()
                continue
            broadcast_id, previous = claimed
            if previous is not None and previous != self.owner:  # started before, by a replica gone or stopped
                self._resumed.add(broadcast_id)
            try:
                await self.run_broadcast(broadcast_id, claimed=True)
            except asyncio.CancelledError:
                raise
            except Exception:  # a bug must not stop the job for good; the next loop retries
                log.exception("Рассылка %s прервалась из-за ошибки, скоро продолжу", broadcast_id)
                await asyncio.sleep(IDLE_POLL)
            finally:
                await self._release(broadcast_id)

    async def recover(self) -> None:
        """At start: broadcasts still "sending" were interrupted by a stop; they resume with a fresh progress
        message (we cannot know what the old one shows, and an identical edit is refused)."""
        async with self.sessions() as session:
            self._resumed = await repo.active_ids(session)
        if sole_process(self.sessions):  # SQLite: one bot process, so a claim found is a dead one's
            async with self.sessions() as session, session.begin():
                await claims.release(session, None, None)

    async def _claim_next(self) -> tuple[int, str | None] | None:
        async with self.sessions() as session, session.begin():
            return await claims.claim_next(session, self.owner, lease_end())

    async def _release(self, broadcast_id: int) -> None:
        """Finished or stopping gracefully: another replica (or the restart) need not wait for the lease."""
        try:
            async with self.sessions() as session, session.begin():
                await claims.release(session, broadcast_id, self.owner)
        except Exception:  # the lease runs out by itself
            log.exception("Рассылка %s: не удалось снять захват", broadcast_id)

    async def _renew(self, broadcast_id: int) -> bool:
        async with self.sessions() as session, session.begin():
            return await claims.renew(session, broadcast_id, self.owner, lease_end())

    async def _hold(self, broadcast_id: int, stop: asyncio.Event, lost: asyncio.Event) -> None:
        """Renew the claim while sending; when another replica took it over, stop sending here."""
        await keep_lease(lambda: self._renew(broadcast_id))
        log.warning("Рассылку %s продолжила другая копия бота (эта не продлила захват вовремя): здесь она "
                    "остановлена, отчёт пришлёт та копия", broadcast_id)
        lost.set()
        stop.set()

    def _stop_event(self, broadcast_id: int) -> asyncio.Event:
        return self._stops.setdefault(broadcast_id, asyncio.Event())

    async def _settle_interrupted(self, broadcast_id: int) -> int:
        """Rows left in "sending" (the bot died mid-request, or a database error right after a send) may have
        reached the parent: they become "unknown" and are never resent."""
        async with self.sessions() as session:
            stuck = await repo.count_sending(session, broadcast_id)
        if not stuck:
            return 0  # the usual case: no write at all
        async with self.sessions() as session, session.begin():
            await repo.sending_to_unknown(session, broadcast_id,
                                          "interrupted while sending: may or may not have arrived")
        log.warning("Рассылка %s: сбой застал в пути %s, повторно не отправляю (%s дойти)", broadcast_id,
                    count_of(stuck, "сообщение", "сообщения", "сообщений"), plural(stuck, "оно могло", "они могли",
                                                                                   "они могли"))
        return stuck

    async def _stopping_in_db(self, broadcast_id: int) -> bool:
        async with self.sessions() as session:
            return await repo.status_of(session, broadcast_id) == BroadcastStatus.STOPPING

    # -- one broadcast ---------------------------------------------------------------------------------
    async def run_broadcast(self, broadcast_id: int, *, claimed: bool = False) -> Counts:
        """Send it; `claimed`: this sender holds its claim (the job's loop), renewed while sending."""
        stop = self._stop_event(broadcast_id)  # first: a press from now on reaches this run
        lost = asyncio.Event()
        hold = asyncio.create_task(self._hold(broadcast_id, stop, lost)) if claimed else None
        try:
            return await self._run(broadcast_id, stop, lost)
        finally:
            self._stops.pop(broadcast_id, None)
            if hold is not None:
                hold.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await hold

    async def _run(self, broadcast_id: int, stop: asyncio.Event, lost: asyncio.Event) -> Counts:
        await self._settle_interrupted(broadcast_id)
        async with self.sessions() as session:
            broadcast = await repo.get(session, broadcast_id)
            if broadcast is None:  # deleted meanwhile
                return Counts()
            if broadcast.status == BroadcastStatus.STOPPING:  # stopped before it started, or before a restart
                stop.set()
            counts = await broadcast_counts(session, broadcast_id)
            pending = await repo.pending_deliveries(session, broadcast_id)
        content = Content(broadcast.text, broadcast.photo_file_id, broadcast.button_text, broadcast.button_url)
        progress = Progress(self, broadcast, counts, resumed=broadcast_id in self._resumed)
        self._resumed.discard(broadcast_id)
        await progress.begin(stopping=stop.is_set())

        queue: asyncio.Queue[_Job] = asyncio.Queue()
        for delivery_id, user_id in pending:
            queue.put_nowait(_Job(delivery_id, user_id))
        workers = [asyncio.create_task(self._worker(queue, content, counts, stop),
                                       name=f"broadcast-{broadcast_id}-{i}")
                   for i in range(min(self.workers, max(1, len(pending))))]
        ticker = asyncio.create_task(self._tick(progress, stop), name=f"broadcast-{broadcast_id}-progress")
        try:
            await asyncio.gather(*workers)
        except BaseException:
            for task in workers:
                task.cancel()
            await asyncio.wait(workers, timeout=SHUTDOWN_GRACE + 1)
            raise
        finally:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker

        if lost.is_set():  # another replica goes on with it: no report from here
            return counts
        async with self.sessions() as session, session.begin():
            stopped = stop.is_set() or await repo.status_of(session, broadcast_id) == BroadcastStatus.STOPPING
            if stopped:  # a row a 429 put back to pending after the press: cancelled too, never sent
                await repo.cancel_pending(session, broadcast_id)
            final = await broadcast_counts(session, broadcast_id)
            await repo.set_status(session, broadcast_id, BroadcastStatus.STOPPED if stopped else BroadcastStatus.DONE)
        await progress.finish(final, stopped=stopped)
        log.info("Broadcast %s %s: %s", broadcast_id, "stopped" if stopped else "done", final)
        return final

    async def _tick(self, progress: Progress, stop: asyncio.Event) -> None:
        """Progress edits every few seconds while sending; also notices a stop recorded in the database
        (the handler nudges us directly too, this is the fallback)."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.progress_every)
            if stop.is_set() or await self._stopping_in_db(progress.broadcast_id):
                stop.set()  # no more progress edits: the final one follows as soon as the workers are out
                return
            await progress.show(progress.current_text(), controls=True)

    async def _worker(self, queue: asyncio.Queue[_Job], content: Content, counts: Counts,
                      stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                job = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            while True:
                await self.wait_if_paused(stop)
                await self.limiter.acquire()
                if stop.is_set():
                    return  # the row is cancelled (or, put back by a 429, swept to cancelled at the end)
                if await _run_to_end(self._deliver(job, content, counts)) is not _Outcome.RETRY:
                    break

    def pause(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        self._paused_until = max(self._paused_until, loop.time() + seconds)

    async def wait_if_paused(self, stop: asyncio.Event | None = None) -> None:
        """Wait out a 429 pause; a stop ends the wait at once."""
        loop = asyncio.get_running_loop()
        while (delay := self._paused_until - loop.time()) > 0:
            if stop is None:
                await asyncio.sleep(delay)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            if stop.is_set():
                return

    async def _set(self, job: _Job, status: DeliveryStatus, error: str | None = None, *,
                   blocked: bool = False) -> None:
        async with self.sessions() as session, session.begin():
            await repo.set_delivery(session, job.delivery_id, status, error)
            if blocked:
                await mark_blocked(session, job.user_id)

    async def _deliver(self, job: _Job, content: Content, counts: Counts) -> _Outcome:
        async with self.sessions() as session, session.begin():
            attempts = await repo.claim_delivery(session, job.delivery_id)
        if attempts is None:
            return _Outcome.SKIP  # cancelled by a stop, or someone else took it (cheap to check)
        try:
            await send_content(self.bot, job.user_id, content)
        except TelegramRetryAfter as exc:
            self.pause(exc.retry_after)
            return await self._retry_or_fail(job, attempts, counts, f"429 retry after {exc.retry_after}")
        except TelegramForbiddenError as exc:
            await self._set(job, DeliveryStatus.BLOCKED, exc.message, blocked=True)
            counts.blocked += 1
        except TelegramNetworkError as exc:
            if isinstance(exc.__cause__, aiohttp.ClientConnectorError):  # never reached Telegram: safe to retry
                self.pause(CONNECT_BACKOFF)
                return await self._retry_or_fail(job, attempts, counts, exc.message)
            await self._set(job, DeliveryStatus.UNKNOWN, f"network: {exc.message}")
            counts.unknown += 1
        except TelegramServerError as exc:
            await self._set(job, DeliveryStatus.UNKNOWN, f"server: {exc.message}")
            counts.unknown += 1
        except (TelegramBadRequest, TelegramAPIError) as exc:
            await self._set(job, DeliveryStatus.FAILED, exc.message)
            counts.failed += 1
        except Exception as exc:  # our bug: we cannot tell whether it went out
            log.exception("Рассылка: сообщение %s для %s не отправлено из-за неожиданной ошибки", job.delivery_id,
                          job.user_id)
            await self._set(job, DeliveryStatus.UNKNOWN, repr(exc)[:500])
            counts.unknown += 1
        else:
            await self._set(job, DeliveryStatus.SENT)
            counts.sent += 1
        counts.pending -= 1
        return _Outcome.DONE

    async def _retry_or_fail(self, job: _Job, attempts: int, counts: Counts, error: str) -> _Outcome:
        if attempts >= MAX_RETRIES:
            await self._set(job, DeliveryStatus.FAILED, error)
            counts.failed += 1
            counts.pending -= 1
            return _Outcome.DONE
        await self._set(job, DeliveryStatus.PENDING, error)
        return _Outcome.RETRY


async def _run_to_end(coro: Coroutine[Any, Any, _Outcome]) -> _Outcome:
    """Run one delivery so that cancelling the caller (a graceful stop) lets it finish and be recorded."""
    task = asyncio.ensure_future(coro)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        done, _ = await asyncio.wait({task}, timeout=SHUTDOWN_GRACE)
        if not done:
            task.cancel()  # left in "sending": the next start reports it as "unknown" and does not resend it
        raise
