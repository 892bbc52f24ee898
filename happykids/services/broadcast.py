"""Broadcasts from the director to parents: audiences, creating one, and the background sender.

How a broadcast is made safe:

* Delivery rows are created up front, one per recipient, in the same transaction as the broadcast
  (`create_broadcast`). Parents already known to have blocked the bot get a "blocked" row and are skipped.
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
* Stop: `stop_broadcast` (the button's handler) turns the broadcast "stopping" and every row still pending
  "cancelled" in one transaction, then nudges the sender. The claim pending -> sending is conditional, so a
  cancelled row is never sent, by this run or after a restart; sends already in flight finish and are
  recorded. The workers quit at once, a row a 429 put back to pending is swept to "cancelled", and the
  broadcast ends "stopped" with a report of what was delivered before the stop and what was cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo
from enum import Enum
from typing import TYPE_CHECKING

import aiohttp
from aiogram import Bot
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramAPIError, TelegramBadRequest, TelegramForbiddenError, TelegramNetworkError, TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardMarkup, Message
from aiolimiter import AsyncLimiter
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from happykids.db.base import utcnow
from happykids.domain.broadcasts import AudienceKind
from happykids.db.models import Broadcast, BroadcastDelivery, CatalogGroup, FunnelEvent, Parent, Receipt
from happykids.db.repositories.parents import mark_blocked
from happykids.services.payments_export import Month

if TYPE_CHECKING:
    from happykids.app.wiring import App

log = logging.getLogger(__name__)

RATE_PER_SECOND = 25.0  # Telegram allows ~30 messages/s to different chats; keep a margin for other replies
WORKERS = 4  # concurrent requests, so a slow network round trip does not cap the rate
PROGRESS_EVERY = 2.0  # seconds between edits of the progress message
SHUTDOWN_GRACE = 5.0  # on a graceful stop, how long a send in flight may take to finish and be recorded
IDLE_POLL = 5.0  # the job also looks for queued broadcasts this often (the handler wakes it at once)
MAX_RETRIES = 10  # 429 / refused connections for one parent before giving up on them
CONNECT_BACKOFF = 2.0

CAPTION_LIMIT = 1024  # a bot's photo caption, in UTF-16 units

# Delivery statuses; "cancelled": still pending when the director stopped the broadcast (never sent)
PENDING, SENDING, SENT, BLOCKED, FAILED, UNKNOWN, CANCELLED = (
    "pending", "sending", "sent", "blocked", "failed", "unknown", "cancelled")
# Broadcast statuses: "sending" (queued or in progress) -> "done", or, after «Остановить»,
# "sending" -> "stopping" (the sender is winding down) -> "stopped"
BC_SENDING, BC_STOPPING, BC_DONE, BC_STOPPED = "sending", "stopping", "done", "stopped"
BC_ACTIVE = (BC_SENDING, BC_STOPPING)  # the sender still has to finish (or resume) these


# --- audiences --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Audience:
    kind: AudienceKind
    value: str = ""  # the group code, or the month "YYYY-MM"

    @property
    def key(self) -> str:
        return self.kind.value if not self.value else f"{self.kind.value}:{self.value}"

    @classmethod
    def parse(cls, key: str) -> Audience:
        kind, _, value = key.partition(":")
        return cls(AudienceKind(kind), value)

    @classmethod
    def paid_this_month(cls, tz: tzinfo) -> Audience:
        return cls(AudienceKind.PAID, Month.current(tz).key)


async def audience_title(session: AsyncSession, audience: Audience) -> str:
    if audience.kind is AudienceKind.ALL:
        return "все родители"
    if audience.kind is AudienceKind.GROUP:
        title = await session.scalar(select(CatalogGroup.title).where(CatalogGroup.code == audience.value))
        return f"родители группы «{title or audience.value}»"
    return f"оплатившие за {Month.parse(audience.value).title} (чек на проверке или подтверждён)"


async def audience_user_ids(session: AsyncSession, audience: Audience, tz: tzinfo,
                            exclude: set[int] | frozenset[int] = frozenset()) -> list[int]:
    """Everyone the broadcast goes to (blocked parents included; the sender skips them)."""
    if audience.kind is AudienceKind.ALL:
        ids = set((await session.scalars(select(Parent.user_id))).all())
    elif audience.kind is AudienceKind.GROUP:
        code = audience.value
        ids = set((await session.scalars(select(FunnelEvent.user_id).where(FunnelEvent.group_code == code)
                                          .distinct())).all())
        ids |= set((await session.scalars(select(Receipt.user_id).where(Receipt.group_code == code)
                                           .distinct())).all())
    else:
        start, end = Month.parse(audience.value).bounds_utc(tz)
        ids = set((await session.scalars(
            select(Receipt.user_id).where(Receipt.status.in_(("pending", "approved")), Receipt.created_at >= start,
                                          Receipt.created_at < end).distinct())).all())
    return sorted(ids - set(exclude))


async def group_choices(session: AsyncSession) -> list[tuple[int, str, str]]:
    """Catalog groups (hidden ones too: their parents still exist) as (id, code, title)."""
    rows = (await session.execute(select(CatalogGroup.id, CatalogGroup.code, CatalogGroup.title)
                                  .order_by(CatalogGroup.position, CatalogGroup.id))).all()
    return [tuple(row) for row in rows]


# --- content ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Content:
    text: str  # Telegram HTML (aiogram's html_text of the director's message: entities kept, the rest escaped)
    photo: str | None = None  # file_id


async def send_content(bot: Bot, chat_id: int, content: Content) -> Message:
    """Exactly what a parent receives; the preview for the director uses the same call."""
    if content.photo:
        return await bot.send_photo(chat_id, content.photo, caption=content.text or None, parse_mode=ParseMode.HTML)
    return await bot.send_message(chat_id, content.text, parse_mode=ParseMode.HTML)


# --- creating ---------------------------------------------------------------------------------------

@dataclass
class Counts:
    total: int = 0
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    unknown: int = 0
    pending: int = 0  # pending + sending
    cancelled: int = 0  # stopped before their turn

    @property
    def done(self) -> int:
        """Recipients the sender is through with (cancelled ones not included)."""
        return self.total - self.pending - self.cancelled

    @classmethod
    def from_statuses(cls, statuses: Counter) -> Counts:
        return cls(total=sum(statuses.values()), sent=statuses[SENT], blocked=statuses[BLOCKED],
                   failed=statuses[FAILED], unknown=statuses[UNKNOWN], pending=statuses[PENDING] + statuses[SENDING],
                   cancelled=statuses[CANCELLED])


async def create_broadcast(session: AsyncSession, *, created_by: int, content: Content, audience: Audience,
                           tz: tzinfo, exclude: set[int] | frozenset[int] = frozenset(),
                           progress_chat_id: int | None = None, progress_message_id: int | None = None,
                           ) -> tuple[Broadcast, Counts]:
    """The broadcast with a delivery row for every recipient, queued for the sender. The caller commits."""
    recipients = await audience_user_ids(session, audience, tz, exclude)
    blocked = set((await session.scalars(select(Parent.user_id).where(Parent.blocked.is_(True)))).all())
    broadcast = Broadcast(created_by=created_by, text=content.text, photo_file_id=content.photo,
                          audience=audience.key, status=BC_SENDING, progress_chat_id=progress_chat_id,
                          progress_message_id=progress_message_id)
    session.add(broadcast)
    await session.flush()
    rows = [
        {"broadcast_id": broadcast.id, "user_id": uid, "status": BLOCKED if uid in blocked else PENDING,
         "attempts": 0, "error": "blocked the bot earlier" if uid in blocked else None}
        for uid in recipients
    ]
    if rows:
        await session.execute(insert(BroadcastDelivery), rows)
    statuses = Counter(row["status"] for row in rows)
    return broadcast, Counts.from_statuses(statuses)


async def broadcast_counts(session: AsyncSession, broadcast_id: int) -> Counts:
    rows = (await session.execute(
        select(BroadcastDelivery.status, func.count()).where(BroadcastDelivery.broadcast_id == broadcast_id)
        .group_by(BroadcastDelivery.status))).all()
    return Counts.from_statuses(Counter(dict(rows)))


async def recent_broadcasts(session: AsyncSession, limit: int = 5) -> list[tuple[Broadcast, Counts]]:
    broadcasts = (await session.scalars(select(Broadcast).order_by(Broadcast.id.desc()).limit(limit))).all()
    return [(b, await broadcast_counts(session, b.id)) for b in broadcasts]


# --- texts of the director's progress and report (admin-only, plain Russian) ---------------------------

def progress_text(number: int, counts: Counts, *, resumed: bool = False, final: bool = False,
                  stopped: bool = False) -> str:
    """The progress message. `final`: its last state (no button any more); `stopped`: she stopped it."""
    if stopped:
        head = (f"⏹ Рассылка №{number} остановлена: отправлено {counts.done} из {counts.total}, "
                f"отменено {counts.cancelled}")
    else:
        head = f"{'🏁' if final else '📤'} Рассылка №{number}: отправлено {counts.done} из {counts.total}"
    if resumed:
        head = "♻️ Бот перезапускался — продолжаю.\n" + head
    return (f"{head}\nДоставлено: {counts.sent} · заблокировали бота: {counts.blocked} · "
            f"не доставлено: {counts.failed + counts.unknown}")


def report_text(number: int, counts: Counts, *, stopped: bool = False) -> str:
    lines = [
        f"⏹ <b>Рассылка №{number} остановлена</b>" if stopped else f"✅ <b>Рассылка №{number} завершена</b>",
        f"Получателей: {counts.total}",
        f"Доставлено до остановки: <b>{counts.sent}</b>" if stopped else f"Доставлено: <b>{counts.sent}</b>",
        f"Заблокировали бота: {counts.blocked}",
        f"Не доставлено (ошибка): {counts.failed + counts.unknown}",
    ]
    if counts.unknown:
        lines.append(f"  из них не уверены, дошло ли (бот перезапускался во время отправки): {counts.unknown}")
    if stopped:
        lines.append(f"Отменено (не отправлено): <b>{counts.cancelled}</b>")
    return "\n".join(lines)


# --- stopping ---------------------------------------------------------------------------------------

class StopOutcome(Enum):
    STOPPED = "stopped"  # this press stopped it: pending rows are cancelled now
    TOO_LATE = "too_late"  # nothing was left to cancel: the last messages are on their way
    STOPPING = "stopping"  # stopped by an earlier press; the sender is winding down
    FINISHED = "finished"  # it had ended already (sent to everyone)
    WAS_STOPPED = "was_stopped"  # it had been stopped and reported already
    MISSING = "missing"


async def stop_broadcast(session: AsyncSession, broadcast_id: int) -> tuple[StopOutcome, int]:
    """Cancel every delivery still pending and mark the broadcast "stopping"; returns how many were cancelled.

    The caller commits, then nudges the sender (`stop_now`). Both updates are conditional, so two presses at
    once (two admins) stop it once, and a row a worker has already claimed is finished, not cancelled."""
    marked = await session.execute(update(Broadcast).where(Broadcast.id == broadcast_id,
                                                           Broadcast.status == BC_SENDING)
                                   .values(status=BC_STOPPING))
    if marked.rowcount != 1:
        status = await session.scalar(select(Broadcast.status).where(Broadcast.id == broadcast_id))
        outcome = {None: StopOutcome.MISSING, BC_STOPPING: StopOutcome.STOPPING,
                   BC_STOPPED: StopOutcome.WAS_STOPPED}.get(status, StopOutcome.FINISHED)
        return outcome, 0
    cancelled = (await session.execute(
        update(BroadcastDelivery)
        .where(BroadcastDelivery.broadcast_id == broadcast_id, BroadcastDelivery.status == PENDING)
        .values(status=CANCELLED, error="stopped by an admin"))).rowcount
    if not cancelled:  # every message is out or on its way: nothing to stop, let it end as usual
        await session.execute(update(Broadcast).where(Broadcast.id == broadcast_id).values(status=BC_SENDING))
        return StopOutcome.TOO_LATE, 0
    return StopOutcome.STOPPED, cancelled


# --- sending ----------------------------------------------------------------------------------------

class _Outcome(Enum):
    DONE = "done"
    RETRY = "retry"
    SKIP = "skip"


@dataclass(frozen=True)
class _Job:
    delivery_id: int
    user_id: int


class BroadcastSender:
    """Sends queued broadcasts one after another. One instance per running bot (see `broadcast_job`)."""

    def __init__(self, bot: Bot, sessions: async_sessionmaker[AsyncSession], *, rate: float = RATE_PER_SECOND,
                 workers: int = WORKERS, progress_every: float = PROGRESS_EVERY,
                 stop_keyboard: Callable[[int], InlineKeyboardMarkup] | None = None):
        self.bot = bot
        self.sessions = sessions
        self.rate = rate
        self.workers = workers
        self.progress_every = progress_every
        self.stop_keyboard = stop_keyboard  # «⏹ Остановить рассылку» for the progress message (by broadcast id)
        self.limiter = AsyncLimiter(1, 1 / rate)  # one token, refilled every 1/rate s: no bursts
        self.wakeup = asyncio.Event()
        self._paused_until = 0.0
        self._resumed: set[int] = set()
        self._stops: dict[int, asyncio.Event] = {}  # broadcast id -> "stop now", for the run in progress

    # -- the loop --------------------------------------------------------------------------------------
    async def run_forever(self) -> None:
        await self.recover()
        while True:
            broadcast_id = await self._next_broadcast()
            if broadcast_id is None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wakeup.wait(), IDLE_POLL)
                self.wakeup.clear()
                continue
            try:
                await self.run_broadcast(broadcast_id)
            except asyncio.CancelledError:
                raise
            except Exception:  # a bug must not stop the job for good; the next loop retries
                log.exception("Broadcast %s failed; retrying shortly", broadcast_id)
                await asyncio.sleep(IDLE_POLL)

    async def recover(self) -> None:
        """At start: broadcasts still "sending" were interrupted by a stop; they resume with a fresh progress
        message (we cannot know what the old one shows, and an identical edit is refused)."""
        async with self.sessions() as session:
            self._resumed = set((await session.scalars(
                select(Broadcast.id).where(Broadcast.status.in_(BC_ACTIVE)))).all())

    def request_stop(self, broadcast_id: int) -> None:
        """The director stopped it (the rows are cancelled already): let the workers quit now."""
        self._stop_event(broadcast_id).set()

    def _stop_event(self, broadcast_id: int) -> asyncio.Event:
        return self._stops.setdefault(broadcast_id, asyncio.Event())

    async def _settle_interrupted(self, broadcast_id: int) -> int:
        """Rows left in "sending" (the bot died mid-request, or a database error right after a send) may have
        reached the parent: they become "unknown" and are never resent."""
        async with self.sessions() as session:
            stuck = await session.scalar(select(func.count()).select_from(BroadcastDelivery).where(
                BroadcastDelivery.broadcast_id == broadcast_id, BroadcastDelivery.status == SENDING))
        if not stuck:
            return 0  # the usual case: no write at all
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(BroadcastDelivery)
                .where(BroadcastDelivery.broadcast_id == broadcast_id, BroadcastDelivery.status == SENDING)
                .values(status=UNKNOWN, error="interrupted while sending: may or may not have arrived"))
        log.warning("Broadcast %s: %s deliveries were interrupted mid-send; not resending them", broadcast_id, stuck)
        return stuck

    async def _next_broadcast(self) -> int | None:
        async with self.sessions() as session:
            return await session.scalar(select(Broadcast.id).where(Broadcast.status.in_(BC_ACTIVE))
                                        .order_by(Broadcast.id).limit(1))

    async def _stopping_in_db(self, broadcast_id: int) -> bool:
        async with self.sessions() as session:
            return await session.scalar(select(Broadcast.status).where(Broadcast.id == broadcast_id)) == BC_STOPPING

    # -- one broadcast ---------------------------------------------------------------------------------
    async def run_broadcast(self, broadcast_id: int) -> Counts:
        stop = self._stop_event(broadcast_id)  # first: a press from now on reaches this run
        try:
            return await self._run(broadcast_id, stop)
        finally:
            self._stops.pop(broadcast_id, None)

    async def _run(self, broadcast_id: int, stop: asyncio.Event) -> Counts:
        await self._settle_interrupted(broadcast_id)
        async with self.sessions() as session:
            broadcast = await session.get(Broadcast, broadcast_id)
            if broadcast is None:  # deleted meanwhile
                return Counts()
            if broadcast.status == BC_STOPPING:  # stopped before it started, or before a restart
                stop.set()
            counts = await broadcast_counts(session, broadcast_id)
            pending = (await session.execute(
                select(BroadcastDelivery.id, BroadcastDelivery.user_id)
                .where(BroadcastDelivery.broadcast_id == broadcast_id, BroadcastDelivery.status == PENDING)
                .order_by(BroadcastDelivery.id))).all()
        content = Content(broadcast.text, broadcast.photo_file_id)
        progress = _Progress(self, broadcast, counts, resumed=broadcast_id in self._resumed)
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

        async with self.sessions() as session, session.begin():
            stopped = stop.is_set() or (await session.scalar(
                select(Broadcast.status).where(Broadcast.id == broadcast_id))) == BC_STOPPING
            if stopped:  # a row a 429 put back to pending after the press: cancelled too, never sent
                await session.execute(
                    update(BroadcastDelivery)
                    .where(BroadcastDelivery.broadcast_id == broadcast_id, BroadcastDelivery.status == PENDING)
                    .values(status=CANCELLED, error="stopped by an admin"))
            final = await broadcast_counts(session, broadcast_id)
            await session.execute(update(Broadcast).where(Broadcast.id == broadcast_id)
                                  .values(status=BC_STOPPED if stopped else BC_DONE, finished_at=utcnow()))
        await progress.finish(final, stopped=stopped)
        log.info("Broadcast %s %s: %s", broadcast_id, "stopped" if stopped else "done", final)
        return final

    async def _tick(self, progress: _Progress, stop: asyncio.Event) -> None:
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

    async def _set(self, job: _Job, status: str, error: str | None = None, *, blocked: bool = False) -> None:
        async with self.sessions() as session, session.begin():
            values: dict = {"status": status, "error": error}
            if status == SENT:
                values["sent_at"] = utcnow()
            await session.execute(update(BroadcastDelivery).where(BroadcastDelivery.id == job.delivery_id)
                                  .values(**values))
            if blocked:
                await mark_blocked(session, job.user_id)

    async def _deliver(self, job: _Job, content: Content, counts: Counts) -> _Outcome:
        async with self.sessions() as session, session.begin():
            claimed = await session.execute(
                update(BroadcastDelivery)
                .where(BroadcastDelivery.id == job.delivery_id, BroadcastDelivery.status == PENDING)
                .values(status=SENDING, attempts=BroadcastDelivery.attempts + 1)
                .returning(BroadcastDelivery.attempts))
            attempts = claimed.scalar()
        if attempts is None:
            return _Outcome.SKIP  # someone else took it (cannot happen with one sender, but cheap to check)
        try:
            await send_content(self.bot, job.user_id, content)
        except TelegramRetryAfter as exc:
            self.pause(exc.retry_after)
            return await self._retry_or_fail(job, attempts, counts, f"429 retry after {exc.retry_after}")
        except TelegramForbiddenError as exc:
            await self._set(job, BLOCKED, exc.message, blocked=True)
            counts.blocked += 1
        except TelegramNetworkError as exc:
            if isinstance(exc.__cause__, aiohttp.ClientConnectorError):  # never reached Telegram: safe to retry
                self.pause(CONNECT_BACKOFF)
                return await self._retry_or_fail(job, attempts, counts, exc.message)
            await self._set(job, UNKNOWN, f"network: {exc.message}")
            counts.unknown += 1
        except TelegramServerError as exc:
            await self._set(job, UNKNOWN, f"server: {exc.message}")
            counts.unknown += 1
        except (TelegramBadRequest, TelegramAPIError) as exc:
            await self._set(job, FAILED, exc.message)
            counts.failed += 1
        except Exception as exc:  # our bug: we cannot tell whether it went out
            log.exception("Broadcast delivery %s to %s failed unexpectedly", job.delivery_id, job.user_id)
            await self._set(job, UNKNOWN, repr(exc)[:500])
            counts.unknown += 1
        else:
            await self._set(job, SENT)
            counts.sent += 1
        counts.pending -= 1
        return _Outcome.DONE

    async def _retry_or_fail(self, job: _Job, attempts: int, counts: Counts, error: str) -> _Outcome:
        if attempts >= MAX_RETRIES:
            await self._set(job, FAILED, error)
            counts.failed += 1
            counts.pending -= 1
            return _Outcome.DONE
        await self._set(job, PENDING, error)
        return _Outcome.RETRY


async def _run_to_end(coro) -> _Outcome:  # noqa: ANN001 - a coroutine
    """Run one delivery so that cancelling the caller (a graceful stop) lets it finish and be recorded."""
    task = asyncio.ensure_future(coro)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        done, _ = await asyncio.wait({task}, timeout=SHUTDOWN_GRACE)
        if not done:
            task.cancel()  # left in "sending": the next start reports it as "unknown" and does not resend it
        raise


class _Progress:
    """The director's progress message: edited every few seconds, only when its content (text or buttons)
    changed. While sending it carries the stop button; the final edit takes it off."""

    def __init__(self, sender: BroadcastSender, broadcast: Broadcast, counts: Counts, *, resumed: bool):
        self.sender = sender
        self.broadcast_id = broadcast.id
        self.chat_id = broadcast.progress_chat_id
        self.message_id = broadcast.progress_message_id
        self.counts = counts
        self.resumed = resumed
        self.last: tuple[str, bool] | None = None  # (text, with the stop button) as last shown

    def current_text(self) -> str:
        return progress_text(self.broadcast_id, self.counts, resumed=self.resumed)

    def _controls(self) -> InlineKeyboardMarkup | None:
        keyboard = self.sender.stop_keyboard
        return keyboard(self.broadcast_id) if keyboard else None

    async def begin(self, *, stopping: bool = False) -> None:
        """`stopping`: stopped before this run (e.g. just before a restart): no progress, only the report."""
        if self.chat_id is None:
            return
        if self.resumed or self.message_id is None:
            # After a restart we do not know what the old message shows: post a fresh one, never a no-op edit.
            await self._retire(self.message_id)  # its stop button would act on this run; one is enough
            self.message_id = None  # no progress edits at all unless the fresh message is there
            if stopping:
                return
            text = self.current_text()
            controls = self._controls()
            await self.sender.limiter.acquire()
            try:
                sent = await self.sender.bot.send_message(self.chat_id, text, parse_mode=None, reply_markup=controls)
            except TelegramAPIError as exc:
                log.info("Cannot post broadcast progress: %s", exc)
                return
            self.message_id, self.last = sent.message_id, (text, controls is not None)
            async with self.sender.sessions() as session, session.begin():
                await session.execute(update(Broadcast).where(Broadcast.id == self.broadcast_id)
                                      .values(progress_message_id=sent.message_id))
        else:
            self.last = None  # the handler's "starting…" text differs from every progress text

    async def _retire(self, message_id: int | None) -> None:
        if message_id is None or self.sender.stop_keyboard is None:
            return
        await self.sender.limiter.acquire()
        try:
            await self.sender.bot.edit_message_reply_markup(chat_id=self.chat_id, message_id=message_id,
                                                            reply_markup=None)
        except TelegramAPIError as exc:  # gone, or had no button: nothing to take off
            log.info("Cannot take the stop button off the old progress message: %s", exc)

    async def show(self, text: str, *, controls: bool, parse_mode: str | None = None) -> bool:
        """Edit the progress message (with the stop button or without); False if it could not be edited."""
        markup = self._controls() if controls else None
        content = (text, markup is not None)
        if self.chat_id is None or self.message_id is None:
            return False
        if content == self.last:
            return True
        await self.sender.wait_if_paused()
        await self.sender.limiter.acquire()
        try:
            await self.sender.bot.edit_message_text(text=text, chat_id=self.chat_id, message_id=self.message_id,
                                                    parse_mode=parse_mode, reply_markup=markup)
            self.last = content
            return True
        except TelegramRetryAfter as exc:
            self.sender.pause(exc.retry_after)
            return False
        except TelegramAPIError as exc:  # deleted by the director, say: progress is a courtesy
            log.info("Cannot edit broadcast progress message: %s", exc)
            self.message_id = None
            return False

    async def finish(self, counts: Counts, *, stopped: bool = False) -> None:
        if self.chat_id is None:
            return
        # The final state, without the button (a press on a leftover one is answered "already finished").
        final = progress_text(self.broadcast_id, counts, resumed=self.resumed, final=True, stopped=stopped)
        for _ in range(3):  # retried after a 429 only; `show` forgets a message it cannot edit
            if await self.show(final, controls=False) or self.message_id is None:
                break
        for _ in range(3):
            await self.sender.wait_if_paused()
            await self.sender.limiter.acquire()
            try:
                await self.sender.bot.send_message(self.chat_id, report_text(self.broadcast_id, counts,
                                                                             stopped=stopped),
                                                   parse_mode=ParseMode.HTML)
                return
            except TelegramRetryAfter as exc:
                self.sender.pause(exc.retry_after)
            except TelegramAPIError as exc:
                log.warning("Cannot send the broadcast report: %s", exc)
                return


# --- the background job -----------------------------------------------------------------------------

_senders: dict[int, BroadcastSender] = {}


async def broadcast_job(app: App) -> None:
    """Started with polling (App.jobs): sends queued broadcasts, resumes interrupted ones."""
    from happykids.ui.keyboards.admin_ops import stop_menu  # the bot layer imports this module

    sender = BroadcastSender(app.bot, app.sessions, stop_keyboard=stop_menu)
    _senders[id(app)] = sender
    try:
        await sender.run_forever()
    finally:
        if _senders.get(id(app)) is sender:
            del _senders[id(app)]


def wake(app: App) -> None:
    """A broadcast was queued: start it now rather than at the next poll."""
    sender = _senders.get(id(app))
    if sender is not None:
        sender.wakeup.set()


def stop_now(app: App, broadcast_id: int) -> None:
    """A broadcast was stopped (`stop_broadcast` committed): let the sender quit it without delay. Without a
    running sender nothing is lost: the next run finds it "stopping" and only reports."""
    sender = _senders.get(id(app))
    if sender is not None:
        sender.request_stop(broadcast_id)


