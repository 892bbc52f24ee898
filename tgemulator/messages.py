"""Bot API methods that create, change or remove messages.

They enforce what Telegram enforces on content: text/caption limits, formatting,
keyboards, file types, "message is not modified", and who may edit what.
"""

from __future__ import annotations

from typing import Any

from .errors import ApiError, bad_request
from .media import guess_mime, image_size
from .registry import Call, Handler, Upload, api
from .state import MEDIA_KINDS, BotMessage, ChatState, StoredFile
from .validation import (
    NOT_MODIFIED,
    caption_text,
    check_reply_markup,
    message_text,
    normalise_markup,
)

MB = 1024 * 1024
PHOTO_LIMIT = 10 * MB
UPLOAD_LIMIT = 50 * MB


def _reply_target(call: Call, chat: ChatState) -> BotMessage | None:
    reply = call.params.get("reply_parameters") or {}
    message_id = reply.get("message_id") or call.get("reply_to_message_id")
    if not message_id:
        return None
    target_chat = chat
    if reply.get("chat_id") is not None:
        target_chat = call.emu.world.require_chat(reply["chat_id"])
    message = target_chat.messages.get(int(message_id))
    allow_missing = reply.get("allow_sending_without_reply") or call.get(
        "allow_sending_without_reply"
    )
    if message is None and not allow_missing:
        raise bad_request("message to be replied not found")
    return message


def _text_content(parsed_text: str, entities: list[dict[str, Any]], key: str) -> dict:
    content: dict[str, Any] = {key: parsed_text}
    if entities:
        content["entities" if key == "text" else "caption_entities"] = entities
    return content


@api("sendMessage", sends=True)
async def send_message(call: Call) -> Any:
    world = call.emu.world
    chat = world.require_reachable(call.get("chat_id"))
    text = call.get("text")
    parse_mode = call.get("parse_mode")
    parsed = message_text(text, parse_mode, call.params.get("entities"), strict=call.strict)
    markup = check_reply_markup(call.params.get("reply_markup"))
    reply_to = _reply_target(call, chat)
    message = world.post_from_bot(
        chat,
        _text_content(parsed.text, parsed.entities, "text"),
        markup=markup,
        html=text,
        parse_mode=parse_mode,
        reply_to=reply_to,
    )
    return message.raw


_KIND_NAMES = {
    "photo": "Photo",
    "document": "Document",
    "video": "Video",
    "audio": "Audio",
    "animation": "Animation",
    "sticker": "Sticker",
    "voice": "Voice",
}


def _input_file(call: Call, value: Any, kind: str) -> StoredFile | Upload:
    """Resolve an InputFile parameter: a fresh upload, or a file Telegram already has."""
    if not isinstance(value, str) or not value:
        raise bad_request(f"there is no {kind} in the request")
    if value.startswith("attach://"):
        upload = call.files.get(value[len("attach://") :])
        if upload is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if not upload.data:
            raise bad_request("file must be non-empty")
        limit = PHOTO_LIMIT if kind == "photo" else UPLOAD_LIMIT
        if len(upload.data) > limit:
            raise ApiError("Request Entity Too Large", 413)
        if kind == "photo":
            _check_image(upload.data)
        return upload
    if value.startswith(("http://", "https://")):
        # The emulator is offline: Telegram's answer when it cannot fetch the URL.
        raise bad_request("failed to get HTTP URL content")
    stored = call.emu.world.files.by_id.get(value)
    if stored is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    if stored.kind != kind:
        actual = _KIND_NAMES.get(stored.kind, stored.kind.title())
        raise bad_request(f"can't use file of type {actual} as {_KIND_NAMES.get(kind, kind)}")
    return stored


def _check_image(data: bytes) -> None:
    """Telegram refuses photos it cannot decode or with extreme dimensions."""
    size = image_size(data)
    if size is None:
        raise bad_request("IMAGE_PROCESS_FAILED")
    width, height = size
    if width + height > 10000 or max(width, height) > 20 * max(min(width, height), 1):
        raise bad_request("PHOTO_INVALID_DIMENSIONS")


def _media_content(call: Call, kind: str, source: StoredFile | Upload) -> dict[str, Any]:
    """The media field(s) of a Message for a photo/document/... being sent (validated)."""
    files = call.emu.world.files
    if kind == "photo":
        if isinstance(source, StoredFile):
            return {"photo": files.photo_set(source.file_id)}
        return {"photo": files.photo_sizes(source.data)}
    if isinstance(source, Upload):
        size = image_size(source.data) if kind in {"video", "animation"} else None
        source = files.add(
            kind,
            source.data,
            file_name=source.filename,
            mime_type=guess_mime(source.filename, source.data),
            width=size[0] if size else None,
            height=size[1] if size else None,
        )
    return {kind: files.media_json(source)}


async def _send_media(call: Call, kind: str) -> Any:
    world = call.emu.world
    chat = world.require_reachable(call.get("chat_id"))
    source = _input_file(call, call.params.get(kind), kind)
    caption = call.get("caption")
    parse_mode = call.get("parse_mode")
    parsed = caption_text(
        caption, parse_mode, call.params.get("caption_entities"), strict=call.strict
    )
    markup = check_reply_markup(call.params.get("reply_markup"))
    reply_to = _reply_target(call, chat)
    content = _media_content(call, kind, source)
    if parsed.text:
        content.update(_text_content(parsed.text, parsed.entities, "caption"))
    message = world.post_from_bot(
        chat, content, markup=markup, html=caption or "", parse_mode=parse_mode, reply_to=reply_to
    )
    return message.raw


@api("sendPhoto", sends=True)
async def send_photo(call: Call) -> Any:
    return await _send_media(call, "photo")


@api("sendDocument", sends=True)
async def send_document(call: Call) -> Any:
    return await _send_media(call, "document")


def _media_sender(kind: str) -> Handler:
    async def handler(call: Call) -> Any:
        return await _send_media(call, kind)

    return handler


for _kind in ("video", "audio", "animation", "voice", "sticker"):
    api(f"send{_kind.title()}", sends=True)(_media_sender(_kind))


@api("sendMediaGroup", sends=True)
async def send_media_group(call: Call) -> Any:
    world = call.emu.world
    chat = world.require_reachable(call.get("chat_id"))
    items = call.params.get("media") or []
    if len(items) > 10:
        raise bad_request("Too many messages to send as an album")
    if len(items) < 2:
        raise bad_request("media group must contain 2-10 items")
    kinds = {item.get("type") for item in items}
    if "document" in kinds and kinds != {"document"}:
        raise bad_request("documents can't be mixed with other media types")
    if "audio" in kinds and kinds != {"audio"}:
        raise bad_request("audio can't be mixed with other media types")
    prepared = []
    for item in items:
        kind = item["type"]
        source = _input_file(call, item.get("media"), kind)
        parse_mode = item.get("parse_mode") or call.params.get("parse_mode")
        parsed = caption_text(
            item.get("caption"), parse_mode, item.get("caption_entities"), strict=call.strict
        )
        prepared.append((kind, source, parsed, item.get("caption"), parse_mode))
    reply_to = _reply_target(call, chat)
    group_id = world.new_media_group_id()
    results = []
    for kind, source, parsed, caption, parse_mode in prepared:
        content = _media_content(call, kind, source)
        content["media_group_id"] = group_id
        if parsed.text:
            content.update(_text_content(parsed.text, parsed.entities, "caption"))
        message = world.post_from_bot(
            chat, content, html=caption or "", parse_mode=parse_mode, reply_to=reply_to
        )
        results.append(message.raw)
    return results


_COPYABLE = frozenset({"text", "entities", "caption", "caption_entities", *MEDIA_KINDS})


def _source_message(call: Call, action: str) -> BotMessage:
    source_chat = call.emu.world.require_chat(call.get("from_chat_id"))
    return call.emu.world.require_message(source_chat, call.get("message_id"), action)


@api("copyMessage", sends=True)
async def copy_message(call: Call) -> Any:
    world = call.emu.world
    source = _source_message(call, "copy")
    chat = world.require_reachable(call.get("chat_id"))
    content = {k: v for k, v in source.raw.items() if k in _COPYABLE}
    html, parse_mode = source.html, source.parse_mode
    if "caption" in call.params and "text" not in content:
        parse_mode = call.get("parse_mode")
        parsed = caption_text(
            call.get("caption"),
            parse_mode,
            call.params.get("caption_entities"),
            strict=call.strict,
        )
        content.pop("caption", None)
        content.pop("caption_entities", None)
        if parsed.text:
            content.update(_text_content(parsed.text, parsed.entities, "caption"))
        html = call.get("caption") or ""
    markup = check_reply_markup(call.params.get("reply_markup"))
    message = world.post_from_bot(
        chat,
        content,
        markup=markup,
        html=html,
        parse_mode=parse_mode,
        reply_to=_reply_target(call, chat),
    )
    return {"message_id": message.message_id}


@api("forwardMessage", sends=True)
async def forward_message(call: Call) -> Any:
    world = call.emu.world
    source = _source_message(call, "forward")
    chat = world.require_reachable(call.get("chat_id"))
    content = {k: v for k, v in source.raw.items() if k in _COPYABLE}
    content["forward_origin"] = {
        "type": "user",
        "date": source.date,
        "sender_user": source.raw.get("from", world.bot_user),
    }
    message = world.post_from_bot(chat, content, html=source.html, parse_mode=source.parse_mode)
    return message.raw


# -- editing ----------------------------------------------------------------------------
def _editable(call: Call) -> tuple[ChatState, BotMessage]:
    if call.get("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    world = call.emu.world
    chat_id, message_id = call.get("chat_id"), call.get("message_id")
    if chat_id is None or message_id is None:
        raise bad_request("message to edit not found")
    chat = world.require_reachable(chat_id)
    message = world.require_message(chat, message_id, "edit")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return chat, message


def _apply_markup(raw: dict[str, Any], markup: dict[str, Any] | None) -> dict[str, Any]:
    raw = dict(raw)
    inline = normalise_markup(markup)
    if inline:
        raw["reply_markup"] = inline
    else:
        raw.pop("reply_markup", None)
    return raw


def _unchanged(old: dict[str, Any], new: dict[str, Any]) -> bool:
    keys = ("text", "entities", "caption", "caption_entities", "reply_markup", *MEDIA_KINDS)
    return all(old.get(k) == new.get(k) for k in keys)


@api("editMessageText")
async def edit_message_text(call: Call) -> Any:
    chat, message = _editable(call)
    if "text" not in message.raw:
        raise bad_request("there is no text in the message to edit")
    text, parse_mode = call.get("text"), call.get("parse_mode")
    parsed = message_text(text, parse_mode, call.params.get("entities"), strict=call.strict)
    markup = check_reply_markup(call.params.get("reply_markup"), inline_only=True)
    raw = {k: v for k, v in message.raw.items() if k not in ("text", "entities")}
    raw.update(_text_content(parsed.text, parsed.entities, "text"))
    raw = _apply_markup(raw, markup)
    if _unchanged(message.raw, raw):
        raise bad_request(NOT_MODIFIED)
    edited = call.emu.world.edit(chat, message, raw, html=text, parse_mode=parse_mode)
    return edited.raw


@api("editMessageCaption")
async def edit_message_caption(call: Call) -> Any:
    chat, message = _editable(call)
    if "text" in message.raw:
        raise bad_request("there is no caption in the message to edit")
    caption, parse_mode = call.get("caption"), call.get("parse_mode")
    parsed = caption_text(
        caption, parse_mode, call.params.get("caption_entities"), strict=call.strict
    )
    markup = check_reply_markup(call.params.get("reply_markup"), inline_only=True)
    raw = {k: v for k, v in message.raw.items() if k not in ("caption", "caption_entities")}
    return _finish_caption_edit(call, chat, message, raw, parsed, caption, parse_mode, markup)


def _finish_caption_edit(call: Call, chat: ChatState, message: BotMessage, raw: dict[str, Any], parsed: Any,
                         caption: str | None, parse_mode: str | None, markup: Any) -> Any:
    """Put the new caption and keyboard on `raw` and store the edit; a no-op edit is refused, as Telegram does."""
    if parsed.text:
        raw.update(_text_content(parsed.text, parsed.entities, "caption"))
    raw = _apply_markup(raw, markup)
    if _unchanged(message.raw, raw):
        raise bad_request(NOT_MODIFIED)
    edited = call.emu.world.edit(chat, message, raw, html=caption or "", parse_mode=parse_mode)
    return edited.raw


@api("editMessageReplyMarkup")
async def edit_message_reply_markup(call: Call) -> Any:
    chat, message = _editable(call)
    markup = check_reply_markup(call.params.get("reply_markup"), inline_only=True)
    raw = _apply_markup(message.raw, markup)
    if _unchanged(message.raw, raw):
        raise bad_request(NOT_MODIFIED)
    return call.emu.world.edit(chat, message, raw).raw


@api("editMessageMedia")
async def edit_message_media(call: Call) -> Any:
    chat, message = _editable(call)
    if "text" in message.raw:
        raise bad_request("there is no media in the message to edit")
    media = call.params.get("media") or {}
    kind = media.get("type")
    if kind not in {"photo", "video", "document", "audio", "animation"}:
        raise bad_request("can't parse InputMedia: unsupported media type")
    if message.media_group_id and (kind == "document") != (message.kind == "document"):
        raise bad_request("documents can't be mixed with other media types")
    source = _input_file(call, media.get("media"), kind)
    caption, parse_mode = media.get("caption"), media.get("parse_mode")
    parsed = caption_text(caption, parse_mode, media.get("caption_entities"), strict=call.strict)
    markup = check_reply_markup(call.params.get("reply_markup"), inline_only=True)
    dropped = {*MEDIA_KINDS, "caption", "caption_entities"}
    raw = {k: v for k, v in message.raw.items() if k not in dropped}
    raw.update(_media_content(call, kind, source))
    return _finish_caption_edit(call, chat, message, raw, parsed, caption, parse_mode, markup)


@api("deleteMessage")
async def delete_message(call: Call) -> Any:
    world = call.emu.world
    chat = world.require_chat(call.get("chat_id"))
    world.require_message(chat, call.get("message_id"), "delete")
    world.delete(chat, call.get("message_id"))
    return True
