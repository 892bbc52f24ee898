"""Wires the bot together: settings -> database -> texts -> Bot + Dispatcher with every feature's router.

`build_app` is used by `happykids run`, by `happykids demo` and by the end-to-end tests alike, so the
tests exercise exactly what runs in production.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from happykids.app.archive_watch import ArchiveWatch
from happykids.app.event_isolation import ForgetfulEventIsolation
from happykids.app.first_contact import reach_telegram
from happykids.app.health_server import install_health
from happykids.app.polling import Poller, forget_old_updates
from happykids.app.preflight import check_services
from happykids.app.receiving_lock import receiving_lock
from happykids.config import Settings
from happykids.db.change_tracking import VersionBoard
from happykids.db.engine import create_engine, create_session_factory, updates_in_flight
from happykids.db.fsm_storage import SqlStorage
from happykids.db.migrate import upgrade_async
from happykids.db.redis_storage import AfterCommitStorage
from happykids.domain import clock
from happykids.handlers.admin.panel import ADMIN_DESTINY
from happykids.handlers.log_context import LogContextMiddleware
from happykids.handlers.middlewares import UnitOfWorkMiddleware
from happykids.handlers.routers import feature_routers
from happykids.services.archive import build_archive
from happykids.services.caches import AdminCache, CatalogCache
from happykids.services.crash_points import crash_point
from happykids.services.startup_checks import operator_warnings
from happykids.texts.service import Texts
from happykids.ui.answered import AnsweredCallbacks
from happykids.ui.commands import CommandMenus
from happykids.ui.response_types import PinResponseTypes
from happykids.workers.hub import Workers

if TYPE_CHECKING:
    from happykids.app.metrics import Metrics  # imported only with METRICS_PORT (a slow import)

log = logging.getLogger(__name__)



@dataclass
class App:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    texts: Texts
    bot: Bot
    dp: Dispatcher
    workers: Workers  # the background jobs, started and stopped with polling

    async def close(self) -> None:
        # Feature routers are module-level singletons; detach them so a new Dispatcher (a restart in the
        # same process, as the tests and the demo do) can include them again.
        for router in list(self.dp.sub_routers):
            router._parent_router = None  # noqa: SLF001 - aiogram has no public detach
        self.dp.sub_routers.clear()
        await self.workers.close()
        await self.dp.storage.close()
        await self.bot.session.close()
        await self.engine.dispose()


def build_bot(settings: Settings, token: str) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.bot_api_url)) if settings.bot_api_url else None
    return Bot(
        token,
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def build_storage(settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> BaseStorage:
    if settings.fsm_storage_url and settings.fsm_storage_url.startswith(("redis://", "rediss://")):
        from aiogram.fsm.storage.redis import RedisStorage

        redis = RedisStorage.from_url(settings.fsm_storage_url, key_builder=DefaultKeyBuilder(with_destiny=True))
        # Written after the database commit, never ahead of it (db/redis_storage.py)
        return AfterCommitStorage(redis, before_write=partial(crash_point, "state_unpublished"))
    # Both destinies in one SELECT per parent. Cached in memory only where this process is the only writer.
    bind = sessions.kw.get("bind")
    alone = not isinstance(bind, AsyncEngine) or bind.dialect.name == "sqlite"
    return SqlStorage(sessions, destinies=("default", ADMIN_DESTINY), cached=alone)


def build_dispatcher(settings: Settings, sessions: async_sessionmaker[AsyncSession], texts: Texts,
                     versions: VersionBoard, metrics: Metrics | None = None) -> Dispatcher:
    # One parent's updates are handled one at a time, so a double tap cannot race (app/event_isolation.py).
    dp = Dispatcher(
        storage=build_storage(settings, sessions), events_isolation=ForgetfulEventIsolation(),
        settings=settings, texts=texts, db=sessions,
        catalog_cache=CatalogCache(versions), admin_cache=AdminCache(versions),
    )
    if metrics is not None:  # inside aiogram's error handling, outside our transaction (app/metrics_middleware.py)
        from happykids.app.metrics_middleware import UpdateMetrics

        dp.update.outer_middleware(UpdateMetrics(metrics))
    dp.update.outer_middleware(LogContextMiddleware())  # update_id and user_id on every log line of the update
    # Outer, so the filters (IsAdmin) already share the update's session and transaction.
    dp.update.outer_middleware(UnitOfWorkMiddleware(sessions))
    dp.include_routers(*feature_routers())
    return dp


async def build_app(settings: Settings, *, token: str | None = None, migrate: bool = True) -> App:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    clock.configure(settings.timezone)
    await check_services(settings)  # a database or Redis that cannot be used: one sentence, not a traceback
    if migrate:
        await upgrade_async(settings.resolved_database_url)
    engine = create_engine(settings.resolved_database_url, settings.database_pool_size)
    versions = VersionBoard()  # one look at the database a second tells every cache whether it is stale
    sessions = create_session_factory(engine, versions)
    texts = Texts(sessions, versions)
    bot = build_bot(settings, token or settings.require_token())
    answered = AnsweredCallbacks()
    bot.session.middleware(answered)
    bot.session.middleware(PinResponseTypes())
    metrics = _metrics(settings)
    dp = build_dispatcher(settings, sessions, texts, versions, metrics)
    dp["answered_callbacks"] = answered
    dp["versions"] = versions  # read in the background while the bot runs (_on_startup)
    dp["command_menus"] = CommandMenus()
    dp["metrics"] = metrics
    archive = build_archive(settings, sessions)  # records every upload and error for the panel and health
    workers = Workers(bot=bot, sessions=sessions, texts=texts, settings=settings, archive=archive)
    dp["workers"] = workers  # handlers take `workers: Workers` to wake a job after their commit
    app = App(settings, engine, sessions, texts, bot, dp, workers)
    install_health(app)  # heartbeat of getUpdates for `happykids health`; GET /healthz when HEALTH_PORT is set
    if metrics is not None:  # GET /metrics (and /healthz) on METRICS_HOST:METRICS_PORT
        from happykids.app.metrics import install_metrics

        install_metrics(app, metrics)
    dp.startup.register(partial(_on_startup, app))
    dp.shutdown.register(partial(_on_shutdown, app))
    # The MEGA login, checked in the background once polling starts (app/archive_watch.py).
    watch = ArchiveWatch(bot=bot, sessions=sessions, texts=texts, settings=settings, archive=archive,
                         wake_outbox=workers.outbox.wake)
    dp.startup.register(watch.start)
    dp.shutdown.register(watch.stop)
    return app


def _metrics(settings: Settings) -> Metrics | None:
    """The app's own registry when METRICS_PORT is set; `app.dp["metrics"]` (register_gauge: app/metrics.py)."""
    if not settings.metrics_port:
        return None
    from happykids.app.metrics import Metrics

    return Metrics()


async def _on_startup(app: App) -> None:
    app.dp["version_watch"] = asyncio.create_task(app.dp["versions"].watch(app.sessions))
    await app.dp["command_menus"].refresh(app.bot, app.texts)
    async with app.sessions() as session:
        for warning in await operator_warnings(session, app.settings):
            log.warning(warning)
    await app.workers.start()


async def _on_shutdown(app: App) -> None:
    await app.workers.stop()
    app.dp["version_watch"].cancel()


async def run_polling(app: App, *, handle_signals: bool = True) -> None:
    """Poll until stopped; an update is confirmed to Telegram only once it is kept in the inbox (app/polling.py)."""
    try:
        async with receiving_lock(app.engine, webhook=False):  # PostgreSQL: no other copy receives updates
            await reach_telegram(app.bot)
            poller = Poller(app.dp, app.bot, app.sessions, timeout=20,
                            concurrency=updates_in_flight(app.settings.resolved_database_url,
                                                          app.settings.database_pool_size),
                            housekeeping=partial(forget_old_updates, app.sessions))
            app.dp["poller"] = poller  # `app.dp["poller"].busy`: updates still in handlers (tests, demo)
            await poller.run(handle_signals=handle_signals)
    finally:
        await app.close()


async def run_bot(app: App, *, webhook: bool, handle_signals: bool = True) -> None:
    """Webhook mode (app/webhook.py) or long polling: the same app, handlers and workers either way."""
    if webhook:
        from happykids.app.webhook import run_webhook

        await run_webhook(app, handle_signals=handle_signals)
    else:
        await run_polling(app, handle_signals=handle_signals)
