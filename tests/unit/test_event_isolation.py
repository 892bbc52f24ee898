"""ForgetfulEventIsolation: one chat's updates still wait for each other, and no lock outlives its users."""

from __future__ import annotations

import asyncio

from aiogram.fsm.storage.base import StorageKey

from happykids.app.event_isolation import ForgetfulEventIsolation

KEY = StorageKey(bot_id=1, chat_id=42, user_id=42)
OTHER = StorageKey(bot_id=1, chat_id=7, user_id=7)


async def test_same_chat_waits_other_chat_does_not():
    isolation = ForgetfulEventIsolation()
    order: list[str] = []
    first_inside = asyncio.Event()
    release = asyncio.Event()

    async def first() -> None:
        async with isolation.lock(KEY):
            order.append("first in")
            first_inside.set()
            await release.wait()
            order.append("first out")

    async def second() -> None:
        async with isolation.lock(KEY):
            order.append("second in")

    async def other() -> None:
        async with isolation.lock(OTHER):
            order.append("other in")

    one = asyncio.create_task(first())
    await first_inside.wait()
    two = asyncio.create_task(second())
    await other()  # another chat is not held up by the first chat's update
    await asyncio.sleep(0)
    assert order == ["first in", "other in"]
    assert isolation.held() == 1  # the first chat's lock, held and awaited; the other chat's is gone
    release.set()
    await asyncio.gather(one, two)
    assert order == ["first in", "other in", "first out", "second in"]
    assert isolation.held() == 0


def test_an_idle_isolation_is_still_an_isolation():
    assert ForgetfulEventIsolation()  # aiogram falls back to no isolation for a falsy one


async def test_lock_is_forgotten_after_an_error():
    isolation = ForgetfulEventIsolation()
    try:
        async with isolation.lock(KEY):
            raise ValueError("handler failed")
    except ValueError:
        pass
    assert isolation.held() == 0
    async with isolation.lock(KEY):  # a later update of the chat gets a fresh lock at once
        assert isolation.held() == 1
