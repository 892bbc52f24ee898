"""Flood control, as Telegram applies it: a rate limit per second and 429 answers a test asks for.

Kept apart from server.py (the emulator's request handling) so that file stays readable; BotAPIEmulator mixes
it in and owns the state (``rate_limit_per_second``, ``_send_times``, ``_floods``).
"""

from __future__ import annotations

import time
from collections import deque

from .errors import RATE_LIMITED, ApiError


class FloodControl:
    rate_limit_per_second: int | None
    _send_times: deque[float]
    _floods: dict[str, tuple[int, int]]  # method -> (answers of 429 left, retry_after)

    def flood(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        """The next ``times`` calls of ``method`` answer 429 Too Many Requests, whatever the rate:
        a flood-control answer a test can count on (kept in ``emu.rate_limited``)."""
        self._floods[method.lower()] = (times, retry_after)

    def _check_rate_limit(self) -> None:
        limit = self.rate_limit_per_second
        if not limit:
            return
        horizon = time.monotonic() - 1.0
        while self._send_times and self._send_times[0] < horizon:
            self._send_times.popleft()
        if len(self._send_times) >= limit:
            raise ApiError(
                "Too Many Requests: retry after 1", 429, kind=RATE_LIMITED, retry_after=1
            )

    def _check_flood(self, key: str) -> None:
        left, retry_after = self._floods.get(key, (0, 0))
        if left > 0:
            self._floods[key] = (left - 1, retry_after)
            raise ApiError(f"Too Many Requests: retry after {retry_after}", 429, kind=RATE_LIMITED,
                           retry_after=retry_after)
