"""Fixtures shared by every test folder."""

from __future__ import annotations

import pytest
from aiogram.client.session.aiohttp import AiohttpSession

pytest_plugins = ["tests.services"]  # PostgreSQL and Redis fixtures

_aiogram_close = AiohttpSession.close


async def _close_without_ssl_grace(self: AiohttpSession) -> None:
    """aiogram's close() sleeps 250 ms after closing the connections, for SSL ones to finish closing (aiohttp's
    graceful-shutdown advice). The tests' bots talk plain HTTP to the loopback emulator: that pause waits for
    nothing, yet every bot stopped or restarted in a test paid it, minutes of a full run. An https server
    (Telegram itself) still gets aiogram's own close, pause included."""
    if not self.api.base.startswith("http://"):
        await _aiogram_close(self)
    elif self._session is not None and not self._session.closed:
        await self._session.close()


@pytest.fixture(autouse=True)
def _no_ssl_grace_on_plain_http(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(AiohttpSession, "close", _close_without_ssl_grace)
