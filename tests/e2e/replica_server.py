"""One replica of the bot for the multi-replica tests, as a real process: the real app (build_app: handlers,
unit of work, background jobs) fed updates over HTTP the way Telegram's webhook feeds a replica behind a load
balancer, answering only once the update is handled.

It stands in for `happykids run --webhook` (issue #14, part 1) so these tests need no webhook mode; the
webhook end-to-end tests drive the real command. Run as `python -m tests.e2e.replica_server PORT` with the bot's
settings in the environment; REPLICA_LEASE_SECONDS shortens the job leases (workers/leases.py) so a test sees a
killed replica's work taken over in seconds.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from aiohttp import web

from happykids.app.logging_setup import setup_logging_from
from happykids.app.wiring import build_app
from happykids.config import Settings
from happykids.workers import leases


async def serve(port: int) -> None:
    if os.environ.get("REPLICA_LEASE_SECONDS"):
        leases.LEASE_SECONDS = float(os.environ["REPLICA_LEASE_SECONDS"])
    settings = Settings()
    setup_logging_from(settings)
    app = await build_app(settings, migrate=False)  # the test migrated the shared database once
    workflow = dict(app.dp.workflow_data)
    await app.dp.emit_startup(bot=app.bot, **workflow)  # the background jobs start, as with polling

    async def update(request: web.Request) -> web.Response:
        await app.dp.feed_raw_update(app.bot, await request.json())
        return web.Response(text="ok")

    server = web.Application()
    server.router.add_post("/update", update)
    runner = web.AppRunner(server)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    print(f"replica {os.getpid()} ready on {port}", file=sys.stderr, flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await runner.cleanup()
    await app.dp.emit_shutdown(bot=app.bot, **workflow)
    await app.close()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1])))
