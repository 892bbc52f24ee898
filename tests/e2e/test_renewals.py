"""Renewals and gentle reminders end to end: the real bot polling the emulator, with the process clock moved
forward (domain/clock.py) instead of waiting days. The scheduler's round is run by the test (run_once) after
each move, so "nothing was sent" is a fact about a finished round, not a timed guess."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from happykids.db.models import PaidPeriod, Reminder
from happykids.domain import clock
from happykids.services import renewals
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.receipt_helpers import SETTLE, confirm_choice, fast_outbox, outbox_drained  # noqa: F401
from tests.e2e.renewal_helpers import (  # noqa: F401 - renewal_clock is a fixture
    FOLLOWUP,
    OVER,
    SOON,
    at,
    local,
    paid_until,
    pay_and_approve,
    renewal_clock,
    texts_of,
    tick,
)

pytestmark = pytest.mark.usefixtures("fast_outbox", "renewal_clock")


async def test_paid_reminded_on_the_right_day_and_renews_with_two_taps(emu, bot):
    parent, admin = emu.user(9101, "Анна"), emu.user(ADMIN_ID, "Директор")
    await pay_and_approve(emu, bot, parent, admin)
    assert await paid_until(bot, parent.id) == date(2027, 1, 1)  # 1 December + one month

    await tick(emu, bot, local(2026, 12, 2, 13, 0))  # a day after the link: a receipt came, so no follow-up
    await tick(emu, bot, local(2026, 12, 29, 9, 59))  # 3 days before the end, but not yet 10:00
    assert not texts_of(parent, SOON) and not texts_of(parent, FOLLOWUP)

    await tick(emu, bot, local(2026, 12, 29, 10, 1))
    [reminder] = [m for m in parent.bot_messages if SOON in m.text]
    assert "Малыши (4–6 лет)" in reminder.text and "1 января" in reminder.text
    assert reminder.has_button("Продлить") and reminder.has_button("Мы больше не занимаемся")
    await tick(emu, bot, local(2026, 12, 30, 12, 0))
    assert len(texts_of(parent, SOON)) == 1, "one reminder, not one per round"

    await parent.press_on(reminder, "Продлить")  # tap 1: the confirmation screen of the same choice
    await emu.settle(**SETTLE)
    confirm = parent.last
    for expected in ("Малыши (4–6 лет)", "1 месяц", "1 ребёнок", "6 000 ₽"):
        assert expected in confirm.text
    assert confirm.has_button("Назад")
    await parent.press_on(confirm, "Подтвердить")  # tap 2: the link
    await parent.wait_for(lambda m: "pay.example.com/k-m-1" in m.text, timeout=10)

    # Renewing early continues from the current end, not from today.
    await parent.send_photo()
    await parent.wait_for(lambda m: "получили" in m.text and m.message_id > confirm.message_id, timeout=10)
    await outbox_drained(bot)
    await emu.settle(**SETTLE)
    card = [m for m in admin.bot_messages if "Чек №" in m.text and m.has_button("Подтвердить")][-1]
    await admin.press_on(card, "Подтвердить")
    await parent.wait_for(lambda m: "подтверждена" in m.text and m.message_id > confirm.message_id, timeout=10)
    await outbox_drained(bot)
    assert await paid_until(bot, parent.id) == date(2027, 2, 1)
    await tick(emu, bot, local(2027, 1, 2, 12, 0))  # the old end passed: it was renewed, nothing is «закончился»
    assert not texts_of(parent, OVER)


async def test_after_the_end_one_more_message_then_stop_ends_reminders(emu, bot):
    parent, admin = emu.user(9102, "Ольга"), emu.user(ADMIN_ID, "Директор")
    await pay_and_approve(emu, bot, parent, admin)
    await tick(emu, bot, local(2027, 1, 2, 10, 30))  # the day after the end (the «скоро» one is late now)
    assert len(texts_of(parent, OVER)) == 1 and not texts_of(parent, SOON)
    over = [m for m in parent.bot_messages if OVER in m.text][-1]
    await parent.press_on(over, "Мы больше не занимаемся")
    await emu.settle(**SETTLE)
    assert "больше не напоминаем" in parent.last.text
    async with bot.sessions() as session:
        assert (await session.scalar(select(PaidPeriod))).stopped_at is not None


async def test_stop_before_the_end_means_no_message_after_it(emu, bot):
    parent, admin = emu.user(9103, "Вера"), emu.user(ADMIN_ID, "Директор")
    await pay_and_approve(emu, bot, parent, admin)
    await tick(emu, bot, local(2026, 12, 29, 11, 0))
    soon = [m for m in parent.bot_messages if SOON in m.text][-1]
    await parent.press_on(soon, "Мы больше не занимаемся")
    await emu.settle(**SETTLE)
    await tick(emu, bot, local(2027, 1, 5, 12, 0))
    assert not texts_of(parent, OVER)
    async with bot.sessions() as session:
        statuses = {r.kind: r.status for r in await session.scalars(select(Reminder))}
    assert statuses["renewal.over"] == "cancelled"


async def test_link_without_receipt_gets_exactly_one_gentle_reminder(emu, bot):
    parent = emu.user(9104, "Нина")
    await confirm_choice(emu, parent)
    await tick(emu, bot, local(2026, 12, 2, 11, 59))  # 23 h 59 min later
    assert not texts_of(parent, FOLLOWUP)
    await tick(emu, bot, local(2026, 12, 2, 12, 1))
    [followup] = [m for m in parent.bot_messages if FOLLOWUP in m.text]
    assert "ссылку на оплату группы «Малыши (4–6 лет)»" in followup.text and "/start" in followup.text
    for day in (3, 5, 9):
        await tick(emu, bot, local(2026, 12, day, 12, 0))
    assert len(texts_of(parent, FOLLOWUP)) == 1, "never more than one per link"


async def test_quiet_hours_hold_a_reminder_until_morning(emu, bot):
    at(local(2026, 12, 1, 22, 30))  # the link is taken late in the evening
    parent = emu.user(9105, "Ира")
    await confirm_choice(emu, parent)
    await tick(emu, bot, local(2026, 12, 2, 22, 31))  # 24 h later it is night: it waits
    await tick(emu, bot, local(2026, 12, 3, 8, 59))
    assert not texts_of(parent, FOLLOWUP)
    await tick(emu, bot, local(2026, 12, 3, 9, 0))
    assert len(texts_of(parent, FOLLOWUP)) == 1


async def test_missed_while_down_is_sent_once_after_start(emu, bot, runner):
    parent, admin = emu.user(9106, "Лена"), emu.user(ADMIN_ID, "Директор")
    await pay_and_approve(emu, bot, parent, admin)
    await runner.stop()
    at(local(2026, 12, 30, 15, 0))  # the bot was down on the 29th at 10:00
    restarted = await runner.start()
    await restarted.workers.reminders.run_once()
    await restarted.workers.reminders.run_once()
    await emu.settle(**SETTLE)
    assert len(texts_of(parent, SOON)) == 1


async def test_switched_off_follow_up_is_not_sent(emu, bot):
    async with bot.sessions() as session, session.begin():
        await renewals.set_followup(session, on=False)
    parent = emu.user(9107, "Света")
    await confirm_choice(emu, parent)
    await tick(emu, bot, local(2026, 12, 2, 13, 0))
    assert not texts_of(parent, FOLLOWUP)
    async with bot.sessions() as session:
        [reminder] = list(await session.scalars(select(Reminder)))
    assert reminder.status == "skipped"
    assert abs(reminder.due_at - clock.to_utc(local(2026, 12, 2, 12, 0))) < timedelta(minutes=1)  # link + 24 h


async def test_two_schedulers_on_one_database_send_each_reminder_once(emu, bot):
    """Replicas: a second scheduler (as another process would run) races the bot's own on the same rows."""
    import asyncio

    from happykids.workers.reminders import EXECUTORS, FEEDERS, ReminderDeps
    from happykids.workers.scheduler import ReminderScheduler

    parents = [emu.user(9110 + i, f"Родитель {i}") for i in range(4)]
    for parent in parents:
        await confirm_choice(emu, parent)
    other = ReminderScheduler(bot.bot, bot.sessions, EXECUTORS, ReminderDeps(bot.texts), FEEDERS)
    at(local(2026, 12, 2, 12, 5))
    await asyncio.gather(bot.workers.reminders.run_once(), other.run_once(), bot.workers.reminders.run_once())
    await emu.settle(**SETTLE)
    assert [len(texts_of(parent, FOLLOWUP)) for parent in parents] == [1, 1, 1, 1]


async def test_nothing_to_a_parent_who_blocked_the_bot(emu, bot):
    parent, admin = emu.user(9120, "Катя"), emu.user(ADMIN_ID, "Директор")
    await pay_and_approve(emu, bot, parent, admin)
    parent.block()
    await tick(emu, bot, local(2026, 12, 29, 10, 30))  # Telegram refuses (403): marked blocked, not retried
    await tick(emu, bot, local(2027, 1, 2, 10, 30))  # known to be blocked: not even tried
    assert not texts_of(parent, SOON) and not texts_of(parent, OVER)
    async with bot.sessions() as session:
        statuses = {r.kind: (r.status, r.note) for r in await session.scalars(select(Reminder))}
    assert statuses["renewal.soon"] == ("failed", "the parent blocked the bot")
    assert statuses["renewal.over"] == ("skipped", "parent blocked the bot")
    assert not [m for m, p in emu.calls if m == "sendMessage" and str(p.get("chat_id")) == str(parent.id)
                and "закончился" in str(p.get("text"))]
