"""What the emulated Telegram remembers across a restart: chats, messages, files, unconfirmed updates.

Why: a bot keeps message ids and file_ids in its own database (the live step of a dialog, every copy of a
card, a receipt's file). Real Telegram still has those messages after the bot restarts; a fresh emulator
does not, so the restarted bot's edits were refused ("message to edit not found") or, worse, landed on a
different message that reused the id. ``save_world`` / ``load_world`` keep one emulated Telegram across
runs (the offline demo restarts on the same data). JSON, not pickle: the file is plain data, readable and
safe to load. Call ``load_world`` after creating the ``emu.user()`` handles (it replaces their chats).
"""

from __future__ import annotations

import base64
import itertools
import json
import os
from pathlib import Path
from typing import Any, Protocol

from .state import BotMessage, ChatState, StoredFile
from .updates import UpdateQueue
from .world import World

VERSION = 1
_CHAT_FIELDS = ("id", "type", "title", "first_name", "last_name", "username", "next_message_id",
                "blocked", "started", "reply_keyboard", "members")


class Emulated(Protocol):
    """The parts of ``BotAPIEmulator`` a snapshot covers (a protocol: no import cycle with the server)."""

    world: World
    updates: UpdateQueue


def _message(message: BotMessage) -> dict[str, Any]:
    return {"raw": message.raw, "from_bot": message.from_bot, "html": message.html,
            "parse_mode": message.parse_mode, "edited": message.edited, "reply_keyboard": message.reply_keyboard}


def _chat(chat: ChatState) -> dict[str, Any]:
    data = {name: getattr(chat, name) for name in _CHAT_FIELDS}
    data["members"] = {str(k): v for k, v in chat.members.items()}
    data["messages"] = [_message(m) for m in chat.messages.values()]
    return data


def _file(stored: StoredFile) -> dict[str, Any]:
    data = {k: v for k, v in vars(stored).items() if k != "data"}
    data["data"] = base64.b64encode(stored.data).decode("ascii")
    return data


def snapshot(emu: Emulated) -> dict[str, Any]:
    world = emu.world
    files = world.files
    return {
        "version": VERSION,
        "chats": [_chat(chat) for chat in world.chats.values()],
        "users": list(world.users.values()),
        "files": [_file(f) for f in files.by_id.values()],
        "photo_sets": files.photo_sets,
        "next_update_id": emu.updates._next_id,  # noqa: SLF001 - the snapshot is part of the package
        "pending_updates": [e.update for e in emu.updates._pending],  # noqa: SLF001
    }


def restore(emu: Emulated, data: dict[str, Any]) -> None:
    if data.get("version") != VERSION:
        raise ValueError(f"unknown emulator snapshot version {data.get('version')!r}")
    world = emu.world
    for item in data["chats"]:
        chat = ChatState(**{name: item[name] for name in _CHAT_FIELDS if name != "members"})
        chat.members = {int(k): v for k, v in item["members"].items()}
        for m in item["messages"]:
            message = BotMessage.from_raw(m["raw"], from_bot=m["from_bot"], html=m["html"],
                                          parse_mode=m["parse_mode"], edited=m["edited"],
                                          reply_keyboard=m["reply_keyboard"])
            chat.messages[message.message_id] = message
        world.chats[chat.id] = chat
    for user in data["users"]:
        world.users[user["id"]] = user
    files = world.files
    numbers = [0]
    for item in data["files"]:
        stored = StoredFile(**{**item, "data": base64.b64decode(item["data"])})
        files.by_id[stored.file_id] = stored
        files.by_path[stored.file_path] = stored
        numbers.append(int(stored.file_id.rpartition("_")[2] or 0))
    files.photo_sets.update(data["photo_sets"])
    files._counter = itertools.count(max(numbers) + 1)  # noqa: SLF001 - new files get fresh paths
    emu.updates._next_id = max(emu.updates._next_id, data["next_update_id"])  # noqa: SLF001
    for update in data["pending_updates"]:
        emu.updates.push(update)


def save_world(emu: Emulated, path: Path) -> None:
    """Write the snapshot atomically (a crash mid-write keeps the previous one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(snapshot(emu), ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)


def load_world(emu: Emulated, path: Path) -> bool:
    """Restore the snapshot at ``path``; False when there is none yet."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return False
    restore(emu, json.loads(text))
    return True
