"""«Статистика» end to end: parents go through the real dialog, plus scripted events; the director sees
the funnel as text and as a chart."""

from __future__ import annotations

from datetime import timedelta

from happykids.db.base import utcnow
from happykids.db.models import FunnelEvent
from tests.e2e.conftest import ADMIN_ID

SETTLE = dict(quiet=0.15, timeout=10)


async def step(emu, action):
    result = await action
    await emu.settle(**SETTLE)
    return result


async def show_period(emu, admin, label, message_id=None):
    """Press a period and wait for the chart (drawn in a thread, so the bot may look idle meanwhile)."""
    await admin.press(label, message_id=message_id)
    chart = await admin.wait_for(lambda m: m.kind == "photo", timeout=20)
    await emu.settle(**SETTLE)
    return chart


def line(text: str, title: str) -> str:
    return next(row for row in text.splitlines() if row.startswith(title))


async def test_funnel_for_a_scripted_set_of_parents(emu, bot):
    # Through the real dialog: one gets the link, one only picks a group, one only starts.
    linked = emu.user(6001, "Анна")
    await step(emu, linked.send_command("/start"))
    for button in ("Малыши", "1 месяц", "1 ребёнок", "Подтвердить"):
        await step(emu, linked.press(button))
    picked = emu.user(6002, "Вера")
    await step(emu, picked.send_command("/start"))
    await step(emu, picked.press("Юниоры"))
    started = emu.user(6003, "Нина")
    await step(emu, started.send_command("/start"))
    await step(emu, started.send_command("/start"))  # twice: still one parent

    # Direct events: the linked parent's receipt is approved; another parent paid 10 days ago; one
    # parent's whole story is 40 days old.
    now = utcnow()
    async with bot.sessions() as session, session.begin():
        session.add_all([
            FunnelEvent(user_id=6001, kind="receipt", group_code="kids", at=now),
            FunnelEvent(user_id=6001, kind="approved", group_code="kids", at=now),
            *[FunnelEvent(user_id=6004, kind=kind, group_code=None if kind == "started" else "juniors",
                          at=now - timedelta(days=10)) for kind in ("started", "group", "confirmed", "link")],
            FunnelEvent(user_id=6004, kind="receipt", group_code=None, at=now - timedelta(days=10)),
            *[FunnelEvent(user_id=6005, kind=kind, group_code=None if kind == "started" else "kids",
                          at=now - timedelta(days=40)) for kind in ("started", "group")],
        ])

    admin = emu.user(ADMIN_ID, "Директор")
    await step(emu, admin.send_command("/admin"))
    await admin.wait_for(lambda m: "Панель управления" in m.text, timeout=10, since=0)
    await step(emu, admin.press("Статистика"))
    panel = await admin.wait_for(lambda m: "Выберите период" in m.text, timeout=10, since=0)
    assert panel.has_button("7 дней") and panel.has_button("30 дней") and panel.has_button("Всё время")

    chart = await show_period(emu, admin, "7 дней")
    assert chart.kind == "photo" and "7 дней" in chart.text
    assert emu.file_bytes(chart.file_id).startswith(b"\x89PNG")
    week = admin.message(panel.message_id).text
    assert line(week, "Начали").endswith("3")
    assert line(week, "Выбрали группу").startswith("Выбрали группу: 2")
    assert line(week, "Подтвердили выбор").startswith("Подтвердили выбор: 1")
    assert line(week, "Получили ссылку").startswith("Получили ссылку: 1")
    assert line(week, "Прислали чек").startswith("Прислали чек: 1")
    assert line(week, "Оплата подтверждена").startswith("Оплата подтверждена: 1")
    assert "Дошли до оплаты: 33% от начавших" in week
    # Every share names its base (issue #10): the text shows both, the chart the one it draws.
    assert line(week, "Подтвердили выбор").endswith("— 33% от начавших, 50% от предыдущего шага")
    assert "от всех, кто начал" in chart.text
    assert "Малыши (4–6 лет): 1 → 1 → 1 → 1 → 1 (100%)" in week
    assert "Юниоры (7–11 лет): 1 → 0 → 0 → 0 → 0 (0%)" in week

    await show_period(emu, admin, "30 дней", panel.message_id)
    month = admin.message(panel.message_id).text
    assert line(month, "Начали").endswith("4") and line(month, "Прислали чек").startswith("Прислали чек: 2")
    assert "Юниоры (7–11 лет): 2 → 1 → 1 → 1 → 0 (0%)" in month, "the code-less receipt belongs to juniors"

    await show_period(emu, admin, "Всё время", panel.message_id)
    everything = admin.message(panel.message_id).text
    assert line(everything, "Начали").endswith("5") and "Малыши (4–6 лет): 2 → 1" in everything
    assert [m.kind for m in admin.bot_messages].count("photo") == 3


async def test_empty_period_has_no_chart(emu, bot):
    admin = emu.user(ADMIN_ID, "Директор")
    await step(emu, admin.send_command("/admin"))
    await admin.wait_for(lambda m: "Панель управления" in m.text, timeout=10, since=0)
    await step(emu, admin.press("Статистика"))
    await admin.wait_for(lambda m: "Выберите период" in m.text, timeout=10, since=0)
    await step(emu, admin.press("7 дней"))
    await admin.wait_for(lambda m: "событий нет" in m.text, timeout=10)
    assert all(m.kind != "photo" for m in admin.bot_messages)
