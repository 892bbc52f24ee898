"""The token and the aiogram Bot the emulator's own unit tests (test_emulator*.py) talk to it with; the fixtures
`emu` and `bot` built from them are in tests/unit/conftest.py (a module needing another emulator, with a bot
username say, defines its own `emu` and keeps `bot`)."""

from __future__ import annotations

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from tgemulator import BotAPIEmulator

TOKEN = "42:TEST"


def make_bot(emu: BotAPIEmulator) -> Bot:
    return Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url)))
