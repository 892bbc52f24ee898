"""Parents' texts edited from the panel: validated, previewed as a parent sees them, live at once."""

from __future__ import annotations

import json

from happykids.db.models import TextOverride
from tests.e2e.admin_helpers import audit_entries, director, open_panel, panel, parent_choices, popups, press, say, step


async def open_text(emu, boss, screen: str, description: str, page: int = 0):
    await open_panel(emu, boss)
    await press(emu, boss, "Тексты", screen, *["➡️"] * page)
    return await press(emu, boss, description)


async def overrides(app) -> dict[str, str]:
    async with app.sessions() as session:
        from sqlalchemy import select

        return {row.key: row.value for row in (await session.scalars(select(TextOverride))).all()}


async def test_texts_are_grouped_by_screen_with_descriptions(emu, bot):
    boss = director(emu)
    await open_panel(emu, boss)
    menu = await press(emu, boss, "Тексты")
    assert menu.has_button("Оплата") and menu.has_button("Помощь")
    screen = await press(emu, boss, "Оплата")
    assert screen.has_button("Вопрос о группе") and not screen.has_button("Кнопка «Назад»")
    second = await press(emu, boss, "➡️")
    assert second.has_button("Кнопка «Назад»") and second.message_id == screen.message_id
    card = await press(emu, boss, "⬅️ Страница 1", "Вопрос о группе")
    assert "<b>Шаг 1 из 3.</b> Выберите группу:" in card.text  # the source, ready to copy
    assert "Стандартный текст" in card.text


async def test_broken_html_is_refused_and_nothing_is_saved(emu, bot):
    boss = director(emu)
    await open_text(emu, boss, "Оплата", "Вопрос о группе")
    await press(emu, boss, "Изменить")
    for broken, explanation in (
        ("<b>Шаг 1.</b Выберите группу", "не дописан"),
        ("<b>Шаг 1. Выберите группу", "не закрыт"),
        ("<b>Шаг <i>1.</b></i> Выберите", "перепутаны"),
        ("<font>Шаг 1</font>", "не поддерживает"),
        ("<b></b>", "не остаётся текста"),
    ):
        answer = await say(emu, boss, broken)
        assert "сохранить нельзя" in answer.text and explanation in answer.text, (broken, answer.text)
        assert answer.has_button("Отмена")
    assert await overrides(bot) == {}
    _, question = await parent_choices(emu, 6001)
    assert "Шаг 1 из 3." in question.text


async def test_placeholders_must_match_the_default(emu, bot):
    boss = director(emu)
    await open_text(emu, boss, "Помощь", "Ответ на /help")
    await press(emu, boss, "Изменить")
    answer = await say(emu, boss, "Пишите нам!")
    assert "Не хватает {contacts}" in answer.text and "контакты агентства" in answer.text
    answer = await say(emu, boss, "Пишите нам: {contacts} {phone}")
    assert "Бот не знает {phone}" in answer.text
    assert await overrides(bot) == {}


async def test_a_new_text_is_previewed_then_reaches_parents_without_restart(emu, bot):
    boss = director(emu)
    await open_text(emu, boss, "Оплата", "Вопрос о группе")
    await press(emu, boss, "Изменить")
    preview = await say(emu, boss, "<b>Шаг 1.</b> Какая у вас группа? & кто занимается")
    assert preview.text == "Шаг 1. Какая у вас группа? & кто занимается"  # exactly what a parent will see
    assert preview.has_button("Сохранить")
    assert await overrides(bot) == {}  # not before «Сохранить»

    await press(emu, boss, "Сохранить")
    assert "Сохранено" in popups(boss)[-1]
    assert "Изменён" in panel(boss).text
    assert (await overrides(bot))["dialog.choose_group"] == "<b>Шаг 1.</b> Какая у вас группа? &amp; кто занимается"

    _, question = await parent_choices(emu, 6002)
    assert question.text == "Шаг 1. Какая у вас группа? & кто занимается"
    entry = (await audit_entries(bot))[-1]
    assert entry.action == "text.set" and entry.old_value == "<b>Шаг 1 из 3.</b> Выберите группу:"

    await press(emu, boss, "Вернуть стандартный", "Да, вернуть")
    assert "Стандартный текст" in panel(boss).text
    _, question = await parent_choices(emu, 6003)
    assert "Шаг 1 из 3." in question.text
    assert [e.action for e in await audit_entries(bot)] == ["text.set", "text.reset"]


async def test_text_formatted_with_telegram_buttons_becomes_html(emu, bot):
    boss = director(emu)
    await open_text(emu, boss, "Оплата", "Вопрос о группе")
    await press(emu, boss, "Изменить")
    formatted = {"text": "Шаг 1. Выберите группу", "entities": [{"type": "bold", "offset": 0, "length": 6}]}
    await step(emu, boss._send(formatted, None))
    await press(emu, boss, "Сохранить")
    assert (await overrides(bot))["dialog.choose_group"] == "<b>Шаг 1.</b> Выберите группу"


async def test_button_label_is_plain_short_and_live(emu, bot):
    boss = director(emu)
    await open_text(emu, boss, "Оплата", "Кнопка «Назад»", page=1)
    await press(emu, boss, "Изменить")
    answer = await say(emu, boss, "<b>Назад</b>")
    assert "оформление" in answer.text
    answer = await say(emu, boss, "Назад " * 20)
    assert "не больше 64" in answer.text
    preview = await say(emu, boss, "↩️ Вернуться")
    assert preview.has_button("↩️ Вернуться")
    await step(emu, boss.press("↩️ Вернуться"))
    assert "пример кнопки" in popups(boss)[-1]
    await press(emu, boss, "Сохранить")

    parent, _ = await parent_choices(emu, 6004)
    await step(emu, parent.press("Малыши"))
    assert panel(parent).has_button("↩️ Вернуться")


async def test_popup_preview_and_command_description_refresh(emu, bot):
    boss = director(emu)
    await open_text(emu, boss, "Оплата", "Всплывающий ответ на старую", page=1)
    await step(emu, boss.press("Как видят родители"))
    assert popups(boss)[-1] == "Эта кнопка устарела — показываю текущий шаг"

    await open_text(emu, boss, "Помощь", "Описание команды /start")
    await press(emu, boss, "Изменить")
    preview = await say(emu, boss, "Оплатить занятия")
    assert "/start — Оплатить занятия" in preview.text
    await press(emu, boss, "Сохранить")
    commands = json.loads(emu.calls_of("setMyCommands")[-1]["commands"]) if isinstance(
        emu.calls_of("setMyCommands")[-1]["commands"], str) else emu.calls_of("setMyCommands")[-1]["commands"]
    assert {"command": "start", "description": "Оплатить занятия"} in commands


async def test_a_sub_template_keeps_its_line_break(emu, bot):
    boss = director(emu)
    await open_text(emu, boss, "Оплата", "Строка с суммой")
    await press(emu, boss, "Изменить")
    await say(emu, boss, "К оплате: <b>{amount} ₽</b>")
    await press(emu, boss, "Сохранить")
    assert (await overrides(bot))["dialog.amount_line"] == "\nК оплате: <b>{amount} ₽</b>"
    parent, _ = await parent_choices(emu, 6005)
    for label in ("Малыши", "1 месяц", "1 ребёнок"):
        await step(emu, parent.press(label))
    assert "Детей: 1 ребёнок\nК оплате: 6 000 ₽" in panel(parent).text
