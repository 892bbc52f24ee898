"""Hostile updates of every kind from many people, seeded: the generator behind tests/e2e/test_fuzz.py
(a few hundred) and benchmarks/hostile_updates.py (10,000).

A crowd of parents, a few group chats the bot is in and a channel do, at random: /start, /help and other
commands, texts of any length (up to 5,000 characters, with HTML-looking and odd characters), stickers, voice,
locations, contacts, receipt photos, PDFs and files that are no receipts, albums, forwards (one kind of which
the installed aiogram cannot parse), edits of their own messages, real button presses, replays of old
buttons, forged callback data (random, or copied from the director's cards), presses on messages deleted or
never sent, blocking the bot and writing anyway, and writing in groups and the channel. The director now and
then approves or rejects a receipt card. Everything goes through the emulator exactly as Telegram would
deliver it.
"""

from __future__ import annotations

import random
import string
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from tgemulator import BotAPIEmulator, BotMessage
from tgemulator.chat_view import ChatView
from tgemulator.client import FakeUser
from tgemulator.media import SAMPLE_JPEG

NAMES = ["Аня", "Оля", "Катя", "Ира", "Лена", "Маша", "Вера", "Таня", "Света", "Юля", "Наташа", "Ден", "Макс",
         "<b>Хакер</b>", "Robert'); DROP TABLE parents;--", "😀", "A" * 64]
ODD_TEXTS = ["", " ", "<b>жирный</b>", "<script>alert(1)</script>", "&amp; &lt;", "/start@other_bot",
             "/admin", "/receipts", "/unknown", "💳💳💳", "\u200b", "a\nb\nc", "Подтвердить", "Назад", "1",
             "https://evil.example.com", "' OR 1=1 --", "%s%s%s", "{}", "null"]
BAD_DOCS = [("virus.exe", "application/x-msdownload"), ("notes.txt", "text/plain"),
            ("archive.zip", "application/zip"), ("чек.pdf", "application/pdf"), ("scan.png", "image/png")]

Action = Callable[[], Awaitable[Any]]


class HostileCrowd:
    def __init__(self, emu: BotAPIEmulator, rng: random.Random, *, parents: int, groups: int, admin_id: int,
                 first_user_id: int = 610_000):
        self.emu, self.rng = emu, rng
        self.parents = [emu.user(first_user_id + i, rng.choice(NAMES), username=rng.choice([None, f"p{i}"]))
                        for i in range(parents)]
        self.groups = [emu.chat(-100_500_000 - i, "supergroup", f"Родители {i + 1}") for i in range(groups)]
        self.channel = emu.chat(-100_600_000, "channel", "Новости Happy Kids")
        self.admin = emu.user(admin_id, "Директор")
        self.kinds: Counter[str] = Counter()
        self._blocked_now: set[int] = set()
        # (chat id, message id) of presses on messages that are not there: the bot's edit of such a message
        # is refused ("message to edit not found"), which is how it learns to send the step anew.
        self.gone: set[tuple[int, int]] = set()
        self._actions: list[tuple[str, Callable[[FakeUser], Awaitable[Any]], int]] = [
            ("start", lambda p: p.send_command("/start"), 12),
            ("help", lambda p: p.send_command("/help"), 3),
            ("text", self._text, 12),
            ("long_text", lambda p: p.send_text(self._long_text()), 3),
            ("sticker", lambda p: p.send_sticker(), 3),
            ("voice", lambda p: p.send_voice(), 1),
            ("location", lambda p: p.send_location(), 1),
            ("contact", lambda p: p.send_contact(), 1),
            ("photo", self._photo, 5),
            ("document", self._document, 3),
            ("album", self._album, 1),
            ("forward", self._forward, 2),
            ("edit", self._edit, 4),
            ("press", self._press, 30),
            ("replay", self._replay, 6),
            ("forged", self._forged, 5),
            ("press_missing", self._press_missing, 3),
            ("press_deleted", self._press_deleted, 2),
            ("blocked", self._blocked, 2),
            ("group", self._group, 5),
        ]
        self._weights = [weight for *_, weight in self._actions]

    async def act(self) -> str:
        """One random thing someone does; returns what it was."""
        roll = self.rng.random()
        if roll < 0.01:
            kind = "channel_post"
            await self.channel.post(self._short_text())
        elif roll < 0.04:
            kind = "director"
            await self._director()
        else:
            kind, action, _ = self.rng.choices(self._actions, self._weights)[0]
            await action(self.rng.choice(self.parents))
        self.kinds[kind] += 1
        return kind

    # -- texts ---------------------------------------------------------------------------------------------
    def _short_text(self) -> str:
        if self.rng.random() < 0.4:
            return self.rng.choice(ODD_TEXTS) or "пусто"
        return "".join(self.rng.choice(string.ascii_letters + "абвгдеёжзий <>&;\"'") for _ in
                       range(self.rng.randint(1, 60))).strip() or "ok"

    def _long_text(self) -> str:
        size = self.rng.choice([4096, 4097, 5000])
        return ("Очень длинное сообщение <b>с тегами</b> & символами " * 100)[:size]

    async def _text(self, parent: FakeUser) -> Any:
        return await parent.send_text(self._short_text())

    # -- files ---------------------------------------------------------------------------------------------
    async def _photo(self, parent: FakeUser) -> Any:
        data = SAMPLE_JPEG + bytes(self.rng.getrandbits(8) for _ in range(8))  # a new file each time
        return await parent.send_photo(data, caption=self.rng.choice([None, "чек", self._long_text()[:1100]]))

    async def _document(self, parent: FakeUser) -> Any:
        name, mime = self.rng.choice(BAD_DOCS)
        data = b"%PDF-1.4\n" + bytes(self.rng.getrandbits(8) for _ in range(32))
        return await parent.send_document(data, file_name=name, mime_type=mime)

    async def _album(self, parent: FakeUser) -> Any:
        pages = [SAMPLE_JPEG + bytes(self.rng.getrandbits(8) for _ in range(8)) for _ in range(self.rng.randint(2, 3))]
        return await parent.send_album(pages)

    async def _forward(self, parent: FakeUser) -> Any:
        origin = self.rng.choice([
            None,  # the hidden_user origin aiogram cannot parse (aiogram issue #1840)
            {"type": "hidden_user", "date": 1700000000, "sender_user_name": "Скрытый"},
            {"type": "user", "date": 1700000000, "sender_user": {"id": 42, "is_bot": False, "first_name": "Кто"}},
        ])
        return await parent.send_forwarded(self._short_text(), origin)

    async def _edit(self, parent: FakeUser) -> Any:
        own = [m for m in parent.messages if not m.from_bot and m.kind == "text"]
        if not own:
            return await parent.send_text(self._short_text())
        return await parent.edit_message(self.rng.choice(own).message_id, self._short_text() + " (испр.)")

    # -- buttons -------------------------------------------------------------------------------------------
    def _with_buttons(self, view: ChatView) -> list[BotMessage]:
        return [m for m in view.bot_messages if m.buttons and any(b.callback_data for row in m.buttons for b in row)]

    async def _press(self, parent: FakeUser) -> Any:
        messages = self._with_buttons(parent)
        if not messages:
            return await parent.send_command("/start")
        message = messages[-1] if self.rng.random() < 0.8 else self.rng.choice(messages)
        return await self._press_any_button(parent, message)

    async def _press_any_button(self, who: FakeUser, message: BotMessage) -> Any:
        buttons = [b for row in message.buttons for b in row if b.callback_data]
        button = self.rng.choice(buttons)
        return await who.press_forged(message.message_id, button.callback_data or "")

    async def _replay(self, parent: FakeUser) -> Any:
        """An old button pressed again: the data it carried then, on the message as it is now."""
        old = [(m.message_id, b.callback_data) for m in parent.bot_messages for row in m.buttons for b in row
               if b.callback_data]
        seen = self._seen_data(parent)
        if not old or not seen:
            return await self._press(parent)
        message_id, _ = self.rng.choice(old)
        return await parent.press_forged(message_id, self.rng.choice(seen))

    def _seen_data(self, parent: FakeUser) -> list[str]:
        return [b.callback_data for m in parent.bot_messages for row in m.buttons for b in row if b.callback_data]

    async def _forged(self, parent: FakeUser) -> Any:
        director_data = [b.callback_data for m in self.admin.bot_messages for row in m.buttons for b in row
                         if b.callback_data]
        roll = self.rng.random()
        if director_data and roll < 0.4:
            data = self.rng.choice(director_data)  # a director's card button, replayed by a parent
        elif roll < 0.7:
            data = "".join(self.rng.choice(string.printable.strip()) for _ in range(self.rng.randint(1, 64)))
        else:
            prefix = self.rng.choice(["pick", "nav", "rv", "adm", "x"])
            data = f"{prefix}:{self.rng.randint(-5, 99999)}:{self.rng.choice(['', 'x', '999999999999'])}"
        target = self.rng.choice(self._with_buttons(parent) or parent.bot_messages or [None])
        message_id = target.message_id if target is not None else self.rng.randint(1, 10_000)
        if target is None:
            self.gone.add((parent.id, message_id))
        return await parent.press_forged(message_id, data)

    async def _press_missing(self, parent: FakeUser) -> Any:
        seen = self._seen_data(parent) or ["nav:back"]
        message_id = self.rng.randint(50_000, 90_000)
        self.gone.add((parent.id, message_id))
        return await parent.press_forged(message_id, self.rng.choice(seen))

    async def _press_deleted(self, parent: FakeUser) -> Any:
        messages = self._with_buttons(parent)
        if not messages:
            return await parent.send_command("/start")
        message = self.rng.choice(messages)
        await parent.delete_message(message.message_id)
        self.gone.add((parent.id, message.message_id))
        buttons = [b for row in message.buttons for b in row if b.callback_data]
        return await parent.press_on(message, self.rng.choice(buttons).text)

    # -- people and chats ----------------------------------------------------------------------------------
    async def _blocked(self, parent: FakeUser) -> Any:
        """Writes (or edits), then blocks the bot before it answers; unblocks later by writing again."""
        parent.block()
        if self.rng.random() < 0.5:
            await self._edit(parent)
        else:
            await parent.send_text(self._short_text())
        self._blocked_now.add(parent.id)

    async def _group(self, parent: FakeUser) -> Any:
        group = self.rng.choice(self.groups)
        roll = self.rng.random()
        if roll < 0.3:
            return await parent.send_command("/start", chat_id=group.chat_id)
        if roll < 0.5:
            return await parent.send_photo(chat_id=group.chat_id)
        if roll < 0.7 and self._with_buttons(group):
            return await self._press_any_button_in(parent, group)
        return await parent.send_text(self._short_text(), chat_id=group.chat_id)

    async def _press_any_button_in(self, parent: FakeUser, group: ChatView) -> Any:
        message = self.rng.choice(self._with_buttons(group))
        buttons = [b for row in message.buttons for b in row if b.callback_data]
        return await parent.press_forged(message.message_id, self.rng.choice(buttons).callback_data or "",
                                         chat_id=group.chat_id)

    async def _director(self) -> Any:
        cards = [m for m in self._with_buttons(self.admin) if m.has_button("Подтвердить")]
        if not cards:
            return await self.admin.send_command("/receipts")
        card = self.rng.choice(cards)
        label = self.rng.choice(["Подтвердить", "Отклонить"])
        await self.admin.press_forged(card.message_id, card.find_button(label).callback_data or "")
        if label == "Отклонить" and self.rng.random() < 0.5:
            await self.admin.send_text(self._short_text())  # a reason, or what she types next
        return None

    def unexpected(self, errors: list[Any]) -> list[Any]:
        """The emulator's rejections that are bugs: all but the edits of messages pressed while gone."""
        return [e for e in errors if not (
            e.description == "Bad Request: message to edit not found"
            and (int(e.params.get("chat_id", 0)), int(e.params.get("message_id", 0))) in self.gone)]

    def unblock_all(self) -> None:
        """Everyone who blocked the bot changes their mind (between rounds)."""
        for parent in self.parents:
            if parent.id in self._blocked_now:
                parent.unblock()
        self._blocked_now.clear()
