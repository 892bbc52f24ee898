"""`happykids demo`: the real bot, offline, in this terminal.

The real build_app (same handlers, storage and database code) polls a Bot API emulator on 127.0.0.1;
you are a parent (or, with /as admin, the director) typing into the chat (see demo/chat.py).

Two things make it behave like a real chat app rather than a script:
* The emulated Telegram is saved next to the demo's database (`telegram.json`) after every line and at exit,
  and loaded at start: the bot remembers message ids and file ids (the live step, every copy of a receipt
  card), so after a restart they must still exist, as they would in Telegram.
* Lines are read from the terminal by a daemon thread with `os.read` (asyncio has no portable stdin reader
  that also works on files and ttys without making stdout non-blocking): Ctrl+C cancels the demo at once, and
  no thread holds a lock on `sys.stdin` at exit.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import logging
import os
import sys
import threading
from pathlib import Path
from typing import Any

from aiogram.fsm.storage.base import StorageKey
from pydantic import SecretStr

from happykids.app import App, build_app, run_polling
from happykids.config import Settings
from happykids.db.repositories.catalog import catalog_is_empty, replace_catalog
from happykids.demo.chat import HELP, DemoChat, Side
from happykids.demo.samples import seed_sample_project
from happykids.domain.catalog_yaml import parse_catalog_yaml
from happykids.handlers.admin.panel import ADMIN_DESTINY
from happykids.ui.states import PROJECT_CHOOSING, PaymentDialog, ProjectDialog
from tgemulator import BotAPIEmulator
from tgemulator.snapshot import load_world, save_world

EXAMPLE = Path(__file__).resolve().parents[1] / "catalogs" / "example.yaml"
DEMO_PROVIDER_TOKEN = "381764678:TEST:demo"  # noqa: S105 - offline demo: the shape of ЮKassa's test token
PARENT: dict[str, Any] = dict(user_id=1001, first_name="Анна", username="anna_mama")
DIRECTOR: dict[str, Any] = dict(user_id=1, first_name="Директор", username="happykids_director")
WORLD_FILE = "telegram.json"
# The parent's steps that take buttons, not text: a number typed there presses a button.
BUTTON_STEPS = ({state.state for state in PaymentDialog.__all_states__} | PROJECT_CHOOSING
                | {ProjectDialog.pay.state})


class TypedLines:
    """Lines typed into the terminal (None at the end of input), read by a daemon thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop, fd: int) -> None:
        self._loop = loop
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        threading.Thread(target=self._read, args=(fd,), name="demo-stdin", daemon=True).start()

    def _put(self, line: str | None) -> bool:
        try:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, line)
        except RuntimeError:  # the demo has ended and its loop is closed
            return False
        return True

    def _read(self, fd: int) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        pending = ""
        while True:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                chunk = b""
            pending += decoder.decode(chunk, final=not chunk)
            *lines, pending = pending.split("\n")
            for line in lines:
                if not self._put(line):
                    return
            if not chunk:
                self._put(pending or None)
                if pending:
                    self._put(None)
                return

    async def get(self) -> str | None:
        return await self._queue.get()


async def _seed_catalog(app: App) -> None:
    async with app.sessions() as session, session.begin():
        if await catalog_is_empty(session):
            await replace_catalog(session, parse_catalog_yaml(EXAMPLE.read_text(encoding="utf-8")))
            await seed_sample_project(session)


def _expects_text(app: App) -> Any:
    async def expects_text(user_id: int) -> bool:
        """Is the bot waiting for this person to type something (a sum, an id, a reason)?"""
        for destiny in ("default", ADMIN_DESTINY):
            key = StorageKey(bot_id=app.bot.id, chat_id=user_id, user_id=user_id, destiny=destiny)
            state = await app.dp.storage.get_state(key)
            if state and state not in BUTTON_STEPS:
                return True
        return False

    return expects_text


def _quiet_logs() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # Start-up advice is for the operator of a real bot ("the director never opened the bot"); the demo's
    # people are simulated and have all pressed Start. A rejected request (tgemulator) still shows.
    logging.getLogger("happykids.app.wiring").setLevel(logging.ERROR)


async def _settle(emu: BotAPIEmulator, quiet: float) -> None:
    with contextlib.suppress(TimeoutError):  # a slow answer is printed when it comes
        await emu.settle(quiet=quiet, timeout=30)


async def run_demo(settings: Settings, data_dir: Path | None = None, as_admin: bool = False) -> int:
    _quiet_logs()
    data_dir = data_dir or settings.data_dir / "demo"
    emu = BotAPIEmulator()
    sides = [
        Side("parent", emu.user(**PARENT), "родитель", "родителю", "Начните с /start."),
        Side("admin", emu.user(**DIRECTOR), "директор", "директору", "Попробуйте /admin и /receipts."),
    ]
    world = data_dir / WORLD_FILE
    resumed = load_world(emu, world)
    orphaned = not resumed and (data_dir / "happykids.sqlite3").exists()  # made by a demo that kept no chats
    await emu.start()
    app: App | None = None
    polling: asyncio.Task[None] | None = None
    try:  # from here on, Ctrl+C at any moment stops what has started, and nothing else
        app = await build_app(Settings(
            _env_file=None, bot_token=emu.token, bot_api_url=emu.base_url, data_dir=data_dir,
            admin_ids=[DIRECTOR["user_id"]],
            payments_provider_token=SecretStr(DEMO_PROVIDER_TOKEN),  # «💳 Оплатить в Telegram»; /pay pays
        ))
        await _seed_catalog(app)
        out_dir = data_dir / "downloads"
        out_dir.mkdir(parents=True, exist_ok=True)
        chat = DemoChat(emu, sides, out_dir, color=sys.stdout.isatty(), expects_text=_expects_text(app))
        chat.prompt = sys.stdin.isatty()
        dp, outbox = app.dp, app.workers.outbox  # settle() waits for handlers still busy after their last
        # request, and for the outbox (the director's card, its buttons, «получили»): a line's whole answer
        emu.idle_check = lambda: (not (poller := dp.workflow_data.get("poller")) or not poller.busy) \
            and not outbox.busy
        polling = asyncio.create_task(run_polling(app, handle_signals=False))
        await asyncio.sleep(0)  # it has begun: its own `finally` closes the app from now on
        chat.print("Happy Kids — демо-режим: настоящий бот, без интернета и без токена.\n" + HELP)
        chat.print(f"Данные демо: {data_dir}." + (" Продолжаем с того места, где остановились." if resumed else ""))
        if orphaned:
            chat.print("Переписка прошлых запусков не сохранилась (их сделала прежняя версия демо): бот может "
                       f"не найти старые сообщения. Начать с чистого листа — удалить папку {data_dir}.")
        await _converse(chat, emu, world, "admin" if as_admin else "parent")
    finally:
        await _stop(app, polling, emu)
        save_world(emu, world)
    return 0


async def _converse(chat: DemoChat, emu: BotAPIEmulator, world: Path, side: str) -> None:
    """Read lines until /quit, the end of input or Ctrl+C; print what each one caused."""
    lines = TypedLines(asyncio.get_running_loop(), sys.stdin.fileno())
    watcher = asyncio.create_task(chat.watch())
    try:
        await chat.switch(side, greeting=f"\nВы пишете как {chat.sides[side].title}.")
        while True:
            chat.show_prompt()
            line = await lines.get()
            if line is None:  # end of input: Ctrl+D, or the end of a script piped in
                break
            if not chat.prompt and line.strip():  # a script: show what was "typed", so it reads like a chat
                chat.print(f"\n» {line.strip()}")
            chat.busy = True
            try:
                keep = await chat.handle(line)
                await _settle(emu, 0.3)
                await chat.flush()
            finally:
                chat.busy = False
            save_world(emu, world)
            if not keep:
                break
        await _settle(emu, 0.5)
        await chat.flush()
    finally:
        if chat.prompt:
            print(flush=True)  # off the prompt line, so the shell's prompt starts on its own
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher


async def _stop(app: App | None, polling: asyncio.Task[None] | None, emu: BotAPIEmulator) -> None:
    if polling is not None:
        if app is not None and app.dp._running_lock.locked():  # noqa: SLF001 - aiogram has no public "is polling"
            await app.dp.stop_polling()
        else:  # still reaching the emulator (Ctrl+C at once): nothing to stop gracefully
            polling.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(polling, 10)
    elif app is not None:
        await app.close()
    await emu.stop()
