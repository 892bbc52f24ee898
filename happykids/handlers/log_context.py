"""Which update a log line belongs to: the update's id and the person's id, on every line written while it is
handled (the handler's, the services', aiogram's), so one parent's trouble can be followed in a busy log.

A tiny outer middleware sets two context variables for the update's task; app/logging_setup.py puts them on
each record. contextvars, not a logging.LoggerAdapter: the lines come from many modules and libraries that
cannot be handed an adapter, and tasks started during the update inherit the context by themselves.

The values are not reset when the middleware returns: aiogram's own outer middlewares run around ours (the
error handler's «Обновление … не обработано» line, the "Update id=… is handled" line after the chain), and their
lines belong to the update too. Each update is handled in a task of its own (aiogram's polling does so, and so
must any loop that replaces it), so the values end with that task and never reach another update's lines.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update, User

update_id_var: ContextVar[int | None] = ContextVar("update_id", default=None)
user_id_var: ContextVar[int | None] = ContextVar("user_id", default=None)


class LogContextMiddleware(BaseMiddleware):
    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        user = data.get("event_from_user")  # set by aiogram's own outer middleware, which runs before ours
        update_id_var.set(event.update_id if isinstance(event, Update) else None)
        user_id_var.set(user.id if isinstance(user, User) else None)
        return await handler(event, data)
