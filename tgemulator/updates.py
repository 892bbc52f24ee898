"""The getUpdates queue with Telegram's long-polling and offset semantics.

Updates stay queued until the bot confirms them by calling getUpdates with a higher
``offset`` -- exactly like Telegram -- so an update handed to a bot that died before
confirming it is delivered again to the next poller. ``delivered`` (handed out at
least once) is tracked separately so ``settle()`` knows the bot has seen everything.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import CONFLICT, ApiError

# Telegram's default when allowed_updates is empty/never set.
DEFAULT_EXCLUDED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

CONFLICT_OTHER_POLLER = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


def update_type(update: dict[str, Any]) -> str:
    return next((key for key in update if key != "update_id"), "unknown")


@dataclass
class _Entry:
    update_id: int
    update: dict[str, Any]
    delivered: bool = False
    pinned: bool = False  # re-delivered: survives an old offset until handed out once


class UpdateQueue:
    def __init__(self) -> None:
        self._pending: list[_Entry] = []
        self._next_id = 1
        self.history: list[dict[str, Any]] = []  # every update in order of first delivery
        self.dropped: list[dict[str, Any]] = []  # filtered out by allowed_updates
        self.allowed_updates: list[str] | None = None
        self._wakeup = asyncio.Event()
        self._poll_generation = 0
        self.last_delivery = 0.0  # monotonic time of the last non-empty delivery

    # -- producers -------------------------------------------------------------------
    def push(self, update: dict[str, Any]) -> int:
        """Queue an update (fresh update_id unless it has one); returns the update_id."""
        update = dict(update)
        if "update_id" not in update:
            update["update_id"] = self._next_id
        update_id = update["update_id"]
        self._next_id = max(self._next_id, update_id + 1)
        if not self._is_allowed(update_type(update)):
            self.dropped.append(update)
            return update_id
        self._pending.append(_Entry(update_id, update))
        self._pending.sort(key=lambda e: e.update_id)
        self.wake_pollers()
        return update_id

    def redeliver_last(self, n: int = 1) -> list[int]:
        """Queue the last ``n`` delivered updates again with the same update_id."""
        again = self.history[-n:] if n > 0 else []
        queued = {e.update_id for e in self._pending}
        for update in again:
            if update["update_id"] not in queued:
                self._pending.append(_Entry(update["update_id"], update, pinned=True))
        self._pending.sort(key=lambda e: e.update_id)
        self.wake_pollers()
        return [u["update_id"] for u in again]

    def drop_pending(self) -> int:
        count = len(self._pending)
        self._pending.clear()
        return count

    # -- state -----------------------------------------------------------------------
    @property
    def pending_count(self) -> int:
        return len(self._pending)

    @property
    def undelivered_count(self) -> int:
        return sum(1 for e in self._pending if not e.delivered)

    # -- consumer (the getUpdates handler) ---------------------------------------------
    async def get(
        self,
        *,
        offset: int | None,
        limit: int | None,
        timeout: int | None,
        allowed_updates: list[str] | None,
        alive: Callable[[], bool],
    ) -> list[dict[str, Any]]:
        """One getUpdates call; raises a 409 ApiError if a newer call supersedes it."""
        self._poll_generation += 1
        generation = self._poll_generation
        self.wake_pollers()  # wake an older long poll so it can answer 409
        if allowed_updates is not None:
            self.allowed_updates = list(allowed_updates)
        self._confirm(offset)
        limit = min(max(limit or 100, 1), 100)
        deadline = time.monotonic() + max(timeout or 0, 0)
        while True:
            if not alive():
                return []  # the client went away; leave everything for the next poller
            if generation != self._poll_generation:
                raise ApiError(CONFLICT_OTHER_POLLER, 409, kind=CONFLICT)
            batch = self._pending[:limit]
            remaining = deadline - time.monotonic()
            if batch or remaining <= 0:
                break
            wakeup = self._wakeup
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wakeup.wait(), timeout=min(remaining, 0.5))
        for entry in batch:
            if not entry.delivered:
                self.history.append(entry.update)
            entry.delivered = True
            entry.pinned = False
        if batch:
            self.last_delivery = time.monotonic()
        return [e.update for e in batch]

    def _confirm(self, offset: int | None) -> None:
        if offset is None:
            return
        if offset < 0:  # -N: forget everything but the last N updates
            keep = self._pending[offset:] if -offset < len(self._pending) else self._pending
            self._pending = list(keep)
            return
        self._pending = [e for e in self._pending if e.update_id >= offset or e.pinned]

    # -- webhook delivery (webhook.py): each update is confirmed on its own, by a 2xx answer --------------
    def entries(self) -> list[_Entry]:
        """The pending updates, oldest first."""
        return list(self._pending)

    def mark_delivered(self, entry: _Entry) -> None:
        if not entry.delivered:
            self.history.append(entry.update)
        entry.delivered = True
        entry.pinned = False
        self.last_delivery = time.monotonic()

    def confirm_one(self, update_id: int) -> None:
        self._pending = [e for e in self._pending if e.update_id != update_id]

    def wakeup_event(self) -> asyncio.Event:
        """Set by the next push (or shutdown); take it before looking at the queue."""
        return self._wakeup

    def _is_allowed(self, kind: str) -> bool:
        if not self.allowed_updates:
            return kind not in DEFAULT_EXCLUDED
        return kind in self.allowed_updates

    def supersede_pollers(self) -> None:
        """Another instance started polling: a long poll in progress answers 409 now, as Telegram's does."""
        self._poll_generation += 1
        self.wake_pollers()

    def wake_pollers(self) -> None:
        """Wake every waiting long poll (new update, newer poller, shutdown)."""
        self._wakeup.set()
        self._wakeup = asyncio.Event()
