"""The routers' synchronous filters run on the event loop, not in aiogram's thread pool (handlers/inline_filters.py)."""

from __future__ import annotations

import asyncio
import threading

from aiogram import F, Router
from aiogram.dispatcher.event.handler import FilterObject

from happykids.handlers.inline_filters import run_sync_filters_inline
from happykids.handlers.routers import feature_routers


def _all_filters(router: Router) -> list[FilterObject]:
    found: list[FilterObject] = []
    for observer in router.observers.values():
        found.extend(observer._handler.filters or ())
        for handler in observer.handlers:
            found.extend(handler.filters or ())
    for sub in router.sub_routers:
        found.extend(_all_filters(sub))
    return found


def test_no_filter_of_the_bot_goes_to_a_thread() -> None:
    filters = [each for router in feature_routers() for each in _all_filters(router)]
    assert filters
    assert [each.callback for each in filters if not each.awaitable] == []


def test_an_inlined_filter_still_decides_and_runs_on_the_loop_thread() -> None:
    seen: list[str] = []

    def remembers_thread(value: int) -> bool:
        seen.append(threading.current_thread().name)
        return value > 1

    router = Router()
    router.message.filter(F.text == "hi")
    router.message.filter(remembers_thread)
    assert run_sync_filters_inline([router]) == 2
    assert run_sync_filters_inline([router]) == 0  # idempotent: routers are module-level singletons
    magic, plain = router.message._handler.filters or []

    async def check() -> tuple[object, object, object]:
        return (await magic.call(type("M", (), {"text": "hi"})()), await magic.call(type("M", (), {"text": "no"})()),
                await plain.call(2, unrelated="dropped by aiogram's keyword filtering"))

    said_hi, said_no, plain_result = asyncio.run(check())
    assert said_hi and not said_no and plain_result is True
    assert seen == [threading.main_thread().name]
