"""Keeps aiogram's parsed-response classes alive, so they are not rebuilt after every garbage collection.

For each request aiogram validates the answer with `Response[<return type>]`. Pydantic keeps such generic
classes only in a weak cache, so the garbage collector drops them between bursts and the next request builds
the class again (a pydantic schema build, milliseconds each): about a tenth of the bot's CPU per press in
benchmarks/press_speed.py. Holding one reference per return type the bot really uses makes it a cache hit.
There is no setting for this in aiogram or pydantic, hence this small request middleware.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType


class PinResponseTypes(BaseRequestMiddleware):
    def __init__(self) -> None:
        self._pinned: dict[Any, type] = {}

    async def __call__(self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot,
                       method: TelegramMethod[TelegramType]) -> Response[TelegramType]:
        returning = method.__returning__
        if returning not in self._pinned:
            self._pinned[returning] = Response[returning]  # type: ignore[valid-type]  # a runtime type
        return await make_request(bot, method)

    def __len__(self) -> int:
        return len(self._pinned)
