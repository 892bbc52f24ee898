"""The director's side of renewals, end to end: «⏰ Заканчивается оплата» (who ends soon, who is overdue, a
one-tap reminder), the reminder settings, and correcting «оплачено до» from a receipt card (/paid_N)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from happykids.db.models import PaidPeriod, Reminder
from tests.e2e.admin_helpers import audit_entries, director, open_panel, popups, press, say
from tests.e2e.receipt_helpers import fast_outbox  # noqa: F401 - a fixture
from tests.e2e.renewal_helpers import SOON, at, local, pay_and_approve, renewal_clock, texts_of, tick  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_outbox", "renewal_clock")


async def test_ending_list_reminds_one_and_all(emu, bot):
    boss = director(emu)
    anna, olga = emu.user(9201, "Анна"), emu.user(9202, "Ольга")
    await pay_and_approve(emu, bot, anna, boss)
    await open_panel(emu, boss)
    screen = await press(emu, boss, "Заканчивается оплата")
    assert "ни у кого не заканчивается" in screen.text

    at(local(2026, 12, 7, 12, 0))
    await pay_and_approve(emu, bot, olga, boss)  # Ольга: until 7 January
    at(local(2026, 12, 26, 12, 0))
    screen = await press(emu, boss, "Меню", "Заканчивается оплата")
    assert "Малыши (4–6 лет)" in screen.text and "Анна — до 01.01.2027" in screen.text
    assert "Ольга" not in screen.text  # 7 January is more than a week after the 26th

    await press(emu, boss, "🔔 Анна")
    assert popups(boss)[-1].startswith("Напоминаний поставлено в очередь: 1.")
    await press(emu, boss, "🔔 Анна")  # a second tap the same day
    assert popups(boss)[-1].startswith("Напоминаний поставлено в очередь: 0.")
    await tick(emu, bot, local(2026, 12, 26, 12, 1))
    assert len(texts_of(anna, "Напоминаем про оплату")) == 1
    assert "1 января" in texts_of(anna, "Напоминаем")[0]  # the parent reads the date in words

    at(local(2027, 1, 3, 12, 0))  # Анна overdue now, Ольга ends within a week
    screen = await press(emu, boss, "Меню", "Заканчивается оплата")
    assert "⚠️ Анна — закончилась 01.01.2027" in screen.text and "Ольга — до 07.01.2027" in screen.text, screen.text
    await press(emu, boss, "Напомнить всем")
    assert popups(boss)[-1].startswith("Напоминаний поставлено в очередь: 2.")
    await tick(emu, bot, local(2027, 1, 3, 12, 1))
    assert len(texts_of(olga, "Напоминаем про оплату")) == 1
    assert any(e.action == "renewals.remind" for e in await audit_entries(bot))


async def test_settings_change_days_and_switch_off_follow_up(emu, bot):
    boss = director(emu)
    await open_panel(emu, boss)
    screen = await press(emu, boss, "Заканчивается оплата", "Настройки напоминаний")
    assert "за 3 дня" in screen.text and "включено" in screen.text
    screen = await press(emu, boss, "7 дн.")
    assert "за 7 дней" in screen.text
    screen = await press(emu, boss, "Мягкое напоминание: включено")
    assert "Сейчас: выключено" in screen.text

    parent = emu.user(9203, "Вера")
    await pay_and_approve(emu, bot, parent, boss)  # scheduled with the new setting: 7 days before 1 January
    async with bot.sessions() as session:
        soon = await session.scalar(select(Reminder).where(Reminder.kind == "renewal.soon"))
    assert soon is not None and soon.due_at.date() == date(2026, 12, 25)
    await tick(emu, bot, local(2026, 12, 25, 10, 5))
    assert len(texts_of(parent, SOON)) == 1
    assert {e.action for e in await audit_entries(bot)} >= {"renewals.settings"}


async def test_paid_until_corrected_from_the_receipt_card(emu, bot):
    boss, parent = director(emu), emu.user(9204, "Ира")
    await pay_and_approve(emu, bot, parent, boss)
    card = [m for m in boss.bot_messages if "Чек №" in m.text][-1]
    assert "Оплачено до 01.01.2027" in card.text and "/paid_1" in card.text
    prompt = await say(emu, boss, "/paid_1")
    assert "оплачено до 01.01.2027" in prompt.text
    answer = await say(emu, boss, "31.13.2026")
    assert "Не похоже на дату" in answer.text
    answer = await say(emu, boss, "15.01.2027")
    assert "оплачено до 15.01.2027" in answer.text
    async with bot.sessions() as session:
        row = await session.scalar(select(PaidPeriod))
        assert row is not None and row.paid_until == date(2027, 1, 15)
    card = [m for m in boss.bot_messages if m.text.startswith("🧾 Чек №")][-1]
    assert "Оплачено до 15.01.2027" in card.text, "the card shows the corrected date"
    await tick(emu, bot, local(2026, 12, 29, 12, 0))  # the old date's reminder was withdrawn
    assert not texts_of(parent, SOON)
    await tick(emu, bot, local(2027, 1, 12, 10, 1))  # 3 days before the corrected end
    assert len(texts_of(parent, SOON)) == 1 and "15 января" in texts_of(parent, SOON)[0]


async def test_period_length_edited_on_its_catalog_card(emu, bot):
    boss, parent = director(emu), emu.user(9205, "Лена")
    await open_panel(emu, boss)
    card = await press(emu, boss, "Каталог", "Периоды", "1 месяц")
    assert card.has_button("⏱ Длина: 1 месяц")
    prompt = await press(emu, boss, "⏱ Длина: 1 месяц")
    assert "3 мес" in prompt.text
    assert "Не понял длину" in (await say(emu, boss, "полтора")).text
    assert "период «1 месяц» — 14 дней" in (await say(emu, boss, "14 дней")).text
    assert any(e.action == "renewals.length" for e in await audit_entries(bot))
    await pay_and_approve(emu, bot, parent, boss)
    async with bot.sessions() as session:
        row = await session.scalar(select(PaidPeriod).where(PaidPeriod.user_id == parent.id))
    assert row is not None and row.paid_until == date(2026, 12, 15)  # 1 December + 14 days
