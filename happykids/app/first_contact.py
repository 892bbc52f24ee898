"""The first request to Telegram at start-up, where an operator's mistake shows: one sentence, never a traceback.

A wrong or revoked token (401, e.g. `.env.example` copied unchanged) cannot get better by waiting: the bot
stops with a sentence naming BOT_TOKEN. No network yet (the server just booted, a DNS hiccup) usually does get
better: the bot waits and tries again with growing pauses, one log line per attempt, until Telegram answers.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramNetworkError, TelegramServerError, TelegramUnauthorizedError
from aiogram.methods import DeleteWebhook, TelegramMethod

log = logging.getLogger(__name__)

FIRST_PAUSE, MAX_PAUSE = 2.0, 60.0


class StartupError(Exception):
    """A setting is wrong in a way waiting cannot fix; the message is one sentence for the operator."""


async def reach_telegram(bot: Bot, first: TelegramMethod[Any] | None = None) -> None:
    """Return once Telegram accepted the token; raise StartupError if it refused it. `first`: the request that
    checks it (webhook mode: setWebhook); by default deleteWebhook, which polling needs anyway."""
    pause = FIRST_PAUSE
    while True:
        try:
            # Polling needs no webhook: deleting it switches a bot that ran in webhook mode back to polling.
            await bot(first or DeleteWebhook(drop_pending_updates=False))
            return
        except TelegramUnauthorizedError:
            raise StartupError("Telegram не принимает BOT_TOKEN (он неверный или отозван): скопируйте токен из "
                               "@BotFather в .env и запустите бота снова.") from None
        except (TelegramNetworkError, TelegramServerError, OSError) as exc:
            log.warning("Telegram пока недоступен (%s), следующая попытка через %.0f с", _short(exc), pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, MAX_PAUSE)


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]
