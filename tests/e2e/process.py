"""Run the real `happykids` CLI as a separate process against the emulator (for kill -9 and lock tests)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

REPO_ROOT = str(Path(__file__).resolve().parents[2])  # the CLI subprocess imports happykids from here


class BotProcess:
    def __init__(self, emu, data_dir: Path, admin_ids: str = "777000", extra_env: dict | None = None):
        self.emu, self.data_dir = emu, data_dir
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "FSM_STORAGE_URL")},
            "BOT_TOKEN": emu.token, "BOT_API_URL": emu.base_url, "DATA_DIR": str(data_dir),
            "ADMIN_IDS": admin_ids, "PYTHONUNBUFFERED": "1",
            "PYTHONPATH": os.pathsep.join(filter(None, [REPO_ROOT, os.environ.get("PYTHONPATH")])),
            **(extra_env or {}),
        }
        self.proc: asyncio.subprocess.Process | None = None
        self._err_seen = b""  # stderr already read by wait_for_log, given back by output()

    async def start(self, *args: str) -> asyncio.subprocess.Process:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "happykids", *(args or ("run",)), env=self.env, cwd=self.data_dir.parent,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        return self.proc

    async def wait_polling(self, timeout: float = 90) -> None:
        """Until the process has asked the emulator for updates at least once (a busy machine may take a
        while just to import aiogram: the bound is generous, the wait usually a few seconds)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        start = sum(1 for method, _ in self.emu.calls if method == "getUpdates")
        while sum(1 for method, _ in self.emu.calls if method == "getUpdates") <= start:
            if self.proc.returncode is not None or loop.time() > deadline:
                raise AssertionError(f"bot did not start polling: {await self.output()}")
            await asyncio.sleep(0.05)

    async def wait_for_log(self, needle: str, times: int = 1, timeout: float = 90) -> None:
        """Until `needle` appeared `times` times on stderr (the log): a bound, not a sleep of a guessed length."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._err_seen.decode(errors="replace").count(needle) < times:
            left = deadline - loop.time()
            if left <= 0:
                seen = self._err_seen.decode(errors="replace")
                raise AssertionError(f"{needle!r} not seen {times}x in the log: {seen}")
            try:
                line = await asyncio.wait_for(self.proc.stderr.readline(), left)
            except TimeoutError:
                continue
            if not line:
                raise AssertionError(f"process ended before {needle!r}: {await self.output()}")
            self._err_seen += line

    def kill9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)

    async def stop(self) -> str:
        if self.proc and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 15)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        return await self.output()

    async def output(self) -> str:
        if self.proc.returncode is None:
            return "(still running)"
        out = await self.proc.stdout.read()
        err = self._err_seen + await self.proc.stderr.read()
        return (out + err).decode(errors="replace")


async def import_catalog(emu, data_dir: Path, catalog: str) -> None:
    """Load `catalog` into `data_dir` with the real `happykids catalog import`, as an operator would."""
    path = data_dir.parent / "catalog.yaml"
    path.write_text(catalog, encoding="utf-8")
    loader = BotProcess(emu, data_dir)
    await loader.start("catalog", "import", str(path))
    assert await loader.proc.wait() == 0, await loader.output()
