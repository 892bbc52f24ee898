"""Shared steps of the receipt tests: walk the dialog, look into the database, wait for the outbox."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import select

from happykids.db.models import OutboxTask, Receipt, ReceiptFile, ReviewMessage
from happykids.services import receipt_intake
from happykids.workers import outbox

SETTLE = {"quiet": 0.15, "timeout": 10}


@pytest.fixture
def fast_outbox(monkeypatch):
    """Seconds instead of minutes: the worker polls often and retries soon; albums close sooner."""
    monkeypatch.setattr(outbox, "POLL_SECONDS", 0.1)
    monkeypatch.setattr(outbox, "RETRY_BASE_SECONDS", 0.1)
    monkeypatch.setattr(outbox, "RETRY_MAX_SECONDS", 0.4)
    monkeypatch.setattr(receipt_intake, "ALBUM_QUIET_SECONDS", 0.5)


async def confirm_choice(emu, parent, group="Малыши", period="1 месяц", children="1 ребёнок"):
    """Walk the dialog to the payment link, waiting for each screen (robust on a busy machine)."""
    await parent.send_command("/start")
    for button in (group, period, children, "Подтвердить"):
        await parent.wait_for(lambda m, b=button: m.has_button(b), timeout=10)
        await parent.press(button)
    await parent.wait_for(lambda m: "pay.example.com" in m.text, timeout=10)
    await emu.settle(**SETTLE)


async def receipts(app) -> list[Receipt]:
    async with app.sessions() as session:
        return list((await session.scalars(select(Receipt).order_by(Receipt.id))).all())


async def files(app, receipt_id: int) -> list[ReceiptFile]:
    async with app.sessions() as session:
        query = select(ReceiptFile).where(ReceiptFile.receipt_id == receipt_id).order_by(ReceiptFile.position)
        return list((await session.scalars(query)).all())


async def copies(app, receipt_id: int) -> list[ReviewMessage]:
    async with app.sessions() as session:
        query = select(ReviewMessage).where(ReviewMessage.receipt_id == receipt_id).order_by(ReviewMessage.id)
        return list((await session.scalars(query)).all())


async def tasks(app) -> list[OutboxTask]:
    async with app.sessions() as session:
        return list((await session.scalars(select(OutboxTask).order_by(OutboxTask.id))).all())


async def outbox_drained(app, timeout: float = 10.0) -> None:
    """Until no outbox task is pending (everything the handlers promised has happened)."""
    deadline = time.monotonic() + timeout
    while True:
        pending = [t for t in await tasks(app) if t.status == "pending"]
        if not pending:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"outbox still has pending tasks: {[(t.kind, t.last_error) for t in pending]}")
        await asyncio.sleep(0.05)


def review_cards(user) -> list:
    """Messages in the admin's chat that carry (or carried) a receipt card."""
    return [m for m in user.bot_messages if "Чек №" in m.text]

