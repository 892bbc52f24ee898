"""Reference data held in memory: the catalog and the admin list, read on nearly every update.

Reading the catalog cost five SELECTs per button press; it changes a few times a month. A `VersionedCache`
reloads it only when it changed: at once after a commit in this process that wrote to it, and within
a second after another process (the catalog CLI, another replica) did, by comparing the version number that
every such commit bumps (db/change_tracking.py; one query a second for all caches together).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.change_tracking import Topic, VersionBoard
from happykids.db.repositories.admins import panel_admin_ids
from happykids.db.repositories.catalog import load_catalog
from happykids.domain.catalog import Catalog

T = TypeVar("T")


class VersionedCache(Generic[T]):
    def __init__(self, board: VersionBoard, topic: Topic, loader: Callable[[AsyncSession], Awaitable[T]]):
        self._board = board
        self._topic = topic
        self._loader = loader
        self._value: T | None = None
        self._version = -1
        self._changes = 0  # in-process changes seen; a load that overlapped one is not kept
        board.on_change(self._on_change)

    def _on_change(self, topic: Topic) -> None:
        if topic == self._topic:
            self._value = None
            self._changes += 1

    async def get(self, session: AsyncSession) -> T:
        version = await self._board.version(session, self._topic)
        if self._value is not None and version == self._version:
            return self._value
        changes = self._changes
        value = await self._loader(session)  # after the version: a change in between leaves us newer, not older
        if changes == self._changes:
            self._value, self._version = value, version
        return value


class CatalogCache(VersionedCache[Catalog]):
    def __init__(self, board: VersionBoard) -> None:
        super().__init__(board, Topic.CATALOG, load_catalog)


class AdminCache(VersionedCache[frozenset[int]]):
    """Admins added in the panel (ADMIN_IDS from the environment are in Settings)."""

    def __init__(self, board: VersionBoard) -> None:
        async def load(session: AsyncSession) -> frozenset[int]:
            return frozenset(await panel_admin_ids(session))

        super().__init__(board, Topic.ADMINS, load)
