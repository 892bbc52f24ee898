"""Bot API methods about the bot, the session, chats, callback queries and files.

Message-related methods (send/copy/forward/edit/delete) live in ``messages.py``.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from aiogram.types import ChatMemberAdministrator

from .errors import CONFLICT, ERROR, ApiError, bad_request
from .registry import Call, Handler, api
from .validation import MAX_CALLBACK_ANSWER, check_commands, check_length

DOWNLOAD_LIMIT = 20 * 1024 * 1024
WEBHOOK_PORTS = (443, 80, 88, 8443)

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)


@api("getMe")
async def get_me(call: Call) -> Any:
    return {
        **call.emu.world.bot_user,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
    }


@api("logOut")
@api("close")
async def ok(call: Call) -> Any:
    return True


@api("getUpdates")
async def get_updates(call: Call) -> Any:
    emu = call.emu
    if emu.conflict:
        raise ApiError(
            "Conflict: terminated by other getUpdates request; "
            "make sure that only one bot instance is running",
            409,
            kind=CONFLICT,
        )
    if emu.webhook_url:
        raise ApiError(WEBHOOK_ACTIVE, 409, kind=ERROR)
    return await emu.updates.get(
        offset=call.get("offset"),
        limit=call.get("limit"),
        timeout=call.get("timeout"),
        allowed_updates=call.get("allowed_updates"),
        alive=call.alive,
    )


@api("deleteWebhook")
async def delete_webhook(call: Call) -> Any:
    await call.emu.webhook.delete()
    if call.get("drop_pending_updates"):
        call.emu.updates.drop_pending()
    return True


@api("setWebhook")
async def set_webhook(call: Call) -> Any:
    url = call.get("url", "") or ""
    if not url:  # Telegram: an empty url removes the webhook
        return await delete_webhook(call)
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise bad_request("bad webhook: HTTPS url must be provided for webhook")
    if (parts.port or 443) not in WEBHOOK_PORTS:
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
    secret = call.get("secret_token")
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise bad_request("secret token contains unallowed characters")
    if call.get("drop_pending_updates"):
        call.emu.updates.drop_pending()
    allowed = call.get("allowed_updates")
    if allowed is not None:
        call.emu.updates.allowed_updates = list(allowed)
    call.emu.webhook.set(url, secret, call.get("max_connections"))
    return True


@api("getWebhookInfo")
async def get_webhook_info(call: Call) -> Any:
    return call.emu.webhook.info()


# -- bot profile ------------------------------------------------------------------------
def _commands_key(call: Call) -> str:
    scope = call.params.get("scope") or {"type": "default"}
    return json.dumps([scope, call.get("language_code") or ""], sort_keys=True)


@api("setMyCommands")
async def set_my_commands(call: Call) -> Any:
    commands = call.params.get("commands") or []
    check_commands(commands)
    call.emu.commands[_commands_key(call)] = [
        {"command": c["command"], "description": c["description"]} for c in commands
    ]
    return True


@api("getMyCommands")
async def get_my_commands(call: Call) -> Any:
    return call.emu.commands.get(_commands_key(call), [])


@api("deleteMyCommands")
async def delete_my_commands(call: Call) -> Any:
    call.emu.commands.pop(_commands_key(call), None)
    return True


def _profile_setter(field_name: str, limit: int) -> Handler:
    async def handler(call: Call) -> Any:
        value = call.get(field_name) or ""
        check_length(value, limit, f"{field_name} is too long")
        call.emu.profile[(field_name, call.get("language_code") or "")] = value
        return True

    return handler


def _profile_getter(field_name: str) -> Handler:
    async def handler(call: Call) -> Any:
        key = (field_name, call.get("language_code") or "")
        return {field_name: call.emu.profile.get(key, "")}

    return handler


for _name, _field, _limit in (
    ("MyDescription", "description", 512),
    ("MyShortDescription", "short_description", 120),
    ("MyName", "name", 64),
):
    api(f"set{_name}")(_profile_setter(_field, _limit))
    api(f"get{_name}")(_profile_getter(_field))


@api("setChatMenuButton")
async def set_chat_menu_button(call: Call) -> Any:
    chat_id = call.get("chat_id")
    if chat_id is not None:
        call.emu.world.require_chat(chat_id)
    call.emu.menu_buttons[chat_id] = call.params.get("menu_button") or {"type": "default"}
    return True


@api("getChatMenuButton")
async def get_chat_menu_button(call: Call) -> Any:
    chat_id = call.get("chat_id")
    buttons = call.emu.menu_buttons
    return buttons.get(chat_id) or buttons.get(None) or {"type": "default"}


# -- chats ------------------------------------------------------------------------------
@api("getChat")
async def get_chat(call: Call) -> Any:
    chat = call.emu.world.require_chat(call.get("chat_id"))
    return {
        **chat.to_api(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }


@api("getChatMember")
async def get_chat_member(call: Call) -> Any:
    world = call.emu.world
    chat = world.require_chat(call.get("chat_id"))
    user_id = call.get("user_id")
    if user_id == world.bot_user["id"]:
        user = world.bot_user
    elif user_id in world.users:
        user = world.users[user_id]
    else:
        raise bad_request("user not found")
    if chat.type == "private" and user_id not in (chat.id, world.bot_user["id"]):
        raise bad_request("user not found")
    status = chat.members.get(user_id, "member")
    member: dict[str, Any] = {"status": status, "user": user}
    if status == "kicked":
        member["until_date"] = 0
    elif status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        for name, info in ChatMemberAdministrator.model_fields.items():
            if info.is_required() and info.annotation is bool:
                member[name] = name in {"can_manage_chat", "can_delete_messages"}
    return member


@api("sendChatAction")
async def send_chat_action(call: Call) -> Any:
    chat = call.emu.world.require_reachable(call.get("chat_id"))
    action = call.get("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    call.emu.world.emit("action", chat.id, {"action": action})
    return True


# -- callbacks & files ------------------------------------------------------------------
@api("answerCallbackQuery")
async def answer_callback_query(call: Call) -> Any:
    world = call.emu.world
    record = world.callbacks.get(call.get("callback_query_id"))
    if record is None or record.answered:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = call.get("text")
    if text is not None and len(text) > MAX_CALLBACK_ANSWER:
        raise bad_request("MESSAGE_TOO_LONG")
    record.answered = True
    record.answer = {k: v for k, v in call.params.items() if v is not None}
    world.emit("callback_answer", record.chat_id, record.answer)
    return True


@api("getFile")
async def get_file(call: Call) -> Any:
    stored = call.emu.world.files.by_id.get(call.get("file_id"))
    if stored is None:
        raise bad_request("invalid file_id")
    if stored.file_size > DOWNLOAD_LIMIT:
        raise bad_request("file is too big")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.file_size,
        "file_path": stored.file_path,
    }
