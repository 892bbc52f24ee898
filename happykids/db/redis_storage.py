"""Dialog state in Redis, written only after the update's database transaction committed.

Why: aiogram's RedisStorage writes at once, while the handler runs, and the database commits the rest of the
update (the funnel event, the update's id on record) a moment later. A copy killed between the two left the
parent a step ahead in Redis with the database behind: the press, delivered again, found its own button stale
and showed its step with a "this button is outdated" note, and the database never had the step's record. Here
aiogram's writes inside an update are kept in memory (reads see them), and written to Redis right after the
commit that makes the rest durable (`UnitOfWork.after_commit_io`); a rolled back update writes nothing.

What a kill -9 can still do: die after the commit and before the Redis write. Then the database holds the
step (its funnel event, the update's id) and Redis the step before. The press, delivered again, is known as
committed and shows the step Redis has (handlers/redelivery.py): the screen the parent was already looking at.
They press again and go on; the funnel counts that step twice. Nothing a parent was shown is lost.

Outside an update (tools, tests) writes go to Redis at once through aiogram's RedisStorage. Inside one, an
update's state and data go in one MULTI/EXEC (never a step's state without its data), with RedisStorage's keys,
TTLs and JSON. Hand-written because no library defers an FSM write to a database commit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey

from happykids.db.unit_of_work import UnitOfWork

if TYPE_CHECKING:  # redis is imported only when FSM_STORAGE_URL asks for it (app/wiring.py)
    from aiogram.fsm.storage.redis import RedisStorage

_UNSET: Any = object()


class AfterCommitStorage(BaseStorage):
    def __init__(self, redis: RedisStorage, before_write: Callable[[], None] = lambda: None) -> None:
        self.redis = redis
        self._before_write = before_write  # tests: a crash point between the commit and the Redis write

    @staticmethod
    def _pending(unit: UnitOfWork) -> dict[StorageKey, list[Any]]:
        """key -> [state, data] not yet written to Redis (a rollback forgets them with the rest)."""
        return unit.pending_io

    def _keep(self, unit: UnitOfWork, key: StorageKey, index: int, value: Any) -> None:
        pending = self._pending(unit)
        first = not pending  # the first write since the last commit schedules the Redis write
        pending.setdefault(key, [_UNSET, _UNSET])[index] = value
        if not first:
            return

        async def write() -> None:
            batch = dict(pending)
            pending.clear()
            self._before_write()
            store = self.redis
            # State and data in one MULTI/EXEC: a step's state without its data (its "shown" record) made the
            # screen engine believe the next screen was on display already, and the parent saw nothing, press
            # after press (the replica load test's stalled parent). The same writes as RedisStorage's, together.
            async with store.redis.pipeline(transaction=True) as pipe:
                for each_key, (state, data) in batch.items():
                    if state is not _UNSET:
                        name = store.key_builder.build(each_key, "state")
                        if state is None:
                            pipe.delete(name)
                        else:
                            pipe.set(name, state, ex=store.state_ttl)
                    if data is not _UNSET:
                        name = store.key_builder.build(each_key, "data")
                        if data:
                            pipe.set(name, store.json_dumps(data), ex=store.data_ttl)
                        else:
                            pipe.delete(name)
                await pipe.execute()

        unit.after_commit_io(write)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        unit = UnitOfWork.current()
        if unit is None:
            await self.redis.set_state(key, value)
        else:
            self._keep(unit, key, 0, value)

    def _kept(self, key: StorageKey, index: int) -> Any:
        """What this update wrote for `key` (0: state, 1: data) and Redis has not got yet; _UNSET if nothing."""
        unit = UnitOfWork.current()
        kept = self._pending(unit).get(key) if unit is not None else None
        return _UNSET if kept is None else kept[index]

    async def get_state(self, key: StorageKey) -> str | None:
        state = self._kept(key, 0)
        return await self.redis.get_state(key) if state is _UNSET else cast(str | None, state)

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        unit = UnitOfWork.current()
        if unit is None:
            await self.redis.set_data(key, data)
        else:
            self._keep(unit, key, 1, dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        data = self._kept(key, 1)
        return await self.redis.get_data(key) if data is _UNSET else dict(data)

    async def close(self) -> None:
        await self.redis.close()
