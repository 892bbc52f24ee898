"""aiogram FSM storage in the bot's own database, so a parent's dialog survives a restart or kill -9.

aiogram ships Memory/Redis/Mongo storages; SQLite (the default here) and PostgreSQL need this small adapter.

Inside an update, state is part of the update's unit of work (db/unit_of_work.py): aiogram's many small
`set_state`/`update_data` calls are collected in memory and written once, as one upsert, in the same
transaction as everything else the update writes. Reads are served from a cache that only ever holds
committed state (it is updated after the commit), so a press costs no SELECT. Outside an update (tests,
tools) every write goes to the database at once.

The cache assumes this process is the only writer of a parent's state: true with SQLite (one process per
DATA_DIR, the instance lock). On PostgreSQL several copies may share the database (with or without Redis), so
there `cached=False`: state is read from the database once per update, under the chat's lock that the update
holds (db/unit_of_work.py), and kept only for that update.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any, cast

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StateType, StorageKey
from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from happykids.db.base import utcnow
from happykids.db.models import FsmRecord
from happykids.db.unit_of_work import StateRecord, UnitOfWork
from happykids.db.upserts import insert_for

_MISSING: StateRecord = (None, "{}")
_READ = "happykids_fsm_read"  # in Session.info, uncached storage: the state this update read already


class SqlStorage(BaseStorage):
    CACHE_SIZE = 5_000  # recently active parents; older ones are read from the database again

    def __init__(self, session_factory: async_sessionmaker[AsyncSession], key_builder: KeyBuilder | None = None,
                 destinies: Iterable[str] = ("default",), *, cached: bool = True):
        self._sessions = session_factory
        self._cached = cached  # False: other processes may write the same parents' state (see the docstring)
        self._keys = key_builder or DefaultKeyBuilder(with_destiny=True)
        self._cache: OrderedDict[str, StateRecord] = OrderedDict()
        self._destinies: set[str] = set(destinies)  # the destinies (last part of a key) this bot uses

    async def _load(self, key: str) -> StateRecord:
        unit = UnitOfWork.current()
        if unit is not None and key in unit.pending_state:
            return unit.pending_state[key]
        known = self._known(unit)
        cached = known.get(key) if known is not None else None
        if cached is not None:
            if known is self._cache:
                self._cache.move_to_end(key)
            return cached
        if unit is not None:
            records = await self._read(unit.session, key)
        else:
            async with self._sessions() as session:
                records = await self._read(session, key)
        for each_key, record in records.items():
            if known is None or each_key == key or each_key not in known:
                self._remember(each_key, record, known)
        return records[key]

    async def _read(self, session: AsyncSession, key: str) -> dict[str, StateRecord]:
        """`key` and its sibling destinies (the panel's "admin" next to the dialog's "default"), in one
        SELECT: a parent's first update reads both, and would otherwise pay a SELECT for each."""
        prefix, _, destiny = key.rpartition(":")
        self._destinies.add(destiny)
        rows = await session.execute(select(FsmRecord.key, FsmRecord.state, FsmRecord.data)
                                     .where(FsmRecord.key.startswith(prefix + ":", autoescape=True)))
        records = {f"{prefix}:{each}": _MISSING for each in self._destinies}
        records.update({row_key: (state, data) for row_key, state, data in rows.all()
                        if row_key in records})
        return records

    def _known(self, unit: UnitOfWork | None) -> dict[str, StateRecord] | None:
        """Where committed state is kept once read or written: the process's cache; uncached storage, the
        update's own (None outside an update: nothing is kept)."""
        if self._cached:
            return self._cache
        return unit.session.info.setdefault(_READ, {}) if unit is not None else None

    def _remember(self, key: str, record: StateRecord, known: dict[str, StateRecord] | None) -> None:
        if known is None:
            return
        known[key] = record
        if known is self._cache:  # the process's cache keeps the most recently used parents
            self._cache.move_to_end(key)
            while len(self._cache) > self.CACHE_SIZE:
                self._cache.popitem(last=False)

    async def _save(self, key: str, record: StateRecord) -> None:
        unit = UnitOfWork.current()
        if unit is None:
            async with self._sessions() as session, session.begin():
                await _upsert(session, {key: record})
            self._remember(key, record, self._known(None))
            return
        unit.pending_state[key] = record
        unit.before_commit(self._flush)

    async def _flush(self, unit: UnitOfWork) -> None:
        written = dict(unit.pending_state)
        await _upsert(unit.session, written)
        unit.wrote()  # _upsert bypasses the session's statement events: tell the unit itself

        def publish() -> None:  # only committed state ever reaches the cache
            known = self._known(unit)
            for key, record in written.items():
                self._remember(key, record, known)

        unit.after_commit(publish)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        built = self._keys.build(key)
        current_state, data = await self._load(built)
        if current_state != value:
            await self._save(built, (value, data))

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._load(self._keys.build(key)))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        built = self._keys.build(key)
        payload = json.dumps(dict(data), ensure_ascii=False, sort_keys=True)
        state, current = await self._load(built)
        if current != payload:
            await self._save(built, (state, payload))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((await self._load(self._keys.build(key)))[1])
        return data

    async def close(self) -> None:
        """The engine belongs to the application, which disposes of it."""


async def _upsert(session: AsyncSession, records: dict[str, StateRecord]) -> None:
    """Insert or update each key in one statement (ON CONFLICT, understood by SQLite and PostgreSQL)."""
    if not records:
        return
    now = utcnow()
    rows = [{"key": key, "state": state, "data": data, "updated_at": now} for key, (state, data) in records.items()]
    # On the session's connection, in its transaction: the ORM's execute machinery (events, ORM compile
    # state) cost about as much CPU as the statement, and fsm_records is no table the ORM tracks.
    connection = await session.connection()
    await connection.execute(_upsert_statement(connection.dialect.name), rows)


_UPSERTS: dict[str, Any] = {}


def _upsert_statement(dialect: str) -> Any:
    """Built once per dialect: `.excluded` builds a fresh alias with a copy of every column each time it is
    touched, which cost more CPU than the rest of the press's statement. Rows go as parameters, not
    .values(rows): SQLAlchemy caches the compiled statement only in this form."""
    statement = _UPSERTS.get(dialect)
    if statement is None:
        insert = insert_for(dialect, cast(Table, FsmRecord.__table__))
        excluded = insert.excluded
        statement = _UPSERTS[dialect] = insert.on_conflict_do_update(
            index_elements=[FsmRecord.key],
            set_={"state": excluded.state, "data": excluded.data, "updated_at": excluded.updated_at},
        )
    return statement
