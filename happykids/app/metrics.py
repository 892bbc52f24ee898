"""Prometheus metrics of one running bot: `GET /metrics` (and `/healthz`) on METRICS_HOST:METRICS_PORT.

What an operator watches once the bot runs as several replicas (docs/operations.md, "Metrics"): how many
updates of each kind are handled and how long they take, how many end in an error, how the bot talks to the
Bot API (requests by method, 429s), and the work waiting in the database (outbox backlog, tasks due, the
latest broadcast's progress).

Counters and histograms are updated as things happen (app/metrics_middleware.py). Gauges that live in the
database are read when Prometheus scrapes, a handful of indexed COUNT queries, so nothing runs between scrapes;
`Metrics.register_gauge(name, help, read, labels)` is the hook for any other job (a reminder scheduler) to
publish its own: `read` is an async function returning a number, or {label values: number}.

Each app has its own CollectorRegistry: the tests run several bots in one process, and the global registry
would mix their counts. Imported only when METRICS_PORT is set (prometheus_client costs ~70 ms at start-up).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    disable_created_metrics,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.gc_collector import GCCollector
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from happykids.app.health_server import HealthServer
from happykids.app.metrics_middleware import BotApiMetrics
from happykids.db.repositories import metrics as queries

if TYPE_CHECKING:
    from aiohttp import web

    from happykids.app.wiring import App

log = logging.getLogger(__name__)
disable_created_metrics()  # no `*_created` twin of every series: Prometheus does not need them, people misread them

GaugeValue = float | Mapping[tuple[str, ...], float]
GaugeRead = Callable[[], Awaitable[GaugeValue]]

READ_TIMEOUT_SECONDS = 5.0  # a scrape answers even if the database is slow; the gauge is then left out
# Handler latency: most updates take milliseconds; a slow database or Bot API shows in the upper buckets.
UPDATE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
API_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


@dataclass(frozen=True, slots=True)
class _GaugeDef:
    name: str
    help: str
    labels: tuple[str, ...]
    read: GaugeRead


class Metrics:
    """The registry of one app and every instrument in it."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        ProcessCollector(registry=self.registry)  # memory, CPU, open files of this process
        GCCollector(registry=self.registry)
        r = self.registry
        self.updates = Counter("happykids_updates", "Обновления Telegram по виду и исходу (handled, unhandled, "
                               "error)", ["kind", "outcome"], registry=r)
        self.update_seconds = Histogram("happykids_update_duration_seconds", "Время обработки обновления, "
                                        "вместе с транзакцией базы", ["kind"], buckets=UPDATE_BUCKETS, registry=r)
        self.update_errors = Counter("happykids_update_errors", "Обновления, обработка которых упала с "
                                     "исключением (по виду и классу исключения)", ["kind", "error"], registry=r)
        self.updates_in_progress = Gauge("happykids_updates_in_progress", "Обновления, которые обрабатываются "
                                         "сейчас", registry=r)
        self.api_requests = Counter("happykids_bot_api_requests", "Запросы к Bot API по методу и результату",
                                    ["method", "result"], registry=r)
        self.api_seconds = Histogram("happykids_bot_api_request_duration_seconds", "Время запроса к Bot API "
                                     "(getUpdates — долгий опрос)", ["method"], buckets=API_BUCKETS, registry=r)
        self.api_rate_limited = Counter("happykids_bot_api_rate_limited", "Ответы 429 Too Many Requests по методу",
                                        ["method"], registry=r)
        self.gauge_read_errors = Counter("happykids_metrics_read_errors", "Показатели, которые не удалось прочитать "
                                         "при опросе (база не ответила вовремя)", ["gauge"], registry=r)
        self._gauges: dict[str, _GaugeDef] = {}
        self._values: dict[str, dict[tuple[str, ...], float]] = {}
        self._refreshing = asyncio.Lock()
        self.registry.register(_ReadGauges(self))

    def register_gauge(self, name: str, help: str, read: GaugeRead,
                       labels: Iterable[str] = ()) -> None:
        """Publish `name`, read by awaiting `read()` on every scrape (a number, or {label values: number})."""
        if name in self._gauges:
            raise ValueError(f"gauge {name} is registered twice")
        self._gauges[name] = _GaugeDef(name, help, tuple(labels), read)

    async def refresh(self) -> None:
        """Read every registered gauge, one round at a time (two scrapes at once do not double the queries' load
        on the database at the same moment)."""
        async with self._refreshing:
            gauges = list(self._gauges.values())
            results = await asyncio.gather(*(self._read(g) for g in gauges))
            self._values = {g.name: value for g, value in zip(gauges, results, strict=True) if value is not None}

    async def _read(self, gauge: _GaugeDef) -> dict[tuple[str, ...], float] | None:
        try:
            value = await asyncio.wait_for(gauge.read(), READ_TIMEOUT_SECONDS)
        except Exception:  # a scrape must answer: the gauge is left out and the failure counted
            log.debug("Metrics gauge %s could not be read", gauge.name, exc_info=True)
            self.gauge_read_errors.labels(gauge.name).inc()
            return None
        if isinstance(value, Mapping):
            return {tuple(str(v) for v in key): float(number) for key, number in value.items()}
        return {(): float(value)}

    def gauges(self) -> list[tuple[_GaugeDef, dict[tuple[str, ...], float]]]:
        """Each registered gauge with the values read last (none if its read failed)."""
        return [(gauge, self._values.get(gauge.name, {})) for gauge in self._gauges.values()]

    async def exposition(self) -> bytes:
        await self.refresh()
        return generate_latest(self.registry)


class _ReadGauges:
    """A collector that hands Prometheus the values `Metrics.refresh` read last."""

    def __init__(self, metrics: Metrics):
        self.metrics = metrics

    def describe(self) -> list[Metric]:
        return []  # names are known only as gauges are registered; no clash check needed for our own names

    def collect(self) -> Iterable[Metric]:
        for gauge, values in self.metrics.gauges():
            family = GaugeMetricFamily(gauge.name, gauge.help, labels=gauge.labels)
            for key, value in values.items():
                family.add_metric(list(key), value)
            yield family


# -- the gauges read from the database ----------------------------------------------------------------------

async def _with_session(sessions: async_sessionmaker[AsyncSession],
                        query: Callable[[AsyncSession], Awaitable[GaugeValue]]) -> GaugeValue:
    async with sessions() as session:
        return await query(session)


def register_database_gauges(metrics: Metrics, sessions: async_sessionmaker[AsyncSession]) -> None:
    def read(query: Callable[[AsyncSession], Awaitable[GaugeValue]]) -> GaugeRead:
        return partial(_with_session, sessions, query)

    metrics.register_gauge("happykids_outbox_tasks", "Задачи фоновой очереди (outbox), ждущие выполнения или "
                           "брошенные, по виду и состоянию", read(queries.outbox_backlog), ["kind", "status"])
    metrics.register_gauge("happykids_tasks_due", "Задачи очереди, срок которых уже наступил (пока они не "
                           "выполнены), по виду", read(queries.tasks_due), ["kind"])
    metrics.register_gauge("happykids_broadcast_deliveries", "Доставки последней рассылки по состоянию "
                           "(pending, sending, sent, blocked, failed, unknown)", read(queries.latest_broadcast),
                           ["status"])
    metrics.register_gauge("happykids_broadcasts_sending", "Рассылки в очереди или в процессе отправки",
                           read(queries.broadcasts_sending))


# -- wiring ----------------------------------------------------------------------------------------------

def install_metrics(app: App, metrics: Metrics) -> None:
    """Bot API counting on the bot's session, the database gauges, and the server with /metrics and /healthz.

    The update middleware is added by build_dispatcher (it must sit inside aiogram's error handling)."""
    app.bot.session.middleware(BotApiMetrics(metrics))  # last: sees each request and its error as raised
    register_database_gauges(metrics, app.sessions)
    port = app.settings.metrics_port
    assert port is not None  # noqa: S101 - called only when METRICS_PORT is set

    async def serve_metrics(_request: web.Request) -> web.Response:
        from aiohttp import web

        body = await metrics.exposition()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    server = HealthServer(app, port, host=app.settings.metrics_host, routes={"/metrics": serve_metrics},
                          setting="METRICS_PORT")
    app.dp.startup.register(server.start)
    app.dp.shutdown.register(server.stop)
