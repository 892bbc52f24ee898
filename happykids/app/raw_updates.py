"""Reading updates one by one, so one update this aiogram cannot parse never stops the bot.

aiogram validates a whole getUpdates answer as `list[Update]`: one update it cannot read fails the batch, the
offset never moves, and polling asks for the same batch forever (aiogram issue #1840: Telegram sent a
`forward_origin` of type `hidden_user` without `sender_user_name`; the fix is still an open pull request). Here
getUpdates returns plain dicts (`GetRawUpdates`, still sent through `bot.session`, so its request middlewares
see it) and `parse_update` validates each on its own: a bad one is logged once, with its id and a short
excerpt, and skipped. `parse_update` is also what a webhook handler (issue #14) calls on a request body: for
None it answers 200 anyway, so Telegram does not send the bad update again forever.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from aiogram import Bot
from aiogram.methods import GetUpdates
from aiogram.types import Update
from pydantic import ValidationError

log = logging.getLogger(__name__)

EXCERPT_CHARS = 300
VALUE_CHARS = 40  # longer strings (message texts, captions) are cut: the log needs the shape, not the words


class GetRawUpdates(GetUpdates):
    """getUpdates whose answer is left as JSON objects, validated later update by update. A subclass of
    aiogram's GetUpdates, so request middlewares that look for getUpdates (health) still recognise it;
    `bot(...)` returns `list[dict]` at run time although its static type still says `list[Update]`."""

    __returning__ = list[dict[str, Any]]


def parse_update(raw: Any, bot: Bot) -> Update | None:
    """The update as aiogram's model bound to `bot`, or None (logged once at WARNING) if it cannot be read."""
    try:
        return Update.model_validate(raw, context={"bot": bot})
    except ValidationError as exc:
        update_id = raw.get("update_id") if isinstance(raw, dict) else None
        log.warning("Обновление %s пропущено: эта версия aiogram не может его прочитать (%s), начало: %s",
                    update_id, _problems(exc), excerpt(raw))
        return None


def _problems(exc: ValidationError) -> str:
    found = [f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}" for error in exc.errors()[:3]]
    more = exc.error_count() - len(found)
    return "; ".join(found) + (f"; and {more} more" if more > 0 else "")


def excerpt(raw: Any) -> str:
    """The update's structure with long strings cut, at most EXCERPT_CHARS characters."""
    text = json.dumps(_shorten(raw), ensure_ascii=False, default=str)
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS] + "…"


def _shorten(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _shorten(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shorten(item) for item in value]
    if isinstance(value, str) and len(value) > VALUE_CHARS:
        return value[:VALUE_CHARS] + "…"
    return value
