"""Synchronous filters (`F.message.chat.type == "private"`, a bare `State`) run on the event loop, not in a thread.

Why: aiogram calls every callable that is not a coroutine function through `asyncio.to_thread`
(aiogram/dispatcher/event/handler.py `CallableObject.call`, since aiogram PR #1661; a `Filter` subclass is exempt).
A magic filter is such a callable, so each check of one is a hand-off to the default thread pool and back: a
submit, a worker thread fighting the loop for the GIL, a wake-up of the loop through its self-pipe. A parent's
press passes four or five of them on its way through the routers (the private-chat filters of project_steps,
projects, mydata and the dialog's own handlers); in the press benchmark (benchmarks/press_speed.py) they were a
visible share of the CPU per update, for checks that take a microsecond each.

Our sync filters are pure checks of the event's fields, so they run inline: each is given an async wrapper
that calls it directly. The signature aiogram inspected stays the same (aiogram filters the keyword arguments
by the original callback's parameters), so a filter sees exactly what it saw before. A filter that must block
(none does) would have to be a coroutine of its own that offloads the blocking part itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.handler import FilterObject
from aiogram.dispatcher.event.telegram import TelegramEventObserver


def run_sync_filters_inline(routers: Iterable[Router]) -> int:
    """Every filter in these routers and their sub-routers that aiogram would run in a thread now runs inline.
    Returns how many were changed (0 on a second call: the routers are module-level singletons)."""
    changed = 0
    for router in routers:
        for observer in router.observers.values():
            for filter_object in _filters(observer):
                if not filter_object.awaitable:
                    filter_object.callback = _inline(filter_object.callback)
                    filter_object.awaitable = True
                    changed += 1
        changed += run_sync_filters_inline(router.sub_routers)
    return changed


def _filters(observer: TelegramEventObserver) -> Iterable[FilterObject]:
    yield from observer._handler.filters or ()  # noqa: SLF001 - the router-level filters (observer.filter(...))
    for handler in observer.handlers:
        yield from handler.filters or ()


def _inline(check: Callable[..., Any]) -> Callable[..., Any]:
    async def inline(*args: Any, **kwargs: Any) -> Any:
        return check(*args, **kwargs)

    return inline
