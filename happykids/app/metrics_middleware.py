"""Where the metrics' counts come from: every update the dispatcher handles, every request to the Bot API.

`UpdateMetrics` is an outer middleware on the dispatcher's updates, placed by build_dispatcher inside
aiogram's own error handling (so it sees a handler's exception before the errors router answers it) and
outside our unit of work (so the time includes the commit). `BotApiMetrics` is a request middleware on the
bot's session, the last one, so it sees every request (the handlers' and the background jobs') and the error
the session raises for it. Both only count: cheap enough for every update, and absent without METRICS_PORT.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiogram.types import TelegramObject, Update

if TYPE_CHECKING:
    from happykids.app.metrics import Metrics

# The result label of a Bot API request: a few words an alert can match, not every description Telegram sends.
_RESULTS: tuple[tuple[type[Exception], str], ...] = (
    (TelegramRetryAfter, "rate_limited"),
    (TelegramBadRequest, "bad_request"),
    (TelegramForbiddenError, "forbidden"),
    (TelegramUnauthorizedError, "unauthorized"),
    (TelegramNotFound, "not_found"),
    (TelegramConflictError, "conflict"),
    (TelegramServerError, "server_error"),
    (TelegramNetworkError, "network_error"),
    (TelegramAPIError, "error"),
)


def request_result(exc: BaseException) -> str:
    if isinstance(exc, asyncio.CancelledError):
        return "cancelled"  # the bot stopping mid-request (a long poll at shutdown)
    for kind, label in _RESULTS:
        if isinstance(exc, kind):
            return label
    return "error"  # not Telegram's answer: a timeout, a cancelled request


def update_kind(update: Update) -> str:
    try:
        return update.event_type  # message, callback_query, ...
    except Exception:  # noqa: BLE001 - aiogram raises its own lookup error for a kind it does not know
        return "unknown"


class UpdateMetrics(BaseMiddleware):
    def __init__(self, metrics: Metrics):
        self.metrics = metrics

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        kind = update_kind(event) if isinstance(event, Update) else type(event).__name__
        m = self.metrics
        started = time.perf_counter()
        m.updates_in_progress.inc()
        outcome = "error"
        try:
            result = await handler(event, data)
            outcome = "unhandled" if result is UNHANDLED else "handled"
            return result
        except Exception as exc:
            m.update_errors.labels(kind, type(exc).__name__).inc()
            raise
        finally:
            m.updates_in_progress.dec()
            m.update_seconds.labels(kind).observe(time.perf_counter() - started)
            m.updates.labels(kind, outcome).inc()


class BotApiMetrics(BaseRequestMiddleware):
    def __init__(self, metrics: Metrics):
        self.metrics = metrics

    async def __call__(self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot,
                       method: TelegramMethod[TelegramType]) -> Response[TelegramType]:
        name = method.__api_method__
        m = self.metrics
        started = time.perf_counter()
        result = "ok"
        try:
            return await make_request(bot, method)
        except BaseException as exc:  # counted whatever it is, then raised unchanged
            result = request_result(exc)
            if result == "rate_limited":
                m.api_rate_limited.labels(name).inc()
            raise
        finally:
            m.api_seconds.labels(name).observe(time.perf_counter() - started)
            m.api_requests.labels(name, result).inc()
