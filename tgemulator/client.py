"""``FakeUser``: a simulated person who uses the bot, driven by a test or the demo.

A ``FakeUser`` does what a Telegram client would do -- send messages and files, press
inline buttons, tap reply-keyboard buttons, edit its own messages, block the bot -- by
queuing the same updates Telegram would deliver, and it shows the chat the way the
person would see it (edits applied, deleted messages gone; see ``ChatView``).
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from . import payments
from .chat_view import ChatView, Host
from .media import SAMPLE_JPEG, SAMPLE_MP4, SAMPLE_OGG, SAMPLE_WEBP
from .payments import PaymentResult
from .state import BotMessage
from .world import CallbackRecord

_LEADING_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]+)?(?=\s|$)")


class FakeUser(ChatView):
    """A simulated Telegram user; its private chat with the bot has ``chat_id == id``."""

    def __init__(
        self,
        emu: Host,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "ru",
    ) -> None:
        super().__init__(emu, user_id)
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code

    def __repr__(self) -> str:
        return f"FakeUser(id={self.id}, first_name={self.first_name!r})"

    @property
    def user_id(self) -> int:
        """Same as ``id`` (the keyword ``emu.user(user_id=...)`` uses)."""
        return self.id

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    @property
    def callback_answers(self) -> list[dict[str, Any]]:
        """answerCallbackQuery params for this user's queries, in answer order."""
        records = self._emu.world.callbacks.values()
        return [r.answer for r in records if r.user_id == self.id and r.answer is not None]

    @property
    def reply_keyboard(self) -> list[list[str]] | None:
        """The custom (reply) keyboard the user sees now, as button texts."""
        markup = self.state.reply_keyboard
        if not markup:
            return None
        return [[b if isinstance(b, str) else b["text"] for b in row] for row in markup["keyboard"]]

    # -- sending -----------------------------------------------------------------------
    async def send_text(
        self, text: str, *, reply_to: int | None = None, chat_id: int | None = None
    ) -> dict[str, Any]:
        content: dict[str, Any] = {"text": text}
        command = _LEADING_COMMAND.match(text)
        if command:  # Telegram marks commands itself, whoever typed them
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": command.end()}]
        if reply_to is not None:
            target = self._view(chat_id).message(reply_to)
            content["reply_to_message"] = target.raw
        return await self._send(content, chat_id)

    async def send_command(self, command: str, *, chat_id: int | None = None) -> dict[str, Any]:
        """``/start`` or ``/start payload``: text with a bot_command entity."""
        if not command.startswith("/"):
            command = "/" + command
        return await self.send_text(command, chat_id=chat_id)

    async def send_photo(
        self,
        data: bytes = SAMPLE_JPEG,
        caption: str | None = None,
        media_group_id: str | None = None,
        *,
        chat_id: int | None = None,
    ) -> dict[str, Any]:
        content: dict[str, Any] = {"photo": self._emu.world.files.photo_sizes(data)}
        return await self._send(self._with_caption(content, caption, media_group_id), chat_id)

    async def send_document(
        self,
        data: bytes = b"%PDF-1.4\n%sample document\n",
        file_name: str = "document.pdf",
        mime_type: str = "application/pdf",
        caption: str | None = None,
        media_group_id: str | None = None,
        *,
        chat_id: int | None = None,
    ) -> dict[str, Any]:
        files = self._emu.world.files
        stored = files.add("document", data, file_name=file_name, mime_type=mime_type)
        content: dict[str, Any] = {"document": files.media_json(stored)}
        return await self._send(self._with_caption(content, caption, media_group_id), chat_id)

    async def send_album(
        self,
        items: list[bytes],
        caption: str | None = None,
        *,
        kind: str = "photo",
        chat_id: int | None = None,
    ) -> list[dict[str, Any]]:
        """Several photos (or documents) with one media_group_id, as separate updates."""
        group_id = self._emu.world.new_media_group_id()
        sent = []
        for index, data in enumerate(items):
            item_caption = caption if index == 0 else None
            if kind == "document":
                message = await self.send_document(
                    data,
                    file_name=f"file_{index + 1}.pdf",
                    caption=item_caption,
                    media_group_id=group_id,
                    chat_id=chat_id,
                )
            else:
                message = await self.send_photo(data, item_caption, group_id, chat_id=chat_id)
            sent.append(message)
        return sent

    async def send_sticker(self, *, chat_id: int | None = None) -> dict[str, Any]:
        files = self._emu.world.files
        stored = files.add("sticker", SAMPLE_WEBP, width=512, height=512)
        return await self._send({"sticker": files.media_json(stored)}, chat_id)

    async def send_forwarded(
        self, text: str, origin: dict[str, Any] | None = None, *, chat_id: int | None = None
    ) -> dict[str, Any]:
        """Forward a text message into the chat, with ``origin`` as its ``forward_origin`` exactly as
        given. The default is what Telegram really sends for a forward from before 2015 of a user who
        hides their account: ``hidden_user`` *without* ``sender_user_name``, which aiogram 3.26-3.31
        cannot parse (aiogram issue #1840) -- a raw update a strict bot must survive."""
        if origin is None:
            origin = {"type": "hidden_user", "date": 1422450181}
        return await self._send({"text": text, "forward_origin": origin}, chat_id)

    async def send_voice(
        self, data: bytes = SAMPLE_OGG, *, chat_id: int | None = None
    ) -> dict[str, Any]:
        files = self._emu.world.files
        stored = files.add("voice", data, mime_type="audio/ogg")
        return await self._send({"voice": files.media_json(stored)}, chat_id)

    async def send_video(
        self, data: bytes = SAMPLE_MP4, caption: str | None = None, *, chat_id: int | None = None
    ) -> dict[str, Any]:
        files = self._emu.world.files
        stored = files.add("video", data, mime_type="video/mp4", width=640, height=360)
        content = {"video": files.media_json(stored)}
        return await self._send(self._with_caption(content, caption, None), chat_id)

    async def send_location(
        self, latitude: float = 55.7558, longitude: float = 37.6173, *, chat_id: int | None = None
    ) -> dict[str, Any]:
        return await self._send(
            {"location": {"latitude": latitude, "longitude": longitude}}, chat_id
        )

    async def send_contact(
        self, phone_number: str = "+79001234567", *, own: bool = True
    ) -> dict[str, Any]:
        """Share a contact; ``own=True`` is what a request_contact button sends."""
        contact: dict[str, Any] = {"phone_number": phone_number, "first_name": self.first_name}
        if own:
            contact["user_id"] = self.id
            if self.last_name:
                contact["last_name"] = self.last_name
        return await self._send({"contact": contact}, None)

    async def tap(self, button_text: str) -> dict[str, Any]:
        """Tap a reply-keyboard button (exact text, or a unique substring of one)."""
        markup = self.state.reply_keyboard
        if not markup:
            raise LookupError(f"{self!r} has no reply keyboard\n{self.dump()}")
        buttons = [
            b if isinstance(b, dict) else {"text": b} for row in markup["keyboard"] for b in row
        ]
        matches = [b for b in buttons if b["text"] == button_text] or [
            b for b in buttons if button_text in b["text"]
        ]
        if len({b["text"] for b in matches}) != 1:
            texts = [b["text"] for b in buttons]
            raise LookupError(f"reply button {button_text!r} not found or ambiguous in {texts}")
        button = matches[0]
        if markup.get("one_time_keyboard"):
            self.state.reply_keyboard = None
        if button.get("request_contact"):
            return await self.send_contact()
        if button.get("request_location"):
            return await self.send_location()
        return await self.send_text(button["text"])

    async def edit_message(self, message_id: int, new_text: str) -> dict[str, Any]:
        """Edit one of this user's own text messages: an edited_message update."""
        world = self._emu.world
        chat = self.state
        old = self.message(message_id)
        if old.from_bot or old.raw.get("from", {}).get("id") != self.id:
            raise ValueError(f"message #{message_id} is not {self!r}'s own message")
        raw = {k: v for k, v in old.raw.items() if k not in ("text", "entities")}
        raw["text"] = new_text
        edited = world.edit(chat, old, raw, html=new_text)
        self._push({"edited_message": edited.raw})
        await asyncio.sleep(0)
        return edited.raw

    # -- payments (tgemulator/payments.py) ---------------------------------------------
    async def pay(self, message_id: int | None = None, *, order_info: dict[str, Any] | None = None,
                  timeout: float | None = None) -> PaymentResult:
        """Press «Pay» on an invoice (the newest unless ``message_id``): pre-checkout, then the payment."""
        return await payments.pay(self, message_id, order_info=order_info,
                                  timeout=payments.ANSWER_SECONDS if timeout is None else timeout)

    async def send_successful_payment(self, payment: dict[str, Any]) -> dict[str, Any]:
        """Deliver a ``successful_payment`` again as a new message (a repeated update for the same charge)."""
        return await payments.send_successful_payment(self, payment)

    # -- inline buttons ----------------------------------------------------------------
    async def press(
        self, button_text: str, message_id: int | None = None, *, chat_id: int | None = None
    ) -> str:
        """Press an inline callback button; returns the callback query id."""
        view = self._view(chat_id)
        if message_id is None:
            with_keyboard = [m for m in view.bot_messages if m.buttons]
            if not with_keyboard:
                raise LookupError(f"no bot message with an inline keyboard\n{view.dump()}")
            message = with_keyboard[-1]
        else:
            message = view.message(message_id)
        try:
            button = message.find_button(button_text)
        except LookupError as exc:
            raise LookupError(f"{exc}\n{view.dump()}") from None
        if button.kind != "callback_data":
            raise LookupError(f"button {button.text!r} is a {button.kind} button, not a callback")
        return await self._callback(view, message, button.callback_data or "")

    async def press_on(self, message: BotMessage, button_text: str, *, chat_id: int | None = None) -> str:
        """Press a button on a message as this user last saw it, even if it is gone from the chat since
        (deleted on another device): what Telegram delivers is the press with that old message."""
        button = message.find_button(button_text)
        return await self._callback(self._view(chat_id), message, button.callback_data or "")

    async def delete_message(self, message_id: int, *, chat_id: int | None = None) -> None:
        """The user deletes a message in the chat (for both sides, as a private chat allows)."""
        view = self._view(chat_id)
        self._emu.world.delete(view.state, message_id)
        await asyncio.sleep(0)

    async def press_forged(self, message_id: int, data: str, *, chat_id: int | None = None) -> str:
        """A press with any data on message ``message_id`` of the bot, whether or not such a message
        ever existed in the chat (a modified client can send that)."""
        view = self._view(chat_id)
        message = view.state.messages.get(message_id)
        if message is None:
            chat = view.state
            raw = {"message_id": message_id, "from": self._emu.world.bot_user,
                   "chat": chat.to_api(), "date": 0, "text": "?"}
            message = BotMessage.from_raw(raw, from_bot=True)
        return await self._callback(view, message, data)

    async def press_data(self, message_id: int, data: str, *, chat_id: int | None = None) -> str:
        """A raw (possibly forged) callback query with arbitrary data on a message."""
        view = self._view(chat_id)
        return await self._callback(view, view.message(message_id), data)

    # -- internals ---------------------------------------------------------------------
    def _view(self, chat_id: int | None) -> ChatView:
        if chat_id is None or chat_id == self.id:
            return self
        return self._emu.chat(chat_id)

    def _with_caption(
        self, content: dict[str, Any], caption: str | None, media_group_id: str | None
    ) -> dict[str, Any]:
        if caption:
            content["caption"] = caption
        if media_group_id:
            content["media_group_id"] = media_group_id
        return content

    async def _send(self, content: dict[str, Any], chat_id: int | None) -> dict[str, Any]:
        view = self._view(chat_id)
        chat = view.state
        # Sending while blocked is allowed: it stands for "wrote, then blocked the bot
        # before it answered" -- the bot still gets the update, its reply gets 403.
        message = self._emu.world.post_from_user(chat, self.to_api(), content)
        self._push({"message": message.raw})
        view.mark()  # wait_for() answers this message, not earlier ones
        await asyncio.sleep(0)
        return message.raw

    async def _callback(self, view: ChatView, message: BotMessage, data: str) -> str:
        world = self._emu.world
        query_id = world.new_callback_id()
        query = {
            "id": query_id,
            "from": self.to_api(),
            "message": message.raw,
            "chat_instance": str(abs(view.chat_id) * 7919 % 10**18),
            "data": data,
        }
        world.callbacks[query_id] = CallbackRecord(
            id=query_id,
            user_id=self.id,
            chat_id=view.chat_id,
            message_id=message.message_id,
            data=data,
            update={"callback_query": query},
        )
        view.mark()
        self._push({"callback_query": query})
        await asyncio.sleep(0)
        return query_id

    def _push(self, update: dict[str, Any]) -> None:
        self._emu.push_update(update)
