"""Request validation: parameter types, text limits, formatting, keyboards, commands.

Parameter types are checked with aiogram's own method models, so the emulator accepts
exactly what aiogram can describe; everything Telegram checks on top of the types
(lengths, markup rules, HTML) is checked here with Telegram's error texts.
"""

from __future__ import annotations

import json
import re
import types
from typing import Any, Union, get_args, get_origin
from urllib.parse import urlsplit

from aiogram import methods as aiogram_methods
from aiogram.client.default import Default
from aiogram.methods.base import TelegramMethod
from pydantic import ValidationError

from tgtext import limits
from tgtext.entities import EntityParseError, ParsedText, utf16_len
from tgtext.html import parse_html
from tgtext.markdown import parse_markdown, parse_markdown_v2

from .errors import ApiError, bad_request

MAX_TEXT = limits.MESSAGE_TEXT
MAX_CAPTION = limits.CAPTION
MAX_CALLBACK_ANSWER = limits.CALLBACK_ANSWER
MAX_CALLBACK_DATA_BYTES = 64

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


def _method_models() -> dict[str, type[TelegramMethod[Any]]]:
    models: dict[str, type[TelegramMethod[Any]]] = {}
    for name in dir(aiogram_methods):
        candidate = getattr(aiogram_methods, name)
        if (
            isinstance(candidate, type)
            and issubclass(candidate, TelegramMethod)
            and isinstance(getattr(candidate, "__api_method__", None), str)
        ):
            models[candidate.__api_method__.lower()] = candidate
    return models


METHOD_MODELS = _method_models()


# -- parameters ----------------------------------------------------------------------
def _accepts_str(annotation: Any) -> bool:
    if annotation is str:
        return True
    origin = get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        return any(_accepts_str(arg) for arg in get_args(annotation))
    return False


_INT_RE = re.compile(r"-?\d+")


def decode_params(model: type[TelegramMethod[Any]], params: dict[str, Any]) -> dict[str, Any]:
    """Turn form strings into JSON values where the field is not a string field.

    Form-encoded and multipart requests carry objects (reply_markup, entities, media,
    commands...) as JSON strings, exactly like aiogram sends them.
    """
    decoded: dict[str, Any] = {}
    for key, raw in params.items():
        value = raw
        field = model.model_fields.get(key)
        if isinstance(raw, str) and field is not None:
            if key in {"chat_id", "from_chat_id"} and _INT_RE.fullmatch(raw):
                value = int(raw)
            elif not _accepts_str(field.annotation) and raw[:1] in "[{":
                try:
                    value = json.loads(raw)
                except ValueError:
                    raise bad_request(f"can't parse {key} JSON object") from None
        decoded[key] = value
    return decoded


def validate_model(model: type[TelegramMethod[Any]], params: dict[str, Any]) -> TelegramMethod[Any]:
    try:
        return model.model_validate(params)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [str(part) for part in first["loc"]]
        name = loc[0] if loc else "parameter"
        if first["type"] == "missing" and len(loc) == 1:
            if name == "text":
                raise bad_request("message text is empty") from None
            raise bad_request(f"{name} is empty") from None
        where = ".".join(loc)
        raise bad_request(f"invalid parameter {where}: {first['msg']}") from None


def opt(model: Any, name: str, default: Any = None) -> Any:
    """A field of an aiogram model, treating aiogram's ``Default`` markers as unset."""
    value = getattr(model, name, default)
    return default if value is None or isinstance(value, Default) else value


# -- formatted text -------------------------------------------------------------------
def parse_formatted(
    text: str,
    parse_mode: str | None,
    entities: list[dict[str, Any]] | None,
    *,
    strict: bool,
) -> ParsedText:
    """Plain text and entities as Telegram would store them (not yet trimmed)."""
    if entities:
        check_entities(text, entities)
        return ParsedText(text, [dict(e) for e in entities])
    mode = (parse_mode or "").lower()
    try:
        if mode == "":
            return ParsedText(text, [])
        if mode == "html":
            return parse_html(text, strict=strict)
        if mode == "markdownv2":
            return parse_markdown_v2(text)
        if mode == "markdown":
            return parse_markdown(text)
    except EntityParseError as exc:
        raise bad_request(f"can't parse entities: {exc}") from None
    raise bad_request("unsupported parse_mode")


def check_entities(text: str, entities: list[dict[str, Any]]) -> None:
    total = utf16_len(text)
    for entity in entities:
        offset, length = entity.get("offset", -1), entity.get("length", 0)
        if offset < 0 or length <= 0 or offset + length > total:
            raise bad_request("can't parse entities: entity beyond the end of the text")


def message_text(text: str, parse_mode: str | None, entities: Any, *, strict: bool) -> ParsedText:
    """Text of sendMessage/editMessageText: 1-4096 characters after entities parsing."""
    parsed = parse_formatted(text, parse_mode, entities, strict=strict).cleaned().trimmed()
    if not parsed.text:
        raise bad_request("message text is empty")
    if utf16_len(parsed.text) > MAX_TEXT:
        raise bad_request("message is too long")
    return parsed


def caption_text(
    caption: str | None, parse_mode: str | None, entities: Any, *, strict: bool
) -> ParsedText:
    """Caption of a media message: 0-1024 characters after entities parsing."""
    if caption is None:
        return ParsedText("", [])
    parsed = parse_formatted(caption, parse_mode, entities, strict=strict).cleaned().trimmed()
    if utf16_len(parsed.text) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return parsed


# -- keyboards ------------------------------------------------------------------------
_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
    "disabled",
)


def valid_button_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme in {"http", "https"}:
        return bool(parts.hostname)
    return parts.scheme == "tg" and bool(parts.netloc or parts.path)


def reply_markup_kind(markup: dict[str, Any] | None) -> str | None:
    if not markup:
        return None
    for key, kind in (
        ("inline_keyboard", "inline"),
        ("keyboard", "reply"),
        ("remove_keyboard", "remove"),
        ("force_reply", "force_reply"),
    ):
        if key in markup:
            return kind
    raise bad_request("can't parse reply keyboard markup JSON object")


def check_reply_markup(markup: Any, *, inline_only: bool = False) -> dict[str, Any] | None:
    """Validate a raw reply_markup dict; return it normalised (None when absent)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    kind = reply_markup_kind(markup)
    if inline_only and kind != "inline":
        raise bad_request("inline keyboard expected")
    if kind == "inline":
        rows = markup["inline_keyboard"]
        for row in rows:
            for button in row:
                check_inline_button(button)
        return {"inline_keyboard": [[dict(b) for b in row] for row in rows]}
    if kind == "reply":
        rows = markup["keyboard"]
        if not any(rows):
            raise bad_request("keyboard must be non-empty")
        for row in rows:
            for button in row:
                text = button if isinstance(button, str) else button.get("text", "")
                if not str(text).strip():
                    raise bad_request("can't parse keyboard button: text must be non-empty")
    return markup


def check_inline_button(button: dict[str, Any]) -> None:
    text = button.get("text")
    if not isinstance(text, str) or not text.strip():
        raise bad_request('can\'t parse inline keyboard button: Field "text" must be non-empty')
    actions = [key for key in _INLINE_ACTIONS if button.get(key) is not None]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(actions) > 1:
        raise bad_request(
            "can't parse inline keyboard button: exactly one of the optional fields must be "
            f"used, got {', '.join(actions)}"
        )
    if "callback_data" in actions:
        size = len(str(button["callback_data"]).encode("utf-8"))
        if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in actions and not valid_button_url(str(button["url"])):
        raise bad_request("BUTTON_URL_INVALID")
    if "login_url" in actions:
        login = button["login_url"]
        if not isinstance(login, dict) or not valid_button_url(str(login.get("url", ""))):
            raise bad_request("BUTTON_URL_INVALID")
    if "web_app" in actions:
        web_app = button["web_app"]
        if not isinstance(web_app, dict) or not str(web_app.get("url", "")).startswith("https://"):
            raise bad_request("BUTTON_TYPE_INVALID")


def normalise_markup(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """An inline markup as Telegram echoes it in Message.reply_markup (None if empty)."""
    if not markup or "inline_keyboard" not in markup:
        return None
    rows = [
        [{k: v for k, v in b.items() if v is not None} for b in row]
        for row in markup["inline_keyboard"]
    ]
    rows = [row for row in rows if row]
    return {"inline_keyboard": rows} if rows else None


# -- commands -------------------------------------------------------------------------
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")


def check_commands(commands: list[dict[str, Any]]) -> None:
    if len(commands) > 100:
        raise bad_request("too many commands")
    for item in commands:
        command = str(item.get("command", "")).lstrip("/")
        if not _COMMAND_RE.fullmatch(command):
            raise bad_request("BOT_COMMAND_INVALID")
        description = str(item.get("description", ""))
        if not 1 <= len(description.strip()) <= limits.COMMAND_DESCRIPTION:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")


def check_length(value: str | None, limit: int, error: str) -> None:
    if value is not None and len(value) > limit:
        raise ApiError(f"Bad Request: {error}")
