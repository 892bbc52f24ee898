"""The journal: every change from the panel, who made it and what it was before, newest first."""

from __future__ import annotations

from datetime import datetime, timedelta

from happykids.db.models import AuditEntry
from tests.e2e.admin_helpers import director, open_panel, press, say


async def test_journal_lists_changes_with_who_and_old_to_new(emu, bot):
    boss = director(emu)
    await open_panel(emu, boss)
    journal = await press(emu, boss, "Журнал")
    assert "Пока ничего не меняли" in journal.text

    await press(emu, boss, "Меню", "Каталог", "Группы", "Юниоры", "Переименовать")
    await say(emu, boss, "Юниоры 7+")
    await press(emu, boss, "Скрыть")
    await open_panel(emu, boss)
    await press(emu, boss, "Контакты", "Изменить")
    await say(emu, boss, "+7 900 000-00-00")

    await open_panel(emu, boss)
    journal = await press(emu, boss, "Журнал")
    text = journal.text
    assert text.count("Марина") == 3
    first, second, third = (text.index(s) for s in ("изменил(а) контакты", "скрыл(а)", "переименовал(а)"))
    assert first < second < third, "newest first"
    assert "переименовал(а): группа «Юниоры 7+»\nЮниоры (7–11 лет) → Юниоры 7+" in text
    assert "+7 900 000-00-00" in text


async def test_journal_is_paginated(emu, bot):
    start = datetime(2026, 1, 1, 9, 0)
    async with bot.sessions() as session, session.begin():
        for n in range(20):
            session.add(AuditEntry(actor_id=1, actor_name="Марина", action="contacts.set", target="контакты",
                                   old_value=f"old {n}", new_value=f"new {n}", at=start + timedelta(minutes=n)))
    boss = director(emu)
    await open_panel(emu, boss)
    page = await press(emu, boss, "Журнал")
    assert "new 19" in page.text and "new 12" in page.text and "new 11" not in page.text
    assert "Страница 1 из 3" in page.text and not page.has_button("Новее")
    page = await press(emu, boss, "Старее")
    assert "new 11" in page.text and "new 19" not in page.text
    page = await press(emu, boss, "Старее")
    assert "new 0" in page.text and not page.has_button("Старее")
    page = await press(emu, boss, "Новее")
    assert "Страница 2 из 3" in page.text


async def test_journal_names_texts_and_recipients_as_people_know_them(emu, bot):
    """Issue #10: never `group:kids` or `(dialog.greeting)`; titles with quotes get „inner“ ones."""
    at = datetime(2026, 1, 1, 9, 0)
    async with bot.sessions() as session, session.begin():
        session.add_all([  # written by an older version, which kept keys
            AuditEntry(actor_id=1, actor_name="Марина", action="text.set",
                       target="Вопрос о группе (dialog.choose_group)",
                       old_value="<b>Шаг 1 из 3.</b> Выберите группу:", new_value="<b>Шаг 1.</b> Группа? &lt;3",
                       at=at),
            AuditEntry(actor_id=1, actor_name="Марина", action="text.reset", target="Кнопка «Назад» (btn.back)",
                       old_value="Назад", new_value="⬅️ Назад", at=at + timedelta(minutes=1)),
            AuditEntry(actor_id=1, actor_name="Марина", action="broadcast.send", target="№1", new_value="group:kids",
                       at=at + timedelta(minutes=2)),
        ])
    boss = director(emu)
    await open_panel(emu, boss)
    text = (await press(emu, boss, "Журнал")).text
    assert "изменил(а) текст: «Вопрос о группе»\nШаг 1 из 3. Выберите группу: → Шаг 1. Группа? <3" in text
    assert "вернул(а) стандартный текст: «Кнопка „Назад“»" in text
    assert "запустил(а) рассылку: №1\nродители группы «Малыши (4–6 лет)»" in text
    assert "group:kids" not in text and "dialog." not in text and "btn.back" not in text
