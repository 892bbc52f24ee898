"""What the emulated Telegram remembers: chats, messages, files.

The raw Bot API ``Message`` JSON is the source of truth for every stored message;
``BotMessage`` is an immutable, test-friendly view of one version of it. Edits replace
the stored ``BotMessage`` with a new one, so a snapshot a test holds never changes
under it.
"""

from __future__ import annotations

import itertools
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .media import image_size, scaled

MEDIA_KINDS = (
    "photo",
    "document",
    "sticker",
    "voice",
    "video",
    "animation",
    "audio",
    "video_note",
    "location",
    "contact",
)


@dataclass(frozen=True)
class Button:
    """One inline keyboard button as the user sees it."""

    text: str
    callback_data: str | None = None
    url: str | None = None
    kind: str = "callback_data"  # which action field the button uses

    def __str__(self) -> str:
        target = self.callback_data if self.kind == "callback_data" else self.url or self.kind
        return f"[{self.text} -> {target}]"


@dataclass(frozen=True)
class BotMessage:
    """One message in a chat, as it looks right now (or looked at the time of an event)."""

    message_id: int
    chat_id: int
    text: str = ""  # text or caption, plain (tags stripped, entities decoded)
    html: str = ""  # text or caption exactly as the bot sent it
    parse_mode: str | None = None
    buttons: list[list[Button]] = field(default_factory=list)
    kind: str = "text"  # "text" | "photo" | "document" | "sticker" | ...
    from_bot: bool = True
    edited: int = 0  # how many times the message was edited
    date: int = 0
    entities: list[dict[str, Any]] = field(default_factory=list)
    file_id: str | None = None  # main file: the largest photo size, the document, ...
    file_name: str | None = None
    mime_type: str | None = None
    media_group_id: str | None = None
    reply_keyboard: list[list[str]] | None = None  # reply keyboard sent with this message
    raw: dict[str, Any] = field(default_factory=dict, repr=False)  # Bot API Message JSON

    @classmethod
    def from_raw(
        cls,
        raw: dict[str, Any],
        *,
        from_bot: bool,
        html: str | None = None,
        parse_mode: str | None = None,
        edited: int = 0,
        reply_keyboard: list[list[str]] | None = None,
    ) -> BotMessage:
        kind = next((k for k in MEDIA_KINDS if k in raw), "text" if "text" in raw else "other")
        text = raw.get("text", raw.get("caption", ""))
        media = raw.get(kind)
        if kind == "photo":
            media = raw["photo"][-1]
        file_id = media.get("file_id") if isinstance(media, dict) else None
        buttons = [
            [_button(b) for b in row]
            for row in (raw.get("reply_markup") or {}).get("inline_keyboard", [])
        ]
        return cls(
            message_id=raw["message_id"],
            chat_id=raw["chat"]["id"],
            text=text,
            html=text if html is None else html,
            parse_mode=parse_mode,
            buttons=buttons,
            kind=kind,
            from_bot=from_bot,
            edited=edited,
            date=raw.get("date", 0),
            entities=list(raw.get("entities", raw.get("caption_entities", []))),
            file_id=file_id,
            file_name=media.get("file_name") if isinstance(media, dict) else None,
            mime_type=media.get("mime_type") if isinstance(media, dict) else None,
            media_group_id=raw.get("media_group_id"),
            reply_keyboard=reply_keyboard,
            raw=raw,
        )

    @property
    def photo(self) -> list[dict[str, Any]] | None:
        return self.raw.get("photo")

    @property
    def document(self) -> dict[str, Any] | None:
        return self.raw.get("document")

    def button_texts(self) -> list[str]:
        return [b.text for row in self.buttons for b in row]

    def has_button(self, substring: str) -> bool:
        return any(substring in text for text in self.button_texts())

    def find_button(self, substring: str) -> Button:
        """The button whose text is ``substring`` or, failing that, uniquely contains it."""
        flat = [b for row in self.buttons for b in row]
        exact = [b for b in flat if b.text == substring]
        if exact:
            return exact[0]
        matches = [b for b in flat if substring in b.text]
        if not matches:
            raise LookupError(
                f"no button containing {substring!r} in message #{self.message_id}; "
                f"buttons: {self.button_texts()}"
            )
        if len({b.text for b in matches}) > 1:
            raise LookupError(
                f"{substring!r} is ambiguous in message #{self.message_id}: "
                f"{[b.text for b in matches]}"
            )
        return matches[0]

    def describe(self) -> str:
        who = "bot" if self.from_bot else "user"
        flags = f" edited {self.edited}x" if self.edited else ""
        head = f"#{self.message_id} {who} [{self.kind}{flags}]"
        if self.file_name:
            head += f" {self.file_name}"
        lines = [f"{head} {self.text}".rstrip()]
        for row in self.buttons:
            lines.append("    " + " ".join(str(b) for b in row))
        if self.reply_keyboard:
            lines.append("    keyboard: " + " | ".join(", ".join(r) for r in self.reply_keyboard))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.describe()


def _button(raw: dict[str, Any]) -> Button:
    if "callback_data" in raw:
        return Button(raw["text"], callback_data=raw["callback_data"])
    if "url" in raw:
        return Button(raw["text"], url=raw["url"], kind="url")
    kind = next((k for k in raw if k not in {"text", "icon_custom_emoji_id", "style"}), "other")
    return Button(raw["text"], kind=kind)


@dataclass
class StoredFile:
    """A file Telegram holds: uploaded by the bot or sent by a simulated user."""

    file_id: str
    file_unique_id: str
    kind: str  # photo | document | sticker | voice | video | ...
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None

    @property
    def file_size(self) -> int:
        return len(self.data)


@dataclass
class ChatState:
    """A chat the bot can talk to; for private chats ``id`` is the user's id."""

    id: int
    type: str = "private"
    title: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    messages: dict[int, BotMessage] = field(default_factory=dict)  # by message_id, in order
    next_message_id: int = 1
    blocked: bool = False  # private: user blocked the bot; group: bot was removed
    started: bool = True  # private: the user has pressed Start at some point
    reply_keyboard: dict[str, Any] | None = None  # the custom keyboard the user sees now
    members: dict[int, str] = field(default_factory=dict)  # user_id -> status

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        for key in ("title", "first_name", "last_name", "username"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data

    def take_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


class FileStore:
    """Files by file_id and by download path; ids look like Telegram's opaque strings."""

    _FOLDERS: ClassVar[dict[str, str]] = {
        "photo": "photos",
        "document": "documents",
        "sticker": "stickers",
        "voice": "voice",
        "video": "videos",
    }

    def __init__(self) -> None:
        self.by_id: dict[str, StoredFile] = {}
        self.by_path: dict[str, StoredFile] = {}
        self.photo_sets: dict[str, list[dict[str, Any]]] = {}  # size file_id -> all sizes
        self._counter = itertools.count(1)

    def add(
        self,
        kind: str,
        data: bytes,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        width: int | None = None,
        height: int | None = None,
    ) -> StoredFile:
        number = next(self._counter)
        prefix = {
            "photo": "AgAC",
            "document": "BQAC",
            "sticker": "CAAC",
            "voice": "AwAC",
            "video": "BAAC",
        }.get(kind, "AAAC")
        file_id = f"{prefix}{secrets.token_urlsafe(24)}_{number}"
        extension = (file_name or "").rpartition(".")[2] if file_name and "." in file_name else ""
        extension = extension or {
            "photo": "jpg",
            "sticker": "webp",
            "voice": "oga",
            "video": "mp4",
        }.get(kind, "bin")
        path = f"{self._FOLDERS.get(kind, 'files')}/file_{number}.{extension}"
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=f"AQAD{number:06d}{secrets.token_hex(3)}",
            kind=kind,
            data=data,
            file_path=path,
            file_name=file_name,
            mime_type=mime_type,
            width=width,
            height=height,
        )
        self.by_id[file_id] = stored
        self.by_path[path] = stored
        return stored

    def photo_sizes(self, data: bytes) -> list[dict[str, Any]]:
        """PhotoSize list as Telegram builds it: a thumbnail and the full picture."""
        width, height = image_size(data) or (800, 600)
        sizes: list[dict[str, Any]] = []
        dims = [scaled(width, height, 90), scaled(width, height, 1280)]
        for w, h in dict.fromkeys(dims):  # unique, in order
            stored = self.add("photo", data, width=w, height=h)
            sizes.append(
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "file_size": stored.file_size,
                    "width": w,
                    "height": h,
                }
            )
        for size in sizes:
            self.photo_sets[size["file_id"]] = sizes
        return [dict(size) for size in sizes]

    def photo_set(self, file_id: str) -> list[dict[str, Any]]:
        """All sizes of the photo one size of which is ``file_id`` (resending by id)."""
        return [dict(size) for size in self.photo_sets[file_id]]

    def media_json(self, stored: StoredFile) -> dict[str, Any]:
        """The Bot API object (Document, Sticker, Voice, ...) for a non-photo file."""
        data: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
        }
        if stored.kind == "document":
            if stored.file_name:
                data["file_name"] = stored.file_name
            if stored.mime_type:
                data["mime_type"] = stored.mime_type
        elif stored.kind == "sticker":
            data.update(
                type="regular",
                width=stored.width or 512,
                height=stored.height or 512,
                is_animated=False,
                is_video=False,
                emoji="🙂",
            )
        elif stored.kind == "audio":
            data.update(duration=30, mime_type=stored.mime_type or "audio/mpeg")
        elif stored.kind == "animation":
            data.update(width=stored.width or 320, height=stored.height or 240, duration=2)
        elif stored.kind == "voice":
            data.update(duration=3, mime_type=stored.mime_type or "audio/ogg")
        elif stored.kind == "video":
            data.update(
                width=stored.width or 640,
                height=stored.height or 360,
                duration=5,
                mime_type=stored.mime_type or "video/mp4",
            )
        return data


def now() -> int:
    return int(time.time())
