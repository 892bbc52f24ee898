"""`happykids demo`: the real bot, offline, in this terminal.

The real build_app (same handlers, storage and database code) polls a Bot API emulator on 127.0.0.1;
you are a parent (or, with /as admin, the director) typing into the chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from pathlib import Path
from typing import Any

from happykids.app import App, build_app, run_polling
from happykids.config import Settings
from happykids.db.repositories.catalog import catalog_is_empty, replace_catalog
from happykids.demo.render import DIM, RESET, render_message
from happykids.demo.samples import sample_receipt_jpeg, sample_receipt_pdf, seed_sample_project
from happykids.domain.catalog_yaml import parse_catalog_yaml
from tgemulator import BotAPIEmulator, BotMessage, Button, FakeUser

EXAMPLE = Path(__file__).resolve().parents[1] / "catalogs" / "example.yaml"
PARENT: dict[str, Any] = dict(user_id=1001, first_name="Анна", username="anna_mama")
DIRECTOR: dict[str, Any] = dict(user_id=1, first_name="Директор", username="happykids_director")

HELP = """Как пользоваться демо:
  число          — нажать кнопку с этим номером (из последнего сообщения с кнопками)
  любой текст    — отправить сообщение боту (/start, /help, /admin — тоже)
  /photo [ПУТЬ]  — отправить фото чека (без пути — пример)
  /pdf [ПУТЬ]    — отправить PDF чека (без пути — пример)
  /sticker, /voice — отправить стикер или голосовое
  /as parent | /as admin — писать как родитель или как директор
  /quit          — выйти"""


class DemoChat:
    def __init__(self, emu: BotAPIEmulator, out_dir: Path, color: bool) -> None:
        self.emu = emu
        self.out_dir = out_dir
        self.color = color
        self.users = {"parent": emu.user(**PARENT), "admin": emu.user(**DIRECTOR)}
        self.who = "parent"
        self.buttons: dict[int, Button] = {}
        self.button_message = 0  # the message the numbered buttons belong to (set together with them)
        self.printed: dict[int, str] = {}

    @property
    def user(self) -> FakeUser:
        return self.users[self.who]

    def print(self, text: str) -> None:
        print(text, flush=True)

    async def show_events(self) -> None:
        queue = self.emu.subscribe()
        while True:
            kind, chat_id, payload = await queue.get()
            if kind in ("new", "edit") and not payload.from_bot:
                continue  # the person at the keyboard typed it; no need to echo
            if chat_id != self.user.user_id:
                self.notify_other(kind, chat_id, payload)
                continue
            if kind == "callback_answer":
                if payload.get("text"):
                    self.print(f"  💬 {payload['text']}")
                continue
            if kind == "delete":
                continue
            if kind == "edit" and not payload.buttons and self.printed.get(payload.message_id) == payload.text:
                continue  # only its keyboard was removed (an outdated step): nothing new to read
            self.printed[payload.message_id] = payload.text
            numbers: dict[int, Button] = {}
            self.print("\n" + render_message(payload, numbers, self.color))
            if numbers:
                self.buttons, self.button_message = numbers, payload.message_id
            if kind == "new" and payload.file_id and payload.kind in ("photo", "document"):
                self.save_file(payload)

    def notify_other(self, kind: str, chat_id: int, payload: Any) -> None:
        """One line about what the other side of the demo got, so the director's inbox is not a secret."""
        other = next((name for name, user in self.users.items() if user.user_id == chat_id), None)
        if other is None or kind != "new":
            return
        who = "директору" if other == "admin" else "родителю"
        first_line = (payload.text or payload.kind).split("\n")[0][:60]
        self.print(f"  📩 {who}: {first_line}  (/as {other} — посмотреть)")

    def save_file(self, message: BotMessage) -> None:
        name = message.file_name or f"{message.kind}_{message.message_id}.jpg"
        path = self.out_dir / name
        path.write_bytes(self.emu.file_bytes(message.file_id or ""))
        self.print(f"{DIM}   файл сохранён: {path}{RESET}" if self.color else f"   файл сохранён: {path}")

    async def handle(self, line: str) -> bool:
        line = line.strip()
        if not line:
            return True
        if line in ("/quit", "/exit"):
            return False
        if line == "/demo":
            self.print(HELP)
        elif line.startswith("/as "):
            who = line.split(maxsplit=1)[1].strip()
            if who in self.users:
                self.who, self.buttons = who, {}
                self.print(f"Теперь вы пишете как {'директор' if who == 'admin' else 'родитель'}.")
        elif line.isdigit():
            await self.press(int(line))
        elif line.split()[0] == "/photo":
            data = _read(line) or sample_receipt_jpeg()
            await self.user.send_photo(data)
        elif line.split()[0] == "/pdf":
            data = _read(line) or sample_receipt_pdf()
            await self.user.send_document(data, file_name="чек.pdf", mime_type="application/pdf")
        elif line == "/sticker":
            await self.user.send_sticker()
        elif line == "/voice":
            await self.user.send_voice()
        elif line.startswith("/"):
            await self.user.send_command(line)
        else:
            await self.user.send_text(line)
        return True

    async def press(self, number: int) -> None:
        button = self.buttons.get(number)
        if button is None:
            self.print("Нет кнопки с таким номером.")
        elif button.url:
            self.print(f"  (открылась бы ссылка {button.url})")
        else:
            await self.user.press_data(self.button_message, button.callback_data or "")


def _read(line: str) -> bytes | None:
    parts = line.split(maxsplit=1)
    if len(parts) < 2:
        return None
    try:
        return Path(parts[1]).expanduser().read_bytes()
    except OSError as exc:
        print(f"Не удалось прочитать файл: {exc}")
        return None


async def _seed_catalog(app: App) -> None:
    async with app.sessions() as session, session.begin():
        if await catalog_is_empty(session):
            await replace_catalog(session, parse_catalog_yaml(EXAMPLE.read_text(encoding="utf-8")))
            await seed_sample_project(session)


async def run_demo(settings: Settings, data_dir: Path | None = None, as_admin: bool = False) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    data_dir = data_dir or settings.data_dir / "demo"
    emu = BotAPIEmulator()
    await emu.start()
    demo_settings = Settings(
        _env_file=None, bot_token=emu.token, bot_api_url=emu.base_url, data_dir=data_dir,
        admin_ids=[DIRECTOR["user_id"]],
    )
    app = await build_app(demo_settings)
    await _seed_catalog(app)
    out_dir = data_dir / "downloads"
    out_dir.mkdir(parents=True, exist_ok=True)
    chat = DemoChat(emu, out_dir, color=sys.stdout.isatty())
    chat.who = "admin" if as_admin else "parent"
    polling = asyncio.create_task(run_polling(app, handle_signals=False))
    shower = asyncio.create_task(chat.show_events())
    chat.print("Happy Kids — демо-режим: настоящий бот, без интернета и без токена.\n" + HELP)
    chat.print(f"Данные демо: {data_dir}. Начните с /start.\n")
    loop = asyncio.get_running_loop()
    try:
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:  # end of input (a script piped in)
                await emu.settle(quiet=0.5, timeout=10)
                break
            if not await chat.handle(line):
                break
            await emu.settle(quiet=0.3, timeout=10)
    finally:
        await app.dp.stop_polling() if app.dp._running_lock.locked() else None  # noqa: SLF001 - aiogram has no public "is polling"
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(polling, 10)
        shower.cancel()
        await emu.stop()
    return 0
