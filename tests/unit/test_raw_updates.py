"""Update-by-update validation (app/raw_updates.py): what polling and a future webhook do with a bad update."""

from __future__ import annotations

import logging

from aiogram import Bot

from happykids.app.raw_updates import EXCERPT_CHARS, excerpt, parse_update

BOT = Bot("123456:" + "A" * 35)
CHAT = {"id": 5, "type": "private", "first_name": "Аня"}


def _message(**extra):
    return {"update_id": 41, "message": {"message_id": 1, "date": 1, "chat": CHAT, "text": "x", **extra}}


def test_a_good_update_is_parsed_and_bound_to_the_bot():
    update = parse_update(_message(), BOT)
    assert update is not None and update.message.text == "x" and update.bot is BOT


def test_a_bad_update_is_none_and_one_warning_with_its_id_and_a_short_excerpt(caplog):
    caplog.set_level(logging.WARNING)
    raw = _message(text="секрет " * 1000, forward_origin={"type": "hidden_user", "date": 1422450181})
    assert parse_update(raw, BOT) is None
    [record] = caplog.records
    line = record.getMessage()
    assert record.levelname == "WARNING" and "Обновление 41 пропущено" in line
    assert "forward_origin.hidden_user.sender_user_name: Field required" in line
    assert line.count("секрет") < 10, "the parent's words are cut, the shape stays"
    assert len(excerpt(raw)) <= EXCERPT_CHARS + 1
