"""``ChatView``: a chat as the people in it see it, and how a test waits for the bot in it.

Both a private chat (``FakeUser`` extends it) and a group/channel (``emu.chat()``) are shown this way:
the messages currently visible (edits applied, deleted ones gone), the last bot message, and
``wait_for`` -- the race-free way to wait for the bot's answer to the last action.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, Protocol

from .errors import EmulatorError
from .state import BotMessage, ChatState, now
from .world import World

Predicate = Callable[[BotMessage], bool]


class Host(Protocol):
    """What a chat handle needs from the emulator (a protocol, so the handles never import the server)."""

    world: World
    errors: list[EmulatorError]

    def push_update(self, update: dict[str, Any]) -> int: ...

    def chat(self, chat_id: int) -> ChatView: ...


class ChatView:
    """A chat as seen by its participants: messages, waiting for the bot, blocking."""

    def __init__(self, emu: Host, chat_id: int) -> None:
        self._emu = emu
        self.chat_id = chat_id
        self._mark = 0  # event seq of the last user action in this chat

    @property
    def state(self) -> ChatState:
        return self._emu.world.chats[self.chat_id]

    @property
    def messages(self) -> list[BotMessage]:
        """All messages currently visible in the chat, oldest first."""
        return self._emu.world.messages_in(self.chat_id)

    @property
    def bot_messages(self) -> list[BotMessage]:
        return [m for m in self.messages if m.from_bot]

    @property
    def last(self) -> BotMessage:
        """The newest bot message; LookupError if the bot has not written here."""
        bot_messages = self.bot_messages
        if not bot_messages:
            raise LookupError(f"the bot has sent nothing to chat {self.chat_id}\n{self.dump()}")
        return bot_messages[-1]

    def message(self, message_id: int) -> BotMessage:
        """The current version of one message of this chat."""
        try:
            return self.state.messages[message_id]
        except KeyError:
            raise LookupError(f"no message #{message_id} in chat {self.chat_id}") from None

    def mark(self) -> int:
        """Make ``wait_for`` ignore everything that happened so far."""
        self._mark = self._emu.world.last_seq
        return self._mark

    async def wait_for(
        self,
        predicate: Predicate | None = None,
        timeout: float = 5.0,
        *,
        since: int | None = None,
    ) -> BotMessage:
        """First bot message (new or edited) since the last action here matching predicate.

        "Since the last action" (or since ``mark()``/``since``) makes the call race-free:
        a reply that arrived before ``wait_for`` was awaited still counts, while
        answers to earlier steps of the scenario do not.
        """
        world = self._emu.world
        seq = self._mark if since is None else since
        deadline = time.monotonic() + timeout
        while True:
            for event in world.events_after(seq):
                seq = event.seq
                message = event.payload
                if (
                    event.kind in ("new", "edit")
                    and event.chat_id == self.chat_id
                    and message.from_bot
                    and (predicate is None or predicate(message))
                ):
                    return message
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                errors = "\n".join(f"  {e}" for e in self._emu.errors) or "  (none)"
                raise TimeoutError(
                    f"no matching bot message in chat {self.chat_id} within {timeout}s\n"
                    f"{self.dump()}\nrejected requests:\n{errors}"
                )
            await world.changed(remaining)

    def dump(self) -> str:
        lines = [f"chat {self.chat_id} ({self._title()}):"]
        lines += [f"  {m.describe()}".replace("\n", "\n  ") for m in self.messages]
        if len(lines) == 1:
            lines.append("  (empty)")
        return "\n".join(lines)

    def _title(self) -> str:
        state = self.state
        return state.title or " ".join(filter(None, [state.first_name, state.last_name])) or ""

    async def post(self, text: str) -> dict[str, Any]:
        """A channel's own post (a ``channel_post`` update: no ``from``, the channel is ``sender_chat``)."""
        chat = self.state
        if chat.type != "channel":
            raise ValueError("only a channel has channel posts; people write with FakeUser.send_text")
        raw = {"message_id": chat.take_message_id(), "sender_chat": chat.to_api(),
               "chat": chat.to_api(), "date": now(), "text": text}
        self._emu.world.put(chat, BotMessage.from_raw(raw, from_bot=False), "new")
        self._emu.push_update({"channel_post": raw})
        await asyncio.sleep(0)
        return raw

    def block(self) -> None:
        """Private chat: the user blocks the bot. Group: the bot is removed from it."""
        self.state.blocked = True

    def unblock(self) -> None:
        self.state.blocked = False

    def set_member(self, user_id: int, status: str = "member") -> None:
        """Status getChatMember reports: member, left, kicked, creator, administrator."""
        self.state.members[user_id] = status
