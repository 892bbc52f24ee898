"""Our own update loops (app/polling.py, app/webhook.py) run a Dispatcher the way aiogram's start_polling does.

Hand-written because aiogram has no public hook for a custom update loop: this takes the dispatcher's own lock
and stop events, so `dp.stop_polling()` (the tests and the demo call it) and SIGTERM/SIGINT stop either loop as
they stop aiogram's, and builds the workflow data aiogram passes to every update and to the startup hooks.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator
from typing import Any

from aiogram import Bot, Dispatcher


@contextlib.asynccontextmanager
async def take_over(dp: Dispatcher, bot: Bot, *, handle_signals: bool) -> AsyncIterator[dict[str, Any]]:
    """Hold the dispatcher as running for the block; yields the workflow data; "stopped" is signalled at exit."""
    async with dp._running_lock:  # noqa: SLF001 - see the module's docstring
        dp._stop_signal = dp._stop_signal or asyncio.Event()  # noqa: SLF001
        dp._stopped_signal = dp._stopped_signal or asyncio.Event()  # noqa: SLF001
        dp._stop_signal.clear()  # noqa: SLF001
        dp._stopped_signal.clear()  # noqa: SLF001
        if handle_signals:
            loop = asyncio.get_running_loop()
            with contextlib.suppress(NotImplementedError):  # no signals on Windows
                for sig in (signal.SIGTERM, signal.SIGINT):
                    loop.add_signal_handler(sig, dp._signal_stop_polling, sig)  # noqa: SLF001
        workflow = {"dispatcher": dp, "bots": (bot,), **dp.workflow_data}
        workflow.pop("bot", None)
        try:
            yield workflow
        finally:
            dp._stopped_signal.set()  # noqa: SLF001
