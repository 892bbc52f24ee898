"""A long-lived `happykids run` process that tests kill at a chosen crash point and start again.

One emulator and one DATA_DIR serve a whole test module: each test arms one crash point (through
HAPPYKIDS_TEST_CRASH_FILE, see services/crash_points.py), walks one receipt through its life with a new
parent until the process dies there, starts the next process, finishes the life and checks what a parent
and the admins see. One start per test instead of three (catalog import, doomed, survivor) keeps a dozen
kill -9 trials within a minute or two.
"""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from happykids.ui.callbacks import Review
from tests.catalogs import SMALL_CATALOG
from tests.e2e.process import REPO_ROOT
from tgemulator import BotAPIEmulator

ADMIN_ID = 777000
GROUP = -100777
CARD = re.compile(r"Чек №(\d+)\b")


class Died(Exception):
    """The process exited while the test waited for something."""


class Fleet:
    def __init__(self, emu: BotAPIEmulator, root: Path):
        self.emu, self.root = emu, root
        self.data_dir = root / "data"
        self.crash_file = root / "crash_point"
        self.crash_file.write_text("", encoding="utf-8")
        self.proc: asyncio.subprocess.Process | None = None
        self.generation = 0
        self.logs: list[Path] = []
        self.next_parent = 8000
        self.lost_presses: set[str] = set()  # presses a kill ate (the update died with the process)
        self.parents: list[Any] = []
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "FSM_STORAGE_URL")},
            "BOT_TOKEN": emu.token, "BOT_API_URL": emu.base_url, "DATA_DIR": str(self.data_dir),
            "ADMIN_IDS": str(ADMIN_ID), "RECEIPTS_CHAT_ID": str(GROUP), "PYTHONUNBUFFERED": "1",
            "HAPPYKIDS_TEST_CRASH_FILE": str(self.crash_file),
            "PYTHONPATH": os.pathsep.join(filter(None, [REPO_ROOT, os.environ.get("PYTHONPATH")])),
        }
        self.admin = emu.user(ADMIN_ID, "Директор")
        self.group = emu.chat(GROUP, "supergroup", title="Чеки")

    # --- the process ---------------------------------------------------------------------------------------

    async def _spawn(self, *args: str) -> asyncio.subprocess.Process:
        self.generation += 1
        log = self.root / f"bot-{self.generation}.log"
        self.logs.append(log)
        with log.open("wb") as out:  # a file, not a pipe: a long-lived process must never block on its log
            return await asyncio.create_subprocess_exec(
                sys.executable, "-m", "happykids", *args, env=self.env, cwd=self.root,
                stdout=out, stderr=asyncio.subprocess.STDOUT,
            )

    async def load_catalog(self) -> None:
        (self.root / "catalog.yaml").write_text(SMALL_CATALOG, encoding="utf-8")
        proc = await self._spawn("catalog", "import", str(self.root / "catalog.yaml"))
        assert await proc.wait() == 0, self.logs[-1].read_text()

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    async def ensure_running(self) -> None:
        if self.alive:
            return
        self.proc = await self._spawn("run")
        polls = len(self.emu.calls_of("getUpdates"))
        await self.until(lambda: len(self.emu.calls_of("getUpdates")) > polls, timeout=90)

    async def stop(self) -> None:
        if self.alive:
            assert self.proc is not None
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 15)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()

    def arm(self, point: str) -> None:
        self.crash_file.write_text(point, encoding="utf-8")

    def disarm(self) -> None:
        self.crash_file.write_text("", encoding="utf-8")

    def log_text(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')}" for p in self.logs if p.exists())

    async def until(self, condition: Callable[[], Any], timeout: float = 40.0) -> Any:
        """Poll `condition` until it is truthy; Died if the process exits meanwhile."""
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            if self.proc is not None and self.proc.returncode is not None:
                raise Died(self.proc.returncode)
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting\n{self.emu.dump()}\n{self.log_text()[-4000:]}")
            await asyncio.sleep(0.05)

    # --- the database, read as an operator would -----------------------------------------------------------

    def query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        db = self.data_dir / "happykids.sqlite3"
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as conn:
            return conn.execute(sql, args).fetchall()

    def receipt_of(self, user_id: int) -> tuple[int, str] | None:
        rows = self.query("SELECT id, status FROM receipts WHERE user_id = ? ORDER BY id", user_id)
        return rows[-1] if rows else None

    def pending_tasks(self) -> int:
        return self.query("SELECT count(*) FROM outbox WHERE status = 'pending'")[0][0]

    async def quiet(self) -> None:
        """Everything promised is done: no pending outbox task, no request in flight."""
        await self.until(lambda: self.pending_tasks() == 0, timeout=60)
        await self.emu.settle(quiet=0.3, timeout=30)

    # --- what people see -----------------------------------------------------------------------------------

    def cards(self, receipt_id: int) -> list:
        """Every message in the review chats that carries this receipt's card (now or before an edit)."""
        found = []
        for view in (self.admin, self.group):
            found += [m for m in view.bot_messages if (match := CARD.search(m.text)) and int(match[1]) == receipt_id]
        return found

    def live_buttons(self, receipt_id: int) -> list:
        """Messages anywhere whose buttons still decide this receipt."""
        found = []
        for chat_id in list(self.emu.world.chats):
            for message in self.emu.world.messages_in(chat_id):
                for button in (b for row in message.buttons for b in row):
                    try:
                        review = Review.unpack(button.callback_data or "")
                    except (TypeError, ValueError):
                        continue
                    if review.receipt_id == receipt_id:
                        found.append(message)
                        break
        return found
