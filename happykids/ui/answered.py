"""Remembers which button presses were already answered, so the error handler answers only the rest.

Telegram refuses a second answerCallbackQuery; an error after the handler answered must not try again.
Only presses still being handled are ever asked about (at most the updates in flight, 10 on SQLite, a few dozen
on PostgreSQL), so the last 1,000 answered are plenty; 10,000 had kept ~2 MB for nothing.
"""

from __future__ import annotations

from collections import OrderedDict

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import AnswerCallbackQuery, TelegramMethod
from aiogram.methods.base import Response, TelegramType


class AnsweredCallbacks(BaseRequestMiddleware):
    LIMIT = 1_000

    def __init__(self) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()

    def __contains__(self, callback_query_id: str) -> bool:
        return callback_query_id in self._ids

    async def __call__(self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot,
                       method: TelegramMethod[TelegramType]) -> Response[TelegramType]:
        response = await make_request(bot, method)
        if isinstance(method, AnswerCallbackQuery):
            self._ids[method.callback_query_id] = None
            while len(self._ids) > self.LIMIT:
                self._ids.popitem(last=False)
        return response
