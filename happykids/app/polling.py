"""Long polling that never loses an update: each fetched batch is stored before Telegram is told it arrived.

Why hand-written: aiogram's `Dispatcher.start_polling` moves the getUpdates offset past a batch as soon as it
has handed the batch to handler tasks; a kill -9 before those handlers commit loses the updates (a parent's
receipt photo got neither an answer nor a row). aiogram has no hook for "confirm when safe" (aiogram issue
#1397, an open feature request), and it validates a whole batch at once, so one update it cannot parse stops
polling for good (aiogram issue #1840; see app/raw_updates.py). This loop keeps what start_polling does for
us — startup and shutdown hooks, SIGTERM/SIGINT, `Dispatcher.stop_polling()`, a cap on updates in flight, one
parent's updates in order through the dispatcher's events isolation, aiogram's back-off and log lines on failed
polls (app/logging_setup.py recognises them) — and changes two things:

* **The inbox.** A fetched batch is written to `update_inbox` in one transaction (db/repositories/inbox.py);
  only then does the next getUpdates confirm it; one commit per batch, not per update. Handled updates are
  deleted as they finish (several in one statement under load). At start-up the updates kept but
  never finished (a kill -9 interrupted them) are handled first, in order; an update whose work was committed
  has a HandledUpdate row and is not handled twice: only the parent's screen is shown again, in case the kill
  came between the commit and the screen (handlers/middlewares.py). So a kill -9 at any moment
  loses nothing, and — unlike confirming only after handling, which this loop did before issue #8 — Telegram
  never sends back the updates still in flight: every getUpdates brings only new ones, and one slow handler
  does not hold back the window.
* Updates are fetched as JSON and validated one by one (app/raw_updates.py): a bad one is logged once and
  skipped, the others are handled.

On stop it waits up to SHUTDOWN_GRACE_SECONDS for updates in flight and confirms the last batch; an update
still unfinished then stays in the inbox and is handled after the restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, cast

from aiogram import Bot, Dispatcher
from aiogram.dispatcher.dispatcher import DEFAULT_BACKOFF_CONFIG
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiogram.utils.backoff import Backoff
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from happykids.app.dispatcher_control import take_over
from happykids.app.logging_setup import RETRY_LINE
from happykids.app.raw_updates import GetRawUpdates, parse_update
from happykids.db.base import utcnow
from happykids.db.repositories import inbox
from happykids.db.repositories.handled_updates import prune_handled
from happykids.domain.wording import count_of
from happykids.services.crash_points import crash_point

log = logging.getLogger(__name__)

Housekeeping = Callable[[], Awaitable[None]]
HANDLED_UPDATES_KEPT = timedelta(days=2)  # Telegram keeps an unconfirmed update for 24 hours


async def forget_old_updates(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Housekeeping: handled update ids older than Telegram could deliver again, and inbox leftovers."""
    async with sessions() as session, session.begin():
        await prune_handled(session, utcnow() - HANDLED_UPDATES_KEPT)
        await inbox.prune(session, utcnow() - HANDLED_UPDATES_KEPT)


class Poller:
    SHUTDOWN_GRACE_SECONDS = 5.0
    HOUSEKEEPING_EVERY_SECONDS = 3600.0

    def __init__(self, dp: Dispatcher, bot: Bot, sessions: async_sessionmaker[AsyncSession], *, timeout: int = 20,
                 concurrency: int = 10, housekeeping: Housekeeping | None = None):
        self.dp, self.bot, self.sessions, self.timeout = dp, bot, sessions, timeout
        self._housekeeping = housekeeping
        self._housekept_at = float("-inf")
        self._slots = asyncio.Semaphore(concurrency)
        self._in_flight: set[int] = set()  # update ids being handled
        self._done: list[int] = []  # handled, still in the inbox: _drop_done() removes them
        self._done_event = asyncio.Event()
        self._taken_upto: int | None = None  # the highest update id taken (kept, handled, or skipped as bad)
        self._confirmed: int | None = None  # the offset of the last getUpdates Telegram answered
        self._taking = False  # a batch arrived and is being stored and started

    @property
    def offset(self) -> int | None:
        """The next getUpdates confirms every update below it: they are all in the inbox or done."""
        return None if self._taken_upto is None else self._taken_upto + 1

    @property
    def busy(self) -> bool:
        """Some update is still being handled (the tests' and the demo's settle() wait for this too)."""
        return self._taking or bool(self._in_flight)

    async def run(self, *, handle_signals: bool = True) -> None:
        dp = self.dp
        async with take_over(dp, self.bot, handle_signals=handle_signals) as workflow:
            await dp.emit_startup(bot=self.bot, **workflow)
            log.info("Start polling")
            try:
                await self._until_stopped(workflow)
            finally:
                await self._finish_in_flight()
                log.info("Polling stopped")
                await dp.emit_shutdown(bot=self.bot, **workflow)

    async def _until_stopped(self, workflow: dict[str, Any]) -> None:
        stop_signal = self.dp._stop_signal  # noqa: SLF001
        if stop_signal is None:  # run() sets it
            raise RuntimeError("polling was not started with Poller.run()")
        polling = asyncio.create_task(self._replay_then_poll(workflow))
        stopping = asyncio.create_task(stop_signal.wait())
        done, pending = await asyncio.wait({polling, stopping}, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await asyncio.gather(*done)  # a polling failure propagates

    async def _replay_then_poll(self, workflow: dict[str, Any]) -> None:
        dropping = asyncio.create_task(self._drop_done(), name="inbox-drop-done")
        try:
            await self._replay(workflow)
            await self._poll(workflow)
        finally:
            dropping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await dropping

    async def _replay(self, workflow: dict[str, Any]) -> None:
        """Updates kept in the inbox but never finished (a kill -9 stopped the bot) go first, oldest first."""
        async with self.sessions() as session:
            kept = await inbox.unfinished(session)
        if kept:
            log.info("Handling %d update(s) kept in the inbox before the restart", len(kept))
        for update_id, payload in kept:
            self._taken_upto = max(update_id, self._taken_upto or update_id)
            update = parse_update(json.loads(payload), self.bot)
            if update is None:
                self._done.append(update_id)
                self._done_event.set()
                continue
            await self._start(update, workflow)

    async def _poll(self, workflow: dict[str, Any]) -> None:
        me = await self.bot.me()
        log.info("Run polling for bot @%s id=%d - %r", me.username, self.bot.id, me.full_name)
        allowed_updates = self.dp.resolve_used_update_types()
        backoff = Backoff(config=DEFAULT_BACKOFF_CONFIG)
        failed = False
        stop_signal = self.dp._stop_signal  # noqa: SLF001 - set by run(); checked too in case a cancel is lost
        while stop_signal is None or not stop_signal.is_set():
            await self._keep_house()
            offset = self.offset
            request = GetRawUpdates(offset=offset, timeout=self.timeout, allowed_updates=allowed_updates)
            try:
                answer = await self.bot(request, request_timeout=int(self.bot.session.timeout + self.timeout))
                batch = cast(list[dict[str, Any]], answer)  # GetRawUpdates: JSON objects, not Update models
                self._confirmed = offset
                self._taking = bool(batch)
                fresh = self._fresh(batch)
                await self._keep(fresh)
                if fresh:
                    crash_point("inbox_kept")  # tests: kept, not confirmed, not handled
            except Exception as exc:  # noqa: BLE001 - any failure: wait and ask again, as aiogram does
                self._taking = False
                failed = True
                # The 409 filter in app/logging_setup.py knows these two lines (the error's name, RETRY_LINE).
                log.error("Не удалось получить обновления от Telegram (%s: %s)", type(exc).__name__, exc)
                log.warning(RETRY_LINE + " через %.1f с (попытка %d); если они не кончаются, проверьте сеть, "
                            "BOT_API_URL и базу данных", backoff.next_delay, backoff.counter)
                await backoff.asleep()
                continue
            if failed:
                log.info("Connection established (tryings = %d, bot id = %d)", backoff.counter, self.bot.id)
                backoff.reset()
                failed = False
            try:
                for update_id, _, update in fresh:
                    self._taken_upto = update_id  # the next getUpdates confirms it: it is in the inbox
                    if update is not None:
                        await self._start(update, workflow)
            finally:
                self._taking = False

    def _fresh(self, batch: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any], Update | None]]:
        """The updates not taken yet, each validated on its own (None: logged once and skipped)."""
        fresh = []
        for raw in batch:
            update_id = raw.get("update_id")
            if not isinstance(update_id, int):
                log.warning("Обновление без update_id пропущено: %s", raw)
                continue
            if self._taken_upto is not None and update_id <= self._taken_upto:
                continue  # replayed from the inbox at start-up, and Telegram sent it again
            fresh.append((update_id, raw, parse_update(raw, self.bot)))
        return fresh

    async def _keep(self, fresh: list[tuple[int, dict[str, Any], Update | None]]) -> None:
        """One transaction for the whole batch: into the inbox before Telegram is told it arrived."""
        kept = [(update_id, json.dumps(raw, ensure_ascii=False, separators=(",", ":")))
                for update_id, raw, update in fresh if update is not None]
        if kept:
            async with self.sessions() as session, session.begin():
                await inbox.keep(session, kept)

    async def _drop_done(self) -> None:
        """Handled updates leave the inbox as soon as they finish, several at once under load. At once, not with
        the next batch: an update that wrote nothing (a stale press, a pre-checkout query) has no HandledUpdate
        row, and after a kill -9 it would be handled again, answering a query Telegram considers answered."""
        while True:
            await self._done_event.wait()
            self._done_event.clear()
            done, self._done = self._done, []
            if not done:
                continue
            try:
                async with self.sessions() as session, session.begin():
                    await inbox.drop(session, done)
            except Exception as exc:  # noqa: BLE001 - a busy database: try again soon, nothing is lost meanwhile
                self._done.extend(done)
                log.warning("Не удалось отметить обработанные обновления (%s), повторю через секунду", exc)
                await asyncio.sleep(1.0)
                self._done_event.set()

    async def _start(self, update: Update, workflow: dict[str, Any]) -> None:
        # The slot is awaited before the task exists, so tasks start in arrival order and one parent's
        # updates reach the events isolation lock in that order.
        await self._slots.acquire()
        self._in_flight.add(update.update_id)
        task = asyncio.create_task(self._handle(update, workflow))
        # aiogram's own set of update tasks keeps each task referenced; _finish_in_flight waits on it.
        self.dp._handle_update_tasks.add(task)  # noqa: SLF001
        task.add_done_callback(self.dp._handle_update_tasks.discard)  # noqa: SLF001

    async def _handle(self, update: Update, workflow: dict[str, Any]) -> None:
        finished = False
        try:
            response = await self.dp.feed_update(self.bot, update, **workflow)
            if isinstance(response, TelegramMethod):
                await self.dp.silent_call_request(self.bot, response)
            finished = True
        except asyncio.CancelledError:
            raise  # stopped before it finished: it stays in the inbox and is handled after the restart
        except Exception:
            # The error handlers (handlers/errors.py) answer the parent; what still escapes is logged.
            log.exception("Обновление %d не обработано из-за ошибки", update.update_id)
            finished = True
        finally:
            self._slots.release()
            self._in_flight.discard(update.update_id)
            if finished:
                self._done.append(update.update_id)
                self._done_event.set()

    async def _keep_house(self) -> None:
        now = time.monotonic()
        if self._housekeeping is None or now - self._housekept_at < self.HOUSEKEEPING_EVERY_SECONDS:
            return
        self._housekept_at = now
        try:
            await self._housekeeping()
        except Exception as exc:  # noqa: BLE001 - housekeeping may fail; polling must not
            log.warning("Обслуживание между опросами Telegram не удалось (%s), повторю позже", exc)

    async def _finish_in_flight(self) -> None:
        tasks = {task for task in self.dp._handle_update_tasks if not task.done()}  # noqa: SLF001
        if tasks:
            _, unfinished = await asyncio.wait(tasks, timeout=self.SHUTDOWN_GRACE_SECONDS)
            for task in unfinished:
                task.cancel()
            if unfinished:
                log.warning("Остановка прервала %s, бот обработает их после перезапуска",
                            count_of(len(unfinished), "обновление", "обновления", "обновлений"))
                await asyncio.gather(*unfinished, return_exceptions=True)
        done, self._done = self._done, []
        with contextlib.suppress(Exception):  # best effort: a leftover row is only looked at after a restart
            async with self.sessions() as session, session.begin():
                await inbox.drop(session, done)
        offset = self.offset
        if offset is None or offset == self._confirmed:
            return
        # Confirm the last batch (it is in the inbox). limit=1, no wait: what it returns stays unconfirmed.
        with contextlib.suppress(Exception):
            await self.bot(GetRawUpdates(offset=offset, limit=1, timeout=0))
