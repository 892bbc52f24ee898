"""The replicas of replicas_load.py and the load balancer in front of them.

Why it exists: a replica is a whole bot process serving its own port, and something must spread Telegram's
updates across them. With the webhook branch the emulator does that (`emu.set_webhook_targets`, Telegram's own
rules: per-chat order, retries until 2xx); until then `Delivery` pumps the emulator's queue itself. Kept apart so
the load script reads as the scenario it runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
from _bench_emulator import TimedEmulator
from _bench_spawn import _happykids_command

WEBHOOK_URL = "https://bot.example/telegram"  # public address Telegram would call; the targets stand for the proxy
WEBHOOK_SECRET = "replicas-load-secret"  # noqa: S105 - a test value


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Replica:
    """One bot process serving its own port: `happykids run --webhook` with the webhook branch, otherwise the
    tests' replica server (the same app fed over HTTP: tests/e2e/replica_server.py)."""

    def __init__(self, index: int, env: dict[str, str], workdir: Path, webhook: bool):
        self.index, self.port, self.workdir = index, free_port(), workdir
        self.env = {**env, "WEBHOOK_HOST": "127.0.0.1", "WEBHOOK_PORT": str(self.port)}
        self.command = ([*_happykids_command(), "--webhook"] if webhook
                        else [sys.executable, "-m", "tests.e2e.replica_server", str(self.port)])
        if webhook:
            self.env.update(WEBHOOK_URL=WEBHOOK_URL, WEBHOOK_SECRET=WEBHOOK_SECRET)
        self.proc: asyncio.subprocess.Process | None = None

    @property
    def address(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        log = (self.workdir / f"replica-{self.index}.log").open("ab")  # a file: a full pipe would stall the bot
        self.proc = await asyncio.create_subprocess_exec(*self.command, env=self.env, cwd=self.workdir,
                                                         stdout=log, stderr=log)
        log.close()

    async def ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(OSError):
                _reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.close()
                return
            if self.proc is None or self.proc.returncode is not None or time.monotonic() > deadline:
                tail = (self.workdir / f"replica-{self.index}.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"replica {self.index} did not start: {tail}")
            await asyncio.sleep(0.1)

    def kill9(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)

    async def stop(self) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.proc.wait(), 30)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()


class Delivery:
    """Telegram's webhook behind a load balancer. With the webhook branch the emulator does it
    (`emu.set_webhook_targets`: per-chat order, retries until 2xx, like Telegram); without it this pump takes the
    updates from the emulator's queue and POSTs each to the next live replica, at most MAX_CONNECTIONS at once
    (Telegram's default for a webhook), retrying on another one when a replica does not answer (as a load
    balancer with retries would)."""

    MAX_CONNECTIONS = 40

    def __init__(self, emu: TimedEmulator, replicas: list[Replica]):
        self.emu, self.live = emu, list(replicas)
        self.webhook = hasattr(emu, "set_webhook_targets")
        self._pump: asyncio.Task[None] | None = None
        self._posts: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> Delivery:
        if self.webhook:
            self.emu.set_webhook_targets([r.address for r in self.live])  # type: ignore[attr-defined]
        else:
            self._http = aiohttp.ClientSession()
            self._turn = itertools.count()
            self._slots = asyncio.Semaphore(self.MAX_CONNECTIONS)
            self._pump = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._pump is not None:
            self._pump.cancel()
            await asyncio.gather(self._pump, *self._posts, return_exceptions=True)
            await self._http.close()

    def drop(self, replica: Replica) -> None:
        """The load balancer's health check noticed a dead replica."""
        self.live = [r for r in self.live if r is not replica]
        if self.webhook:
            self.emu.set_webhook_targets([r.address for r in self.live])  # type: ignore[attr-defined]

    async def _run(self) -> None:
        offset = None
        while True:
            batch = await self.emu.updates.get(offset=offset, limit=100, timeout=1, allowed_updates=None,
                                               alive=lambda: True)
            for update in batch:
                offset = update["update_id"] + 1
                post = asyncio.create_task(self._post(update))
                self._posts.add(post)
                post.add_done_callback(self._posts.discard)

    async def _post(self, update: dict[str, Any]) -> None:
        async with self._slots:
            await self._post_until_answered(update)

    async def _post_until_answered(self, update: dict[str, Any]) -> None:
        for attempt in range(20):
            replica = self.live[next(self._turn) % len(self.live)]
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with self._http.post(replica.address + "/update", json=update,
                                           timeout=aiohttp.ClientTimeout(total=60)) as answer:
                    if answer.status == 200:
                        return
            await asyncio.sleep(min(2.0, 0.05 * 2 ** attempt))
