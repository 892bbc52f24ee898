"""Fixtures of the unit tests that talk to the emulator: a started emulator and an aiogram Bot pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot

from tests.unit.emulator_fixtures import TOKEN, make_bot
from tgemulator import BotAPIEmulator


@pytest.fixture
async def emu() -> AsyncIterator[BotAPIEmulator]:
    emulator = BotAPIEmulator(token=TOKEN)
    await emulator.start()
    yield emulator
    await emulator.stop()


@pytest.fixture
async def bot(emu: BotAPIEmulator) -> AsyncIterator[Bot]:
    instance = make_bot(emu)
    yield instance
    await instance.session.close()
