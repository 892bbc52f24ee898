"""The texts editor is easy to search: each text in the list shows what parents read, pages are labelled,
and a word typed into the search finds a text by its title or its current wording."""

from __future__ import annotations

from tests.e2e.admin_helpers import director, open_panel, panel, press, say, step


async def test_the_list_previews_each_text_and_labels_its_pages(emu, bot):
    boss = director(emu)
    await open_panel(emu, boss)
    first = await press(emu, boss, "Тексты", "Оплата")
    assert "Оплата · страница 1 из 3" in first.text
    # The look-alikes differ at a glance: a message body and a button label.
    assert "5. Экран подтверждения выбора\nПроверьте, пожалуйста: Группа: {group}" in first.text
    assert first.has_button("5. Экран подтверждения выбора") and first.has_button("Страница 2 ➡️")
    assert not first.has_button("⬅️ Страница")
    second = await press(emu, boss, "Страница 2 ➡️")
    assert "страница 2 из 3" in second.text and second.message_id == first.message_id
    assert "Кнопка подтверждения выбора\n[ ✅ Подтвердить ]" in second.text
    assert second.has_button("⬅️ Страница 1") and second.has_button("Страница 3 ➡️")


async def test_find_a_text_by_a_word_of_its_wording_or_title(emu, bot):
    boss = director(emu)
    await open_panel(emu, boss)
    await press(emu, boss, "Тексты", "Найти текст")
    found = await say(emu, boss, "ПОДТВЕРДИТЬ")  # a word of the current wording, any case
    assert "По запросу «ПОДТВЕРДИТЬ» нашла" in found.text
    assert found.has_button("Кнопка подтверждения выбора") and found.has_button("Экран подтверждения выбора")
    card = await press(emu, boss, "Кнопка подтверждения выбора")
    assert "✅ Подтвердить" in card.text and card.has_button("Изменить")

    await open_panel(emu, boss)
    await press(emu, boss, "Тексты", "Найти текст")
    nothing = await say(emu, boss, "абракадабра")
    assert "текстов не нашла" in nothing.text and nothing.has_button("Отмена"), "she can type another word"
    one = await say(emu, boss, "голосовое")  # a word of a title only
    assert "нашла 1 текст:" in one.text
    assert next(b.text for row in one.buttons for b in row).startswith("1. Ответ на стикер, голосовое")
    await step(emu, boss.press("Назад"))
    assert "Тексты для родителей" in panel(boss).text
