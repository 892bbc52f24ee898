"""The demo's two people at one keyboard: what each of them sees, and what a typed line means.

Why it is built this way:
* What the bot does in answer to one line is shown as one batch once the bot is quiet, each message once, as
  it looks at the end: a card whose caption and buttons change in two requests is printed once, not twice.
* The person typing is the parent or the director (`/as`). What reaches the other one is announced in one
  line and kept; on `/as` it is shown in full, so the parent's «оплата подтверждена» is on screen after
  `/as parent`. With nothing new, `/as` shows that side's last screen.
* A typed line is text for the bot, except a bare number that matches a shown button while the bot is not
  waiting for typed input (a sum, an id, a reason): then it presses the button. `#N` always presses.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from happykids.demo.render import dim, first_line, render_message
from happykids.demo.samples import sample_receipt_jpeg, sample_receipt_pdf
from tgemulator import BotAPIEmulator, BotMessage, Button, FakeUser

HELP = """Как пользоваться демо:
  1, 2, …        — нажать кнопку с этим номером (из последних сообщений с кнопками)
  #1             — нажать кнопку [1], даже когда бот ждёт от вас текст
  любой текст    — отправить боту (/start, /help, /admin — тоже). Число уходит боту текстом,
                   когда бот его просит (сумму, id) или когда кнопки с таким номером нет
  /photo [ПУТЬ]  — отправить фото чека (без пути — пример)
  /pdf [ПУТЬ]    — отправить PDF чека (без пути — пример)
  /sticker, /voice — отправить стикер или голосовое
  /pay           — оплатить последний счёт «💳 Оплатить в Telegram» (деньги не настоящие)
  /as admin | /as parent — писать как директор или как родитель (покажет, что их ждёт)
  /demo          — эта подсказка;  /quit или Ctrl+C — выйти"""

PRESS = re.compile(r"#\s*(\d+)")
ExpectsText = Callable[[int], Awaitable[bool]]


@dataclass
class Side:
    """One of the two people the demo's user can be."""

    key: str  # what `/as` takes: "parent" | "admin"
    user: FakeUser
    title: str  # «родитель», «директор»
    to: str  # «родителю», «директору»
    hint: str  # what to try when the chat is still empty
    unseen: dict[int, None] = field(default_factory=dict)  # messages that changed while the other one typed


class DemoChat:
    def __init__(self, emu: BotAPIEmulator, sides: list[Side], out_dir: Path, color: bool,
                 expects_text: ExpectsText) -> None:
        self.emu = emu
        self.sides = {side.key: side for side in sides}
        self.active = sides[0].key
        self.out_dir = out_dir
        self.color = color
        self.expects_text = expects_text
        self.buttons: dict[int, tuple[int, Button]] = {}  # number -> (message id, button) the user can press
        self.prompt = False  # a terminal: show a prompt before each line
        self.busy = False  # a typed line is being answered: its caller prints the batch when the bot is quiet
        self._batch: dict[tuple[Any, ...], Any] = {}  # what to print next, in order; one entry per message
        self._fresh: set[tuple[Any, ...]] = set()  # batch entries that are new messages (not edits)
        self._shown: dict[tuple[int, int], str] = {}  # (chat, message) -> the text last printed
        for side in sides:  # a demo continued from last time: those messages were read then
            for message in side.user.bot_messages:
                self._shown[(message.chat_id, message.message_id)] = message.text
        self._saved: set[str] = set()  # file ids written to out_dir
        self._counter = itertools.count()
        self._queue = emu.subscribe()

    @property
    def side(self) -> Side:
        return self.sides[self.active]

    def print(self, text: str) -> None:
        print(text, flush=True)

    # -- what happens in the chats -------------------------------------------------------------------------

    async def watch(self, quiet: float = 0.3) -> None:
        """Collect every change; what nobody typed for (a card sent by a worker) is printed once quiet."""
        while True:
            try:
                kind, chat_id, payload = await _get(self._queue, quiet)
            except TimeoutError:
                if self._batch and not self.busy:
                    await self.flush()
                continue
            self.collect(kind, chat_id, payload)

    def collect(self, kind: str, chat_id: int, payload: Any) -> None:
        side = next((s for s in self.sides.values() if s.user.user_id == chat_id), None)
        if side is None or (kind in ("new", "edit") and not payload.from_bot):
            return  # another chat, or what the person at the keyboard typed: no need to echo
        if kind == "callback_answer":
            if side is self.side and payload.get("text"):
                self._batch[("toast", next(self._counter))] = payload["text"]
            return
        if kind == "delete":
            self._batch.pop(("msg", chat_id, payload.message_id), None)
            side.unseen.pop(payload.message_id, None)
            return
        if kind not in ("new", "edit"):
            return
        if side is not self.side:
            side.unseen[payload.message_id] = None
            if kind == "new":
                self._batch[("notice", next(self._counter))] = (side, payload)
            return
        key = ("msg", chat_id, payload.message_id)
        if kind == "new":
            self._fresh.add(key)
        self._batch[key] = payload  # an edit of a message already waiting replaces it in its place

    async def flush(self, *, force: bool = False) -> None:
        """Print the batch; `force`: also messages whose only change was losing their buttons."""
        batch, self._batch = self._batch, {}
        fresh, self._fresh = self._fresh, set()
        numbers: dict[int, tuple[int, Button]] = {}
        out: list[str] = []
        same: dict[tuple[str, str], bool] = {}
        for key, value in batch.items():
            if key[0] == "toast":
                out.append(f"  💬 {value}")
            elif key[0] == "notice":
                side, message = value
                out.append(f"  📩 {side.to}: {first_line(message)}  (/as {side.key} — посмотреть)")
            else:
                self._render(value, key in fresh, force, numbers, out, same)
        if numbers:
            self.buttons = numbers
            if await self.expects_text(self.side.user.user_id):
                first = min(numbers)
                out.append(dim(f"   (бот ждёт ответа текстом: число уйдёт ему как текст; кнопку [{first}] "
                               f"нажмёт #{first})", self.color))
        if out:
            self.print("\n".join(out))
            if not self.busy:
                self.show_prompt()

    def show_prompt(self) -> None:
        """In a terminal: who is typing, where the next line goes."""
        if self.prompt:
            print(f"\n{self.side.title} › ", end="", flush=True)

    def _render(self, message: BotMessage, new: bool, force: bool, numbers: dict[int, tuple[int, Button]],
                out: list[str], same: dict[tuple[str, str], bool] | None = None) -> None:
        """`same`: what this batch printed already; a second copy of a card changed the same way is one line."""
        seen = (message.chat_id, message.message_id)
        before = self._shown.get(seen)
        if not new and not force and not message.buttons and before == message.text:
            return  # only its keyboard was taken away (a step that has passed): nothing new to read
        edited = not new and before is not None and before != message.text
        if not message.buttons and same is not None and same.get((message.kind, message.text)) == edited:
            out.append(f"── {'ещё одна копия' if edited else 'ещё одно такое же сообщение'}: то же, что выше")
        else:
            out.append("\n" + render_message(message, numbers, self.color, edited=edited))
        if same is not None and not message.buttons:
            same[(message.kind, message.text)] = edited
        self._shown[seen] = message.text
        if message.file_id and message.kind in ("photo", "document") and message.file_id not in self._saved:
            out.append(dim(f"   файл сохранён: {self._save_file(message)}", self.color))

    def _save_file(self, message: BotMessage) -> Path:
        name = f"{message.chat_id}_{message.message_id}_{message.file_name or message.kind + '.jpg'}"
        path = self.out_dir / name
        path.write_bytes(self.emu.file_bytes(message.file_id or ""))
        self._saved.add(message.file_id or "")
        return path

    # -- switching sides -----------------------------------------------------------------------------------

    async def switch(self, key: str, *, greeting: str | None = None) -> None:
        """Become `key`, and show what is waiting for them (or their last screen)."""
        await self.flush()
        self.active, self.buttons = key, {}
        side = self.side
        messages = [m for m in (_find(side.user, i) for i in side.unseen) if m is not None and m.from_bot]
        side.unseen.clear()
        head = greeting or f"Теперь вы пишете как {side.title}."
        if messages:
            head += " Пока вас не было, пришло:"
        elif side.user.bot_messages:
            messages = [side.user.last]
            head += " Последнее сообщение бота:"
        else:
            head += f" {side.hint}"
        self.print(head)
        for message in messages:
            self._batch[("msg", message.chat_id, message.message_id)] = message
        await self.flush(force=True)

    # -- what a typed line means ---------------------------------------------------------------------------

    async def handle(self, line: str) -> bool:
        """Act on one typed line; False means «leave the demo»."""
        line = line.strip()
        if not line:
            return True
        command = line.split()[0]
        pressed = PRESS.fullmatch(line)
        if line in ("/quit", "/exit"):
            return False
        if line == "/demo":
            self.print(HELP)
        elif command == "/as":
            await self._as(line.removeprefix("/as").strip())
        elif pressed:
            await self.press(int(pressed.group(1)))
        elif line.isdigit() and int(line) in self.buttons and not await self.expects_text(self.side.user.user_id):
            await self.press(int(line))
        elif command in ("/photo", "/pdf"):
            data = _read(line)
            if command == "/photo":
                await self.side.user.send_photo(data or sample_receipt_jpeg())
            else:
                await self.side.user.send_document(data or sample_receipt_pdf(), file_name="чек.pdf",
                                                   mime_type="application/pdf")
        elif line == "/pay":
            await self.pay()
        elif line == "/sticker":
            await self.side.user.send_sticker()
        elif line == "/voice":
            await self.side.user.send_voice()
        else:
            await self.side.user.send_text(line)
        return True

    async def pay(self) -> None:
        """Press «Pay» on the last invoice, as the Telegram app would: the bot must accept the pre-checkout query
        (a changed price is refused with its reason), then gets the payment."""
        try:
            result = await self.side.user.pay()
        except LookupError:
            self.print("Счёта пока нет: на экране со ссылкой нажмите «💳 Оплатить в Telegram».")
            return
        if result.ok:
            self.print("  💳 Telegram: оплата прошла (в демо деньги не настоящие)")
        else:
            self.print(f"  ❌ Telegram не провёл оплату: {result.error_message}")

    async def _as(self, who: str) -> None:
        aliases = {"admin": "admin", "director": "admin", "директор": "admin", "parent": "parent",
                   "родитель": "parent"}
        if not who:
            key = next(k for k in self.sides if k != self.active)
        elif who.lower() in aliases:
            key = aliases[who.lower()]
        else:
            self.print("Можно /as admin (директор) или /as parent (родитель).")
            return
        await self.switch(key)

    async def press(self, number: int) -> None:
        target = self.buttons.get(number)
        if target is None:
            self.print(f"Нет кнопки [{number}] на экране." + (f" Есть [1]–[{len(self.buttons)}]."
                                                                if self.buttons else ""))
            return
        message_id, button = target
        if button.url:
            self.print(f"  (открылась бы ссылка {button.url})")
            return
        current = _find(self.side.user, message_id)
        if current is None or button not in [b for row in current.buttons for b in row]:
            self.print("Этой кнопки уже нет: бот её убрал.")
            return
        await self.side.user.press_data(message_id, button.callback_data or "")


async def _get(queue: asyncio.Queue[tuple[str, int, Any]], timeout: float) -> tuple[str, int, Any]:
    return await asyncio.wait_for(queue.get(), timeout)


def _find(user: FakeUser, message_id: int) -> BotMessage | None:
    try:
        return user.message(message_id)
    except LookupError:
        return None


def _read(line: str) -> bytes | None:
    parts = line.split(maxsplit=1)
    if len(parts) < 2:
        return None
    try:
        return Path(parts[1]).expanduser().read_bytes()
    except OSError as exc:
        print(f"Не удалось прочитать файл: {exc.strerror or exc}. Отправляю пример.")
        return None
