"""Webhook mode: Telegram POSTs each update to WEBHOOK_URL, and the bot answers 200 only once it was handled.

Why: several replicas behind a load balancer can all receive updates (long polling allows one poller per
token), and an idle bot makes no requests at all. The promise is the same as polling's (app/polling.py): an
update is confirmed to Telegram only after it was handled, so a kill -9 at any moment means Telegram sends it
again, never that it is lost; a redelivered update whose work was committed is skipped by the unit-of-work
middleware (handlers/middlewares.py). The same dispatcher, middlewares and handlers as polling.

Why not aiogram's `SimpleRequestHandler(handle_in_background=False)`: it reads the body with `request.json()`
and the update with `Update.model_validate`, so a body that is not JSON or an update this aiogram cannot read
raises, the server answers 500, and Telegram sends the same bad request again and again (for a day); an
exception escaping a handler is a 500 too ("TODO: handle exceptions" in `Dispatcher.feed_webhook_update`), while
polling logs it and moves on; and a reply it puts into the HTTP answer is a request whose failure nobody sees.
Here a bad body is logged once at WARNING and answered 200 (Telegram could only repeat it: no retry makes it
readable), each update goes through `parse_update` like a polled one, and the handlers' requests go through
`bot` as in polling. The secret is compared in constant time; a request without it gets 401 and is not read.

Time limit: Telegram waits about a minute for the answer, then counts a failure, sends the update again and
slows down delivery to the whole bot. An update still being handled after ANSWER_WITHIN_SECONDS is therefore
answered 200 while its handler goes on (as aiogram does after 55 s), with a WARNING: a handler that slow is
stuck on something (a lock, the network), and making every other parent wait for it is worse than the small
window in which a kill -9 would lose that one update. Until then nothing is answered early.

Health: there is no getUpdates to note, so the heartbeat (app/heartbeat.py) beats when an update arrives and
when getWebhookInfo, asked every WATCH_EVERY_SECONDS, shows Telegram delivering without errors. The same check
puts the webhook back if something removed it (a copy of the bot started with long polling, say). Stopping
does not remove the webhook: Telegram keeps the updates meanwhile, and other replicas may still be serving.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import time
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import GetWebhookInfo, SetWebhook, TelegramMethod
from aiogram.types import Update

from happykids.app.dispatcher_control import take_over
from happykids.app.first_contact import StartupError, reach_telegram
from happykids.app.raw_updates import excerpt, parse_update
from happykids.app.receiving_lock import receiving_lock
from happykids.db.engine import updates_in_flight
from happykids.domain.wording import count_of, plural

if TYPE_CHECKING:
    from aiohttp import web

    from happykids.app.heartbeat import Heartbeat
    from happykids.app.wiring import App

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - the header's name, not a secret


class WebhookServer:
    ANSWER_WITHIN_SECONDS = 50.0  # under Telegram's wait of about a minute
    SHUTDOWN_GRACE_SECONDS = 5.0  # as polling: updates in flight may finish before the process stops
    WATCH_EVERY_SECONDS = 30.0  # getWebhookInfo; well under HEALTH_MAX_POLL_AGE's default of 120 s
    REJECTED_LOG_EVERY_SECONDS = 60.0  # a scanner knocking without the secret must not flood the log
    ERROR_FRESH_SECONDS = 90.0  # a delivery error Telegram reports this recently, with updates waiting: failing

    def __init__(self, dp: Dispatcher, bot: Bot, *, url: str, secret: str, host: str, port: int,
                 concurrency: int = 10, heartbeat: Heartbeat | None = None):
        self.dp, self.bot, self.url, self.host, self.port = dp, bot, url, host, port
        self.path = urlsplit(url).path or "/"
        self.concurrency = max(1, min(concurrency, 100))  # Telegram's max_connections is 1..100
        self._secret = secret.encode()
        self._heartbeat = heartbeat
        self._slots = asyncio.Semaphore(self.concurrency)
        self._tasks: set[asyncio.Task[None]] = set()  # updates being handled (answered or not)
        self._runner: web.AppRunner | None = None
        self._workflow: dict[str, Any] = {}
        self._ready = asyncio.Event()  # the startup hooks ran: workers are there for the handlers
        self._started_at = datetime.now(UTC).replace(microsecond=0)  # Telegram's dates are in whole seconds
        self._rejected = 0
        self._rejected_logged_at = float("-inf")
        self._reported_error: datetime | None = None  # the delivery error already logged
        self.bound_port: int | None = None  # the port really listened on (tests may ask for port 0)

    @property
    def busy(self) -> bool:
        """Some update is still being handled (the tests' and the demo's settle() may wait for this)."""
        return any(not task.done() for task in self._tasks)

    def set_webhook(self) -> SetWebhook:
        return SetWebhook(url=self.url, secret_token=self._secret.decode(), max_connections=self.concurrency,
                          allowed_updates=self.dp.resolve_used_update_types(), drop_pending_updates=False)

    async def run(self, *, handle_signals: bool = True) -> None:
        dp = self.dp
        async with take_over(dp, self.bot, handle_signals=handle_signals) as workflow:  # as app/polling.py does
            self._workflow = workflow
            started = False
            try:
                # Listen and set the webhook before the startup hooks: a busy port or an address Telegram refuses
                # stops the start before any worker runs. Requests that come meanwhile wait for `_ready`.
                await self._listen()
                if not await self._until_stopped(self._register()):  # setWebhook may wait for the network
                    await dp.emit_startup(bot=self.bot, **self._workflow)
                    started = True
                    self._ready.set()
                    await self._until_stopped(self._watch())
            finally:
                await self._stop_serving()
                log.info("Webhook server stopped")
                if started:
                    await dp.emit_shutdown(bot=self.bot, **self._workflow)

    async def _until_stopped(self, work: Coroutine[Any, Any, None]) -> bool:
        """Run `work` until it ends (its error propagates) or the bot is stopped (then True)."""
        stop_signal = self.dp._stop_signal  # noqa: SLF001
        if stop_signal is None:  # run() sets it
            raise RuntimeError("the webhook server was not started with WebhookServer.run()")
        working = asyncio.create_task(work)
        stopping = asyncio.create_task(stop_signal.wait())
        try:
            await asyncio.wait({working, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
            working.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await stopping
            with contextlib.suppress(asyncio.CancelledError):
                await working  # an error of `work` (a StartupError of setWebhook) propagates
        return stop_signal.is_set()

    async def _listen(self) -> None:
        from aiohttp import web

        web_app = web.Application()
        web_app.router.add_post(self.path, self.on_request)
        self._runner = web.AppRunner(web_app, access_log=None, shutdown_timeout=self.SHUTDOWN_GRACE_SECONDS)
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, self.host, self.port).start()
        except OSError as exc:
            raise StartupError(f"Не удалось открыть WEBHOOK_HOST={self.host} WEBHOOK_PORT={self.port} для "
                               f"вебхука ({exc.strerror or exc}): порт занят другой программой или адрес не этой "
                               "машины, укажите другой.") from None
        self.bound_port = self._runner.addresses[0][1]
        log.info("Вебхук: принимаю обновления на http://%s:%s%s", self.host, self.bound_port, self.path)

    async def _register(self) -> None:
        try:
            await reach_telegram(self.bot, self.set_webhook())
        except TelegramBadRequest as exc:
            raise StartupError(f"Telegram не принял WEBHOOK_URL={self.url} ({exc.message}): проверьте адрес, он "
                               "должен быть доступен из интернета по HTTPS на порту 443, 80, 88 или 8443.") from None
        log.info("Telegram sends updates to the webhook %s", self.url)

    # -- one request: one update --------------------------------------------------------------------------
    async def on_request(self, request: web.Request) -> web.Response:
        from aiohttp import web

        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), self._secret):
            self._log_rejected(request)
            return web.Response(status=401, text="Unauthorized")
        try:
            raw = await request.json()
        except ValueError:  # not JSON (or not UTF-8): repeating it cannot help, so it is answered 200 and logged
            body = (await request.read())[:200]
            log.warning("Запрос вебхука с верным секретом, но не JSON, пропущен (Telegram не будет присылать его "
                        "снова): %r", body)
            return web.Response()
        if not isinstance(raw, dict) or not isinstance(raw.get("update_id"), int):
            log.warning("Обновление без update_id пропущено: %s", excerpt(raw))
            return web.Response()
        update = parse_update(raw, self.bot)  # None: logged once; answered 200 so it is not sent forever
        if update is None:
            return web.Response()
        if self._heartbeat is not None:
            await self._heartbeat.beat(via_webhook=True)  # Telegram reaches us
        await self._ready.wait()
        task = asyncio.create_task(self._handle(update))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        try:
            async with asyncio.timeout(self.ANSWER_WITHIN_SECONDS):
                await asyncio.shield(task)  # the request may be cut off; the handling still finishes
        except TimeoutError:
            log.warning("Обновление %d обрабатывается дольше %.0f с: Telegram получил ответ, чтобы не задерживать "
                        "остальные обновления, обработка продолжается", update.update_id, self.ANSWER_WITHIN_SECONDS)
        return web.Response()

    async def _handle(self, update: Update) -> None:
        async with self._slots:
            try:
                response = await self.dp.feed_update(self.bot, update, **self._workflow)
                if isinstance(response, TelegramMethod):
                    await self.dp.silent_call_request(self.bot, response)
            except Exception:
                log.exception("Обновление %d не обработано из-за ошибки", update.update_id)

    def _log_rejected(self, request: web.Request) -> None:
        self._rejected += 1
        now = time.monotonic()
        if now - self._rejected_logged_at >= self.REJECTED_LOG_EVERY_SECONDS:
            self._rejected_logged_at = now
            log.warning("Запрос на адрес вебхука без верного секрета (%s) отклонён с кодом 401; всего отклонено: %d. "
                        "Если это Telegram, значит WEBHOOK_SECRET сменили, а вебхук ещё со старым: перезапустите "
                        "бота", request.remote, self._rejected)

    # -- the check every WATCH_EVERY_SECONDS ----------------------------------------------------------------
    async def _watch(self) -> None:
        while True:
            try:
                await self._check()
            except Exception as exc:  # noqa: BLE001 - a failed check must not stop the bot; say so, ask again
                log.warning("Не удалось проверить вебхук в Telegram (%s: %s), проверю снова через %.0f с",
                            type(exc).__name__, exc, self.WATCH_EVERY_SECONDS)
            await asyncio.sleep(self.WATCH_EVERY_SECONDS)

    async def _check(self) -> None:
        info = await self.bot(GetWebhookInfo())
        if info.url != self.url:
            log.warning("Telegram сообщает, что вебхук %s, а не WEBHOOK_URL: ставлю его снова (не запущена ли копия "
                        "бота с тем же токеном в режиме long polling?)", info.url or "не установлен")
            await self.bot(self.set_webhook())
        error_at = info.last_error_date
        recently = datetime.now(UTC) - timedelta(seconds=self.ERROR_FRESH_SECONDS)
        failing = bool(error_at and error_at >= max(self._started_at, recently) and info.pending_update_count)
        if failing and error_at != self._reported_error:
            self._reported_error = error_at
            log.warning("Telegram не может доставить обновления на WEBHOOK_URL (%s), ждут доставки: %d; проверьте "
                        "обратный прокси и HTTPS", info.last_error_message, info.pending_update_count)
        if not failing and self._heartbeat is not None:
            await self._heartbeat.beat(via_webhook=True)  # no beat while Telegram cannot reach us: health then says so

    async def _stop_serving(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()  # no new requests; those in flight get SHUTDOWN_GRACE_SECONDS
            self._runner = None
        tasks = {task for task in self._tasks if not task.done()}
        if tasks:
            _, unfinished = await asyncio.wait(tasks, timeout=self.SHUTDOWN_GRACE_SECONDS)
            for task in unfinished:
                task.cancel()
            if unfinished:
                count = len(unfinished)
                log.warning("Остановка прервала %s, Telegram пришлёт %s снова после перезапуска",
                            count_of(count, "обновление", "обновления", "обновлений"), plural(count, "его", "их", "их"))
                await asyncio.gather(*unfinished, return_exceptions=True)


def build_webhook(app: App) -> WebhookServer:
    settings = app.settings
    url, secret = settings.require_webhook()
    return WebhookServer(app.dp, app.bot, url=url, secret=secret, host=settings.webhook_host,
                         port=settings.webhook_port, heartbeat=app.dp.workflow_data.get("heartbeat"),
                         concurrency=updates_in_flight(settings.resolved_database_url, settings.database_pool_size))


async def run_webhook(app: App, *, handle_signals: bool = True) -> None:
    """Serve the webhook until stopped; an update is answered to Telegram only once handled."""
    try:
        server = build_webhook(app)
        app.dp["webhook"] = server  # `app.dp["webhook"].busy` and `.bound_port` (tests)
        async with receiving_lock(app.engine, webhook=True):  # PostgreSQL: no copy polls meanwhile
            # The token first, without touching the webhook: a wrong one is one sentence before anything starts.
            await reach_telegram(app.bot, GetWebhookInfo())
            await server.run(handle_signals=handle_signals)
    finally:
        await app.close()
