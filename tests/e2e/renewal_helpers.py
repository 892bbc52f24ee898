"""Shared steps of the renewal tests: the process clock set to a known day (and moved by the tests), the
scheduler's round run by the test, a parent who pays and is approved."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from happykids.db.models import PaidPeriod
from happykids.domain import clock
from happykids.workers import scheduler
from tests.e2e.receipt_helpers import SETTLE, confirm_choice, outbox_drained

SOON, OVER, FOLLOWUP = "заканчивается", "закончился", "чек к нам пока не"


def local(*args: int) -> datetime:
    return datetime(*args)  # naive local time of the agency, as domain/clock.py uses


def at(moment: datetime) -> None:
    """Make it `moment` (agency time) now."""
    clock.travel_to(clock.to_utc(moment))


@pytest.fixture
def renewal_clock(monkeypatch):
    """Noon on 1 December 2026, agency time, before the bot starts (use it before `bot`); real time after."""
    monkeypatch.setattr(scheduler, "POLL_SECONDS", 3600.0)  # only the test's rounds send (no timing guesses)
    at(local(2026, 12, 1, 12, 0))
    yield
    clock.reset()


async def tick(emu, app, moment: datetime) -> None:
    """Time passes to `moment`; the scheduler does one round; the bot's messages have arrived."""
    at(moment)
    await app.workers.reminders.run_once()
    await emu.settle(**SETTLE)


def texts_of(user, needle: str) -> list[str]:
    return [m.text for m in user.bot_messages if needle in m.text]


async def pay_and_approve(emu, app, parent, admin) -> None:
    await confirm_choice(emu, parent)
    await parent.send_photo()
    await parent.wait_for(lambda m: "получили" in m.text, timeout=10)
    await outbox_drained(app)
    await emu.settle(**SETTLE)
    card = [m for m in admin.bot_messages if "Чек №" in m.text and m.has_button("Подтвердить")][-1]
    await admin.press_on(card, "Подтвердить")
    await parent.wait_for(lambda m: "подтверждена" in m.text, timeout=10)
    await outbox_drained(app)
    await emu.settle(**SETTLE)


async def paid_until(app, user_id: int) -> date:
    async with app.sessions() as session:
        row = await session.scalar(select(PaidPeriod).where(PaidPeriod.user_id == user_id))
        assert row is not None
        return row.paid_until
