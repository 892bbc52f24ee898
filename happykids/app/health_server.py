"""`GET /healthz` on 127.0.0.1:HEALTH_PORT from the running bot: the same judgement as `happykids health`, as
JSON, 200 when healthy and 503 when not (for Docker, Kubernetes-style probes, uptime monitors on the host).

aiohttp's web server is already installed with aiogram; it listens on loopback only, so nothing about the bot
is exposed to the internet. `install_health(app)` is the one line in app/wiring.py: it adds the heartbeat
request middleware (app/heartbeat.py) and starts/stops the server with the dispatcher.

With METRICS_PORT set, the metrics server (app/metrics.py) is this same server on METRICS_HOST:METRICS_PORT with
/metrics added, and it answers /healthz too. A HEALTH_PORT equal to METRICS_PORT is then that one server (two
could not listen on one port); a different HEALTH_PORT keeps its own loopback server as before.
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING

from happykids.app.first_contact import StartupError
from happykids.app.heartbeat import Heartbeat
from happykids.domain.os_errors import os_reason
from happykids.services.health import check_health

if TYPE_CHECKING:
    from aiohttp import web

    from happykids.app.wiring import App

log = logging.getLogger(__name__)


Route = Callable[["web.Request"], Awaitable["web.Response"]]


class HealthServer:
    def __init__(self, app: App, port: int, host: str = "127.0.0.1", routes: Mapping[str, Route] | None = None,
                 setting: str = "HEALTH_PORT"):
        self.app, self.port, self.host, self.setting = app, port, host, setting
        self.routes = dict(routes or {})  # more GET endpoints on the same server (/metrics)
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        from aiohttp import web  # only when HEALTH_PORT is set: aiohttp's server side is a slow import

        web_app = web.Application()
        web_app.router.add_get("/healthz", self.healthz)
        for path, route in self.routes.items():
            web_app.router.add_get(path, route)
        self._runner = web.AppRunner(web_app, access_log=None)
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, self.host, self.port).start()
        except OSError as exc:  # the port is taken (another program, a second bot) or the address is not ours
            await self.stop()
            reason = "порт уже занят" if exc.errno == errno.EADDRINUSE else os_reason(exc)
            raise StartupError(f"Не удаётся открыть {self.host}:{self.port} из {self.setting} ({reason}): "
                               f"укажите в {self.setting} свободный порт или остановите то, что его занимает."
                               ) from None
        log.info("Бот отвечает на http://%s:%s: %s", self.host, self.port, ", ".join(["/healthz", *self.routes]))

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def healthz(self, _request: web.Request) -> web.Response:
        from aiohttp import web

        report = await check_health(self.app.settings, self.app.sessions)
        return web.json_response(report.as_json(), status=200 if report.healthy else 503)


def install_health(app: App) -> None:
    """The heartbeat on every start; the HTTP endpoint when HEALTH_PORT is set."""
    heartbeat = Heartbeat(app.settings.data_dir)
    app.bot.session.middleware(heartbeat)
    app.dp["heartbeat"] = heartbeat
    if app.settings.health_port and app.settings.health_port != app.settings.metrics_port:
        server = HealthServer(app, app.settings.health_port)
        app.dp.startup.register(server.start)
        app.dp.shutdown.register(server.stop)
