"""Gives each handler a database session and keeps the parent's row fresh."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, User
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from happykids.db.repositories.parents import touch_parent


class DbSessionMiddleware(BaseMiddleware):
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]):
        self._sessions = session_factory

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        async with self._sessions() as session:
            data["session"] = session
            return await handler(event, data)


class ParentTrackingMiddleware(BaseMiddleware):
    """Upserts the sender, at most once a minute per person, so broadcasts and stats know who is here."""

    REFRESH_SECONDS = 60.0

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]):
        self._sessions = session_factory
        self._seen: dict[int, tuple[float, tuple]] = {}

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        chat = data.get("event_chat")
        if user and not user.is_bot and (chat is None or chat.type == "private"):
            identity = (user.first_name, user.last_name, user.username)
            seen = self._seen.get(user.id)
            if seen is None or seen[1] != identity or time.monotonic() - seen[0] > self.REFRESH_SECONDS:
                async with self._sessions() as session, session.begin():
                    await touch_parent(session, user.id, user.first_name, user.last_name, user.username)
                self._seen[user.id] = (time.monotonic(), identity)
        return await handler(event, data)
