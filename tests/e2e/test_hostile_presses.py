"""Presses a careless or hurried parent makes: double taps on a reset, a press on a message deleted elsewhere,
blocking the bot right after editing a message. None of them may show an error or leave a traceback."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from happykids.db.models import Parent
from tests.e2e.test_payment_dialog import SETTLE, dialog, step, walk_to_confirm


async def double_tap(emu, parent, label: str) -> None:
    message = dialog(parent)
    data = message.find_button(label).callback_data
    await asyncio.gather(parent.press_data(message.message_id, data), parent.press_data(message.message_id, data))
    await emu.settle(**SETTLE)


async def test_double_tap_on_start_over_is_quiet(emu, bot, caplog):
    parent = emu.user(1201, "Таня")
    await walk_to_confirm(emu, parent)
    await double_tap(emu, parent, "Начать заново")
    assert "Шаг 1 из 3" in dialog(parent).text
    assert all("что-то пошло не так" not in (a.get("text") or "") for a in parent.callback_answers)
    assert "что-то пошло не так" not in " ".join(m.text for m in parent.bot_messages)
    assert "Traceback" not in caplog.text and "не обработано из-за ошибки" not in caplog.text
    # the emulator fixture fails the test on the "message is not modified" Telegram would answer


async def test_double_tap_on_choose_again_is_quiet(emu, bot, caplog):
    parent = emu.user(1202, "Оля")
    await walk_to_confirm(emu, parent)
    await step(emu, parent.press("Подтвердить"))
    await double_tap(emu, parent, "Выбрать другое")
    assert "Шаг 1 из 3" in dialog(parent).text
    assert "не обработано из-за ошибки" not in caplog.text


async def test_a_press_on_a_deleted_message_shows_the_step_anew(emu, bot, caplog):
    parent = emu.user(1203, "Нина")
    await step(emu, parent.send_command("/start"))
    await step(emu, parent.press("Малыши"))
    seen = dialog(parent)  # as another of her devices still shows it
    await parent.delete_message(seen.message_id)
    await step(emu, parent.press_on(seen, "1 месяц"))
    assert "Шаг 3 из 3" in dialog(parent).text and dialog(parent).message_id != seen.message_id
    assert "не обработано из-за ошибки" not in caplog.text
    # The one edit Telegram refused ("message to edit not found") is the bot's way of finding out.
    assert [e.description for e in emu.errors] == ["Bad Request: message to edit not found"]
    emu.errors.clear()


async def test_blocked_right_after_editing_a_message_is_marked_not_logged_as_a_failure(emu, bot, caplog):
    parent = emu.user(1204, "Вика")
    sent = await step(emu, parent.send_text("привет"))
    parent.block()
    await step(emu, parent.edit_message(sent["message_id"], "привет!"))
    async with bot.sessions() as session:
        row = await session.scalar(select(Parent).where(Parent.user_id == 1204))
    assert row is not None and row.blocked
    assert "не обработано из-за ошибки" not in caplog.text and "Traceback" not in caplog.text


async def test_start_in_a_group_points_to_the_private_chat(emu, bot):
    group = emu.chat(-100777, "supergroup", title="Родители Happy Kids")
    parent = emu.user(1205, "Лиза")
    await step(emu, parent.send_command("/start", chat_id=group.chat_id))
    [answer] = group.bot_messages  # one short answer, no dialog in the group
    assert "личном чате" in answer.text
    [button] = [b for row in answer.raw["reply_markup"]["inline_keyboard"] for b in row]
    assert button["url"] == f"https://t.me/{emu.world.bot_user['username']}"
    assert not parent.bot_messages  # and nothing was started in her private chat either

