"""Remembers which button presses were already answered, so the error handler answers only the rest; and lets a
press that was answered before a crash go on to its screen.

Telegram refuses a second answerCallbackQuery; an error after the handler answered must not try again.
Only presses still being handled are ever asked about (at most the updates in flight, 10 on SQLite, a few dozen
on PostgreSQL), so the last 1,000 answered are plenty; 10,000 had kept ~2 MB for nothing.

Handlers answer a press first (the spinner stops at once), before their work is committed. A process killed
between the two gets the same press again: from the SQLite inbox after the restart, or from Telegram on another
copy. Nothing of that work was committed, so it is done again, and its answer is refused ("query is too old …
or query ID is invalid": the press was answered, or is too old to be). Stopping the spinner is all an answer
does and it has stopped, so the refusal is taken as answered and the handler goes on to show the step; raised,
it would leave the parent looking at the old screen.
"""

from __future__ import annotations

import logging
from collections import OrderedDict

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import AnswerCallbackQuery, TelegramMethod
from aiogram.methods.base import Response, TelegramType

from happykids.services.crash_points import crash_point

log = logging.getLogger(__name__)
ALREADY_ANSWERED = ("query is too old", "query id is invalid")  # Telegram's one wording for both


class AnsweredCallbacks(BaseRequestMiddleware):
    LIMIT = 1_000

    def __init__(self) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()

    def __contains__(self, callback_query_id: str) -> bool:
        return callback_query_id in self._ids

    async def __call__(self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot,
                       method: TelegramMethod[TelegramType]) -> Response[TelegramType]:
        query_id = method.callback_query_id if isinstance(method, AnswerCallbackQuery) else None
        if query_id is None:
            return await make_request(bot, method)
        try:
            response = await make_request(bot, method)
        except TelegramBadRequest as exc:
            if not any(words in exc.message.lower() for words in ALREADY_ANSWERED):
                raise
            log.info("Нажатие %s уже получило ответ (до сбоя) или слишком старое: показываю шаг без ответа",
                     query_id)
            response = Response[TelegramType](ok=True, result=True)
        self._ids[query_id] = None
        while len(self._ids) > self.LIMIT:
            self._ids.popitem(last=False)
        crash_point("press_answered")  # tests: answered, nothing of its work committed yet
        return response
