"""aiogram FSM storage in the bot's own database, so a parent's dialog survives a restart or kill -9.

aiogram ships Memory/Redis/Mongo storages; SQLite (the default here) needs this small adapter.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StateType, StorageKey
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from happykids.db.models import FsmRecord


class SqlStorage(BaseStorage):
    def __init__(self, session_factory: async_sessionmaker[AsyncSession], key_builder: KeyBuilder | None = None):
        self._sessions = session_factory
        self._keys = key_builder or DefaultKeyBuilder(with_destiny=True)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        async with self._sessions() as session, session.begin():
            row = await session.get(FsmRecord, self._keys.build(key))
            if row is None:
                session.add(FsmRecord(key=self._keys.build(key), state=value, data="{}"))
            else:
                row.state = value

    async def get_state(self, key: StorageKey) -> str | None:
        async with self._sessions() as session:
            row = await session.get(FsmRecord, self._keys.build(key))
            return row.state if row else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        payload = json.dumps(dict(data), ensure_ascii=False)
        async with self._sessions() as session, session.begin():
            row = await session.get(FsmRecord, self._keys.build(key))
            if row is None:
                session.add(FsmRecord(key=self._keys.build(key), state=None, data=payload))
            else:
                row.data = payload

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        async with self._sessions() as session:
            row = await session.get(FsmRecord, self._keys.build(key))
            return json.loads(row.data) if row else {}

    async def close(self) -> None:
        """The engine belongs to the application, which disposes of it."""
