"""End-to-end fixtures: a loopback Bot API emulator and the real bot running against it."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest

from happykids.app import App, build_app, run_polling
from happykids.cli.catalog import import_catalog
from happykids.config import Settings
from happykids.db.snapshot import sqlite_path
from tests.catalogs import SMALL_CATALOG
from tests.schema import migrated_sqlite
from tgemulator import BotAPIEmulator

ADMIN_ID = 777000

@pytest.fixture
async def emu():
    emulator = BotAPIEmulator()
    await emulator.start()
    yield emulator
    await emulator.stop()
    # Anything Telegram would have rejected is a bug in the bot, whatever the test asserted.
    assert not emulator.errors, f"Bot API rejected requests: {emulator.errors}"
    assert not emulator.unanswered_callback_queries(), "a button press was never answered (spinner keeps turning)"


@pytest.fixture
def settings(tmp_path: Path, emu: BotAPIEmulator) -> Settings:
    return Settings(
        _env_file=None, bot_token=emu.token, bot_api_url=emu.base_url, data_dir=tmp_path / "data",
        admin_ids=[ADMIN_ID],
    )


class BotRunner:
    """Starts the real bot (build_app + run_polling) in this event loop; can restart it."""

    def __init__(self, settings: Settings, emu: BotAPIEmulator | None = None):
        self.settings = settings
        self.emu = emu
        self.app: App | None = None
        self._task: asyncio.Task | None = None

    async def load_catalog(self, text: str) -> None:
        path = self.settings.data_dir.parent / "catalog.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        database = sqlite_path(self.settings.resolved_database_url)
        if database is not None and not database.exists():
            await migrated_sqlite(database)  # the schema the import would migrate to, copied (tests/schema.py)
        assert await import_catalog(self.settings, path) == 0

    async def start(self) -> App:
        self.app = await build_app(self.settings)
        if self.emu is not None:
            dp = self.app.dp
            # settle() also waits for handlers still busy with the database after their last request.
            self.emu.idle_check = lambda: not (poller := dp.workflow_data.get("poller")) or not poller.busy
        self._task = asyncio.create_task(run_polling(self.app, handle_signals=False))
        for _ in range(200):  # wait until polling really started
            if self.app.dp._running_lock.locked():
                break
            await asyncio.sleep(0.01)
        return self.app

    async def stop(self) -> None:
        if self._task is None:
            return
        with contextlib.suppress(RuntimeError):
            await self.app.dp.stop_polling()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(self._task, 10)
        self._task = None

    async def restart(self) -> App:
        await self.stop()
        return await self.start()


@pytest.fixture
async def runner(settings: Settings, emu: BotAPIEmulator):
    bot_runner = BotRunner(settings, emu)
    await bot_runner.load_catalog(SMALL_CATALOG)
    yield bot_runner
    await bot_runner.stop()


@pytest.fixture
async def bot(runner: BotRunner) -> App:
    """The bot with the small catalog, polling the emulator."""
    return await runner.start()


@pytest.fixture
async def fake_mega(monkeypatch):
    """The fake MEGA API server with the library pointed at it; one quick try per task, because the outbox's
    back-off is what carries the archive through an outage (and a refused login is seen at once)."""
    from happykids.services import archive
    from happykids.storage.mega import RetryPolicy
    from tests.fakes.mega_server import FakeMegaServer

    monkeypatch.setattr(archive, "MEGA_RETRY", RetryPolicy(attempts=1, initial_delay=0.01, max_delay=0.01,
                                                           jitter=0.0, attempt_timeout=10))
    async with FakeMegaServer() as server:
        server.patch_library(monkeypatch)
        yield server
        assert server.violations == [], server.violations
