"""Long polling that confirms an update to Telegram only after the bot has handled it.

Why hand-written: aiogram's `Dispatcher.start_polling` moves the getUpdates offset past a batch as soon as it
has handed the batch to handler tasks, so the next getUpdates confirms updates whose handlers are still running;
a kill -9 in that window loses them (a parent's receipt photo got neither an answer nor a row). aiogram has no
"confirm after handled" option: its only way is `handle_as_tasks=False`, which handles every update of every
parent one after another (aiogram issue #1397, "Add more control on how updates acknowledged", is an open
feature request). It also validates a whole batch at once, so one update it cannot parse stops polling for
good (aiogram issue #1840; see app/raw_updates.py). This loop keeps what start_polling does for us — startup
and shutdown hooks, SIGTERM/SIGINT, `Dispatcher.stop_polling()`, a cap on updates in flight, one parent's
updates in order through the dispatcher's events isolation, aiogram's back-off and log lines on failed polls
(app/logging_setup.py recognises them) — and changes two things:

* The offset it sends is the oldest update still being handled. Telegram then returns the unfinished updates
  with every answer; they are skipped by id (this process took them already). With nothing new to take and
  handlers still running, the loop waits until one finishes (or RECHECK_SECONDS pass, to take new updates of
  other parents), then asks again; with nothing in flight it long-polls as usual. A kill -9 at any moment
  therefore means redelivery, never loss; a redelivered update whose work was committed is skipped by the
  unit-of-work middleware (handlers/middlewares.py, db/unit_of_work.py).
* Updates are fetched as JSON and validated one by one (app/raw_updates.py): a bad one is logged once and
  skipped, the others are handled.

On stop it waits up to SHUTDOWN_GRACE_SECONDS for updates in flight and then confirms what was handled, so a
restart does not see them again; an update still unfinished then is delivered again after the restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
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

from happykids.app.logging_setup import RETRY_LINE
from happykids.app.raw_updates import GetRawUpdates, parse_update
from happykids.db.base import utcnow
from happykids.db.repositories.handled_updates import prune_handled
from happykids.domain.wording import count_of, plural

log = logging.getLogger(__name__)

Housekeeping = Callable[[], Awaitable[None]]
HANDLED_UPDATES_KEPT = timedelta(days=2)  # Telegram keeps an unconfirmed update for 24 hours


async def forget_old_updates(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Housekeeping: handled update ids older than Telegram could deliver again are not needed."""
    async with sessions() as session, session.begin():
        await prune_handled(session, utcnow() - HANDLED_UPDATES_KEPT)


class Poller:
    RECHECK_SECONDS = 0.25  # while handlers run: how soon another parent's new update is taken at the latest
    SHUTDOWN_GRACE_SECONDS = 5.0
    HOUSEKEEPING_EVERY_SECONDS = 3600.0

    def __init__(self, dp: Dispatcher, bot: Bot, *, timeout: int = 20, concurrency: int = 10,
                 housekeeping: Housekeeping | None = None):
        self.dp, self.bot, self.timeout = dp, bot, timeout
        self._housekeeping = housekeeping
        self._housekept_at = float("-inf")
        self._slots = asyncio.Semaphore(concurrency)
        self._in_flight: set[int] = set()  # update ids taken and not finished
        self._taken_upto: int | None = None  # the highest update id taken (handled, in flight or skipped)
        self._confirmed: int | None = None  # the offset of the last getUpdates Telegram answered
        self._finished = asyncio.Event()  # set whenever a handler finishes

    @property
    def offset(self) -> int | None:
        """Everything below it is handled: the oldest update in flight, else the one after the newest taken."""
        if self._in_flight:
            return min(self._in_flight)
        return None if self._taken_upto is None else self._taken_upto + 1

    @property
    def busy(self) -> bool:
        """Some update is still being handled (the tests' and the demo's settle() wait for this too)."""
        return bool(self._in_flight)

    async def run(self, *, handle_signals: bool = True) -> None:
        dp = self.dp
        # The dispatcher's own lock and events, so `dp.stop_polling()` and signals stop this loop as they
        # stop aiogram's (the demo and the tests call it).
        async with dp._running_lock:  # noqa: SLF001 - aiogram has no public hook for a custom polling loop
            dp._stop_signal = dp._stop_signal or asyncio.Event()  # noqa: SLF001
            dp._stopped_signal = dp._stopped_signal or asyncio.Event()  # noqa: SLF001
            dp._stop_signal.clear()  # noqa: SLF001
            dp._stopped_signal.clear()  # noqa: SLF001
            if handle_signals:
                loop = asyncio.get_running_loop()
                with contextlib.suppress(NotImplementedError):  # no signals on Windows
                    for sig in (signal.SIGTERM, signal.SIGINT):
                        loop.add_signal_handler(sig, dp._signal_stop_polling, sig)  # noqa: SLF001
            workflow = {"dispatcher": dp, "bots": (self.bot,), **dp.workflow_data}
            workflow.pop("bot", None)
            await dp.emit_startup(bot=self.bot, **workflow)
            log.info("Start polling")
            try:
                await self._until_stopped(workflow)
            finally:
                await self._finish_in_flight()
                log.info("Polling stopped")
                try:
                    await dp.emit_shutdown(bot=self.bot, **workflow)
                finally:
                    dp._stopped_signal.set()  # noqa: SLF001

    async def _until_stopped(self, workflow: dict[str, Any]) -> None:
        stop_signal = self.dp._stop_signal  # noqa: SLF001
        if stop_signal is None:  # run() sets it
            raise RuntimeError("polling was not started with Poller.run()")
        polling = asyncio.create_task(self._poll(workflow))
        stopping = asyncio.create_task(stop_signal.wait())
        done, pending = await asyncio.wait({polling, stopping}, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await asyncio.gather(*done)  # a polling failure propagates

    async def _poll(self, workflow: dict[str, Any]) -> None:
        me = await self.bot.me()
        log.info("Run polling for bot @%s id=%d - %r", me.username, self.bot.id, me.full_name)
        allowed_updates = self.dp.resolve_used_update_types()
        backoff = Backoff(config=DEFAULT_BACKOFF_CONFIG)
        failed = False
        stop_signal = self.dp._stop_signal  # noqa: SLF001 - set by run(); checked too in case a cancel is lost
        while stop_signal is None or not stop_signal.is_set():
            await self._keep_house()
            self._finished.clear()
            waiting = bool(self._in_flight)  # then Telegram answers at once anyway, with those updates
            offset = self.offset
            request = GetRawUpdates(offset=offset, timeout=0 if waiting else self.timeout,
                                    allowed_updates=allowed_updates)
            try:
                answer = await self.bot(request, request_timeout=int(self.bot.session.timeout + self.timeout))
                batch = cast(list[dict[str, Any]], answer)  # GetRawUpdates: JSON objects, not Update models
            except Exception as exc:  # noqa: BLE001 - any failure: wait and ask again, as aiogram does
                failed = True
                # The 409 filter in app/logging_setup.py knows these two lines (the error's name, RETRY_LINE).
                log.error("Не удалось получить обновления от Telegram (%s: %s)", type(exc).__name__, exc)
                log.warning(RETRY_LINE + " через %.1f с (попытка %d); если они не кончаются, проверьте сеть и "
                            "BOT_API_URL", backoff.next_delay, backoff.counter)
                await backoff.asleep()
                continue
            if failed:
                log.info("Connection established (tryings = %d, bot id = %d)", backoff.counter, self.bot.id)
                backoff.reset()
                failed = False
            self._confirmed = offset
            if not await self._take(batch, workflow) and self._in_flight:
                # Nothing new: ask again once a handler finished (the offset can move) or a little later.
                # asyncio.timeout, not wait_for: Python 3.11's wait_for can swallow a cancellation that
                # arrives as the wait ends, and then stop_polling() waited for a loop that went on polling.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.RECHECK_SECONDS):
                        await self._finished.wait()

    async def _take(self, batch: list[dict[str, Any]], workflow: dict[str, Any]) -> bool:
        """Start handling the updates not taken yet; True if there were any."""
        fresh = False
        for raw in batch:
            update_id = raw.get("update_id")
            if not isinstance(update_id, int):
                log.warning("Обновление без update_id пропущено: %s", raw)
                continue
            if self._taken_upto is not None and update_id <= self._taken_upto:
                continue  # in flight or handled: Telegram returns it until the offset passes it
            fresh = True
            update = parse_update(raw, self.bot)
            if update is None:
                self._taken_upto = update_id  # logged once; the offset moves past it
                continue
            await self._slots.acquire()
            # Taken only now, with no await in between: stopped while waiting for a slot, it stays unconfirmed.
            self._taken_upto = update_id
            self._in_flight.add(update_id)
            task = asyncio.create_task(self._handle(update, workflow))
            # aiogram's own set of update tasks keeps each task referenced; _finish_in_flight waits on it.
            self.dp._handle_update_tasks.add(task)  # noqa: SLF001
            task.add_done_callback(self.dp._handle_update_tasks.discard)  # noqa: SLF001
        return fresh

    async def _handle(self, update: Update, workflow: dict[str, Any]) -> None:
        finished = False
        try:
            response = await self.dp.feed_update(self.bot, update, **workflow)
            if isinstance(response, TelegramMethod):
                await self.dp.silent_call_request(self.bot, response)
            finished = True
        except asyncio.CancelledError:
            raise  # stopped before it finished: not confirmed, Telegram delivers it again after a restart
        except Exception:
            # The error handlers (handlers/errors.py) answer the parent; what still escapes is logged.
            log.exception("Обновление %d не обработано из-за ошибки", update.update_id)
            finished = True
        finally:
            self._slots.release()
            if finished:
                self._in_flight.discard(update.update_id)
                self._finished.set()

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
                count = len(unfinished)
                log.warning("Остановка прервала %s, Telegram пришлёт %s снова после перезапуска",
                            count_of(count, "обновление", "обновления", "обновлений"), plural(count, "его", "их", "их"))
                await asyncio.gather(*unfinished, return_exceptions=True)
        offset = self.offset
        if offset is None or offset == self._confirmed:
            return
        # Confirm what was handled since the last poll (limit=1, no wait: what it returns stays unconfirmed).
        with contextlib.suppress(Exception):
            await self.bot(GetRawUpdates(offset=offset, limit=1, timeout=0))
