"""A saved emulator world loads into a new emulator: messages, ids and files the bot remembers still exist."""

from __future__ import annotations

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from tgemulator import BotAPIEmulator
from tgemulator.media import SAMPLE_JPEG
from tgemulator.snapshot import load_world, save_world


def _bot(emu: BotAPIEmulator) -> Bot:
    return Bot(emu.token, session=AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url)))


async def test_a_restarted_emulator_knows_the_old_messages_and_files(tmp_path):
    path = tmp_path / "telegram.json"
    keyboard = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Да", callback_data="yes")]])
    async with BotAPIEmulator() as first:
        anna = first.user(1001, "Анна")
        await anna.send_photo(SAMPLE_JPEG)
        file_id = anna.messages[-1].file_id
        bot = _bot(first)
        sent = await bot.send_message(1001, "<b>Шаг</b> 1", reply_markup=keyboard, parse_mode="HTML")
        await bot.session.close()
        save_world(first, path)

    async with BotAPIEmulator() as second:
        anna = second.user(1001, "Анна")
        assert not load_world(second, tmp_path / "missing.json")
        assert load_world(second, path)
        bot = _bot(second)
        await bot.edit_message_reply_markup(chat_id=1001, message_id=sent.message_id, reply_markup=None)
        again = await bot.send_photo(1001, file_id or "")
        await bot.session.close()
        assert again.message_id == sent.message_id + 1, "new messages never reuse an old id"
        assert anna.message(sent.message_id).html == "<b>Шаг</b> 1" and not anna.message(sent.message_id).buttons
        assert second.file_bytes(file_id or "") == SAMPLE_JPEG
        await anna.send_photo(SAMPLE_JPEG)
        assert anna.messages[-1].file_id != file_id
        assert not second.errors
