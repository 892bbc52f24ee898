"""The emulated Telegram "world": chats, messages, files, callback queries, events.

Both sides act on it: method handlers (the bot) and ``FakeUser`` (simulated people).
Every visible change is appended to one event log, which drives ``wait_for`` in tests
and the subscription queues (``emu.subscribe()``) of a live front end such as a terminal chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .errors import FORBIDDEN, ApiError, bad_request
from .state import BotMessage, ChatState, FileStore, now
from .validation import normalise_markup, reply_markup_kind

BLOCKED = "Forbidden: bot was blocked by the user"
KICKED = "Forbidden: bot was kicked from the group chat"
NOT_STARTED = "Forbidden: bot can't initiate conversation with a user"


@dataclass
class CallbackRecord:
    """A callback query sent to the bot, and whether/how it was answered."""

    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    update: dict[str, Any]
    answered: bool = False
    answer: dict[str, Any] | None = None
    pressed_at: float = field(default_factory=time.monotonic)


@dataclass
class Event:
    """One visible change, numbered so waiters can tell "before" from "after"."""

    seq: int
    kind: str  # "new" | "edit" | "delete" | "callback_answer" | "action"
    chat_id: int
    payload: Any  # BotMessage, or the params dict for callback answers / actions


@dataclass
class World:
    bot_user: dict[str, Any]
    chats: dict[int, ChatState] = field(default_factory=dict)
    users: dict[int, dict[str, Any]] = field(default_factory=dict)  # user_id -> User JSON
    files: FileStore = field(default_factory=FileStore)
    callbacks: dict[str, CallbackRecord] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    subscribers: list[asyncio.Queue[tuple[str, int, Any]]] = field(default_factory=list)
    payments: Any = None  # payments.PaymentDesk: invoices and pre-checkout queries (set below)

    def __post_init__(self) -> None:
        self._seq = itertools.count(1)
        self._group_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._changed = asyncio.Event()
        from .payments import PaymentDesk  # here: payments imports the registry, which imports this module

        self.payments = PaymentDesk()

    # -- chats -------------------------------------------------------------------------
    def require_chat(self, chat_id: int | str) -> ChatState:
        chat = self.find_chat(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def find_chat(self, chat_id: int | str) -> ChatState | None:
        if isinstance(chat_id, str):  # "@name" addresses public groups/channels only
            name = chat_id.lstrip("@").lower()
            return next(
                (
                    c
                    for c in self.chats.values()
                    if c.type != "private" and c.username and c.username.lower() == name
                ),
                None,
            )
        return self.chats.get(chat_id)

    def require_reachable(self, chat_id: int | str) -> ChatState:
        """A chat the bot may post into right now (403 when blocked/kicked/not started)."""
        chat = self.require_chat(chat_id)
        if chat.blocked:
            raise ApiError(BLOCKED if chat.type == "private" else KICKED, 403, kind=FORBIDDEN)
        if chat.type == "private" and not chat.started:
            raise ApiError(NOT_STARTED, 403, kind=FORBIDDEN)
        return chat

    def require_message(self, chat: ChatState, message_id: int, action: str) -> BotMessage:
        message = chat.messages.get(message_id)
        if message is None:
            raise bad_request(f"message to {action} not found")
        return message

    # -- messages ----------------------------------------------------------------------
    def new_raw(
        self, chat: ChatState, sender: dict[str, Any], content: dict[str, Any]
    ) -> dict[str, Any]:
        raw = {
            "message_id": chat.take_message_id(),
            "from": sender,
            "chat": chat.to_api(),
            "date": now(),
        }
        raw.update(content)
        return raw

    def post_from_bot(
        self,
        chat: ChatState,
        content: dict[str, Any],
        *,
        markup: dict[str, Any] | None = None,
        html: str | None = None,
        parse_mode: str | None = None,
        reply_to: BotMessage | None = None,
    ) -> BotMessage:
        """Store a message the bot sent; applies the custom-keyboard side effects."""
        content = dict(content)
        inline = normalise_markup(markup)
        if inline:
            content["reply_markup"] = inline
        if reply_to is not None:
            content["reply_to_message"] = _without_reply(reply_to.raw)
        raw = self.new_raw(chat, self.bot_user, content)
        kind = reply_markup_kind(markup)
        keyboard = None
        if kind == "reply" and markup is not None:
            chat.reply_keyboard = markup
            keyboard = keyboard_texts(markup)
        elif kind == "remove":
            chat.reply_keyboard = None
        message = BotMessage.from_raw(
            raw, from_bot=True, html=html, parse_mode=parse_mode, reply_keyboard=keyboard
        )
        self.put(chat, message, "new")
        return message

    def post_from_user(self, chat: ChatState, user: dict[str, Any], content: dict) -> BotMessage:
        message = BotMessage.from_raw(self.new_raw(chat, user, content), from_bot=False)
        chat.started = True
        self.put(chat, message, "new")
        return message

    def put(self, chat: ChatState, message: BotMessage, kind: str) -> None:
        chat.messages[message.message_id] = message
        self.emit(kind, chat.id, message)

    def edit(
        self,
        chat: ChatState,
        old: BotMessage,
        raw: dict[str, Any],
        *,
        html: str | None = None,
        parse_mode: str | None = None,
    ) -> BotMessage:
        raw = {**raw, "edit_date": now()}
        message = BotMessage.from_raw(
            raw,
            from_bot=old.from_bot,
            html=html if html is not None else old.html,
            parse_mode=parse_mode if html is not None else old.parse_mode,
            edited=old.edited + 1,
            reply_keyboard=old.reply_keyboard,
        )
        self.put(chat, message, "edit")
        return message

    def delete(self, chat: ChatState, message_id: int) -> None:
        message = chat.messages.pop(message_id)
        self.emit("delete", chat.id, message)

    def new_media_group_id(self) -> str:
        return f"{13_000_000_000_000_000 + next(self._group_ids)}"

    def new_callback_id(self) -> str:
        return f"{4_400_000_000_000_000_000 + next(self._callback_ids)}"

    # -- events ------------------------------------------------------------------------
    def emit(self, kind: str, chat_id: int, payload: Any) -> None:
        event = Event(next(self._seq), kind, chat_id, payload)
        self.events.append(event)
        for queue in self.subscribers:
            queue.put_nowait((kind, chat_id, payload))
        self._changed.set()
        self._changed = asyncio.Event()

    @property
    def last_seq(self) -> int:
        return self.events[-1].seq if self.events else 0

    def events_after(self, seq: int) -> Iterator[Event]:
        # events are appended in seq order; scan from the end for speed on long runs
        start = len(self.events)
        while start > 0 and self.events[start - 1].seq > seq:
            start -= 1
        yield from self.events[start:]

    async def changed(self, timeout: float) -> None:
        """Wait until the next event (or the timeout); never raises on timeout."""
        waiter = self._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(waiter.wait(), timeout=max(timeout, 0))

    def messages_in(self, chat_id: int) -> list[BotMessage]:
        chat = self.chats.get(chat_id)
        return list(chat.messages.values()) if chat else []


def keyboard_texts(markup: dict[str, Any]) -> list[list[str]]:
    rows = markup.get("keyboard", [])
    return [[b if isinstance(b, str) else b.get("text", "") for b in row] for row in rows]


def _without_reply(raw: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in raw.items() if k != "reply_to_message"}
