"""Loopback Telegram Bot API emulator: run the real bot offline, strict like Telegram.

Used by the end-to-end tests (simulated users drive the real aiogram polling loop) and
by ``happykids demo`` (the bot in a terminal). See ``server.BotAPIEmulator``.
"""

from .client import ChatView, FakeUser
from .errors import EmulatorError
from .server import BotAPIEmulator
from .state import BotMessage, Button

__all__ = ["BotAPIEmulator", "BotMessage", "Button", "ChatView", "EmulatorError", "FakeUser"]
