"""`GET /healthz` on 127.0.0.1:HEALTH_PORT from the running bot: the same judgement as `happykids health`, as
JSON, 200 when healthy and 503 when not (for Docker, Kubernetes-style probes, uptime monitors on the host).

aiohttp's web server is already installed with aiogram; it listens on loopback only, so nothing about the bot
is exposed to the internet. `install_health(app)` is the one line in app/wiring.py: it adds the heartbeat
request middleware (app/heartbeat.py) and starts/stops the server with the dispatcher.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from happykids.app.heartbeat import Heartbeat
from happykids.services.health import check_health

if TYPE_CHECKING:
    from aiohttp import web

    from happykids.app.wiring import App

log = logging.getLogger(__name__)


class HealthServer:
    def __init__(self, app: App, port: int):
        self.app, self.port = app, port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        from aiohttp import web  # only when HEALTH_PORT is set: aiohttp's server side is a slow import

        web_app = web.Application()
        web_app.router.add_get("/healthz", self.healthz)
        self._runner = web.AppRunner(web_app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        log.info("Проверка здоровья отвечает на http://127.0.0.1:%s/healthz", self.port)

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
    if app.settings.health_port:
        server = HealthServer(app, app.settings.health_port)
        app.dp.startup.register(server.start)
        app.dp.shutdown.register(server.stop)
