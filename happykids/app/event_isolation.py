"""One parent's updates handled one at a time, with a lock that lives only while someone holds or awaits it.

aiogram's SimpleEventIsolation keeps a lock (and its StorageKey) for every chat it ever saw, for the life of
the process ("TODO: Unused locks cleaner is needed" in aiogram 3): about 400 bytes per parent, so 10,000
parents were 4 MB that never came back. This is the same isolation (a double tap still waits for the first
press to finish) whose lock is forgotten when the last update of that chat that wanted it is done; a later
update of that chat gets a new lock, which nobody else can be holding at that moment.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey


class ForgetfulEventIsolation(BaseEventIsolation):
    def __init__(self) -> None:
        self._locks: dict[StorageKey, tuple[asyncio.Lock, int]] = {}  # the lock, and how many hold or await it

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        lock, users = self._locks.get(key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            held = self._locks.get(key)  # None after close()
            if held is not None and held[1] <= 1:
                del self._locks[key]
            elif held is not None:
                self._locks[key] = (held[0], held[1] - 1)

    def held(self) -> int:
        """Chats whose lock is held or awaited now (tests). Not __len__: aiogram tests the isolation for truth,
        and an empty one would be taken for none at all."""
        return len(self._locks)

    async def close(self) -> None:
        self._locks.clear()
