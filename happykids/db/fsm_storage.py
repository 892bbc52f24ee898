"""aiogram FSM storage in the bot's own database, so a parent's dialog survives a restart or kill -9.

aiogram ships Memory/Redis/Mongo storages; SQLite (the default here) needs this small adapter. Only one
bot process owns a DATA_DIR (the instance lock), so reads are served from a write-through cache and every
write still reaches the database before the handler goes on.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StateType, StorageKey
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from happykids.db.models import FsmRecord

_MISSING = object()


class SqlStorage(BaseStorage):
    CACHE_SIZE = 5_000  # recently active parents; older ones are read from the database again

    def __init__(self, session_factory: async_sessionmaker[AsyncSession], key_builder: KeyBuilder | None = None):
        self._sessions = session_factory
        self._keys = key_builder or DefaultKeyBuilder(with_destiny=True)
        self._cache: OrderedDict[str, tuple[str | None, str]] = OrderedDict()

    async def _load(self, key: str) -> tuple[str | None, str]:
        cached = self._cache.get(key, _MISSING)
        if cached is not _MISSING:
            self._cache.move_to_end(key)
            return cached  # type: ignore[return-value]
        async with self._sessions() as session:
            row = await session.get(FsmRecord, key)
            record = (row.state, row.data) if row else (None, "{}")
        self._remember(key, record)
        return record

    def _remember(self, key: str, record: tuple[str | None, str]) -> None:
        self._cache[key] = record
        self._cache.move_to_end(key)
        while len(self._cache) > self.CACHE_SIZE:
            self._cache.popitem(last=False)

    async def _save(self, key: str, state: str | None, data: str) -> None:
        async with self._sessions() as session, session.begin():
            await session.merge(FsmRecord(key=key, state=state, data=data))
        self._remember(key, (state, data))

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        built = self._keys.build(key)
        current_state, data = await self._load(built)
        if current_state != value:
            await self._save(built, value, data)

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._load(self._keys.build(key)))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        built = self._keys.build(key)
        payload = json.dumps(dict(data), ensure_ascii=False, sort_keys=True)
        state, current = await self._load(built)
        if current != payload:
            await self._save(built, state, payload)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return json.loads((await self._load(self._keys.build(key)))[1])

    async def close(self) -> None:
        """The engine belongs to the application, which disposes of it."""
