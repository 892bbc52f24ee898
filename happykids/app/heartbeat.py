"""Notes each successful getUpdates in DATA_DIR/heartbeat.json, so `happykids health` (another process) can tell
whether the running bot still hears from Telegram.

A request middleware on the bot's session (like ui/answered.py) sees every getUpdates, whoever runs the polling
loop. A file, not a database row: it is written every few seconds, and on SQLite a row would take the one write
lock that parents' updates wait for; a file also keeps "Telegram answers" apart from "the database answers",
which health reports separately. The file is replaced atomically (write + rename) at most every
HEARTBEAT_EVERY_SECONDS, off the event loop.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.methods.base import Response, TelegramType

from happykids.domain.health import HEARTBEAT_EVERY_SECONDS, HEARTBEAT_FILE


class Heartbeat(BaseRequestMiddleware):
    def __init__(self, data_dir: Path, every: float = HEARTBEAT_EVERY_SECONDS):
        self.path = data_dir / HEARTBEAT_FILE
        self.every = every
        self.last_success: datetime | None = None
        self.via_webhook = False  # how Telegram is heard from, for health's wording (domain/health.py)
        self._written_at = float("-inf")

    async def __call__(self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot,
                       method: TelegramMethod[TelegramType]) -> Response[TelegramType]:
        response = await make_request(bot, method)  # an error propagates: only a success is a heartbeat
        if isinstance(method, GetUpdates):
            await self.beat()
        return response

    async def beat(self, *, via_webhook: bool = False) -> None:
        """Telegram is heard from. Webhook mode has no getUpdates: app/webhook.py calls this when an update
        arrives and when getWebhookInfo shows Telegram delivering without errors."""
        self.via_webhook = self.via_webhook or via_webhook
        self.last_success = datetime.now(UTC).replace(tzinfo=None)
        if time.monotonic() - self._written_at >= self.every:
            self._written_at = time.monotonic()
            await asyncio.to_thread(self._write, self.last_success)

    def _write(self, when: datetime) -> None:
        partial = self.path.with_name(f".{self.path.name}.part")
        beat = {"pid": os.getpid(), "last_get_updates": when.isoformat(), "webhook": self.via_webhook}
        partial.write_text(json.dumps(beat), encoding="utf-8")
        os.replace(partial, self.path)
