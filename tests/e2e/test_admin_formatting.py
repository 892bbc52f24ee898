"""One way to format wherever the director writes: the app's Bold button and typed <b> both reach parents
as bold, a stray "<3" or "&" is just a character, and the preview is exactly what parents get."""

from __future__ import annotations

from tests.e2e.admin_helpers import director, open_panel, panel, parent_choices, press, say, step
from tests.e2e.test_admin_texts import open_text, overrides

TEXT = "Завтра занятий нет — праздник 🎉 <3 & до встречи"


def bold_entity(text: str, part: str) -> dict:
    start = text.index(part)
    return {"type": "bold", "offset": len(text[:start].encode("utf-16-le")) // 2,
            "length": len(part.encode("utf-16-le")) // 2}


async def broadcast_to_all(emu, boss, content: dict) -> None:
    await open_panel(emu, boss)
    await press(emu, boss, "Рассылка", "Новая рассылка")
    await step(emu, boss._send(content, None))
    await press(emu, boss, "Всем родителям")


def bold_parts(message) -> list[str]:
    units = message.text.encode("utf-16-le")
    return [units[e["offset"] * 2:(e["offset"] + e["length"]) * 2].decode("utf-16-le")
            for e in message.entities if e["type"] == "bold"]


async def test_broadcast_bold_by_button_and_by_typed_tag_reach_parents_as_bold(emu, bot):
    parent, _ = await parent_choices(emu, 8101, "Анна")
    boss = director(emu)
    typed = "Завтра <b>занятий нет</b> — праздник 🎉 <3 & до встречи"
    for number, content in enumerate([
        {"text": TEXT, "entities": [bold_entity(TEXT, "занятий нет")]},
        {"text": typed},
    ], start=1):
        await broadcast_to_all(emu, boss, content)
        preview = boss.bot_messages[-2]
        assert preview.text == TEXT and bold_parts(preview) == ["занятий нет"], "the preview is what parents get"
        await step(emu, boss.press("Отправить (1)"))
        received = await parent.wait_for(lambda m, n=number: "праздник" in m.text
                                         and len([x for x in parent.bot_messages if "праздник" in x.text]) == n,
                                         timeout=15)
        assert received.text == TEXT, "no tags shown, <3 and & are characters"
        assert bold_parts(received) == ["занятий нет"]
        await boss.wait_for(lambda m, n=number: f"Рассылка №{n} завершена" in m.text, timeout=15, since=0)
        await emu.settle(quiet=0.15, timeout=15)


async def test_broadcast_with_a_broken_tag_is_explained_not_sent(emu, bot):
    boss = director(emu)
    await open_panel(emu, boss)
    await press(emu, boss, "Рассылка", "Новая рассылка")
    answer = await say(emu, boss, "Завтра <b>занятий нет")
    assert "не закрыт" in answer.text and "Пришлите сообщение" in answer.text
    answer = await say(emu, boss, "Завтра <b>занятий нет</b> <3")
    assert "Кому отправить" in answer.text


async def test_texts_editor_bold_button_with_a_heart_saves_and_shows_it(emu, bot):
    boss = director(emu)
    await open_text(emu, boss, "Оплата", "Вопрос о группе")
    await press(emu, boss, "Изменить")
    typed = "Шаг 1. Выберите группу <3 & <i>удачи</i>"
    await step(emu, boss._send({"text": typed, "entities": [bold_entity(typed, "Шаг 1.")]}, None))
    preview = boss.bot_messages[-1]
    assert preview.text == "Шаг 1. Выберите группу <3 & удачи", "exactly what a parent will see"
    assert bold_parts(preview) == ["Шаг 1."] and preview.has_button("Сохранить")
    await press(emu, boss, "Сохранить")
    assert (await overrides(bot))["dialog.choose_group"] == "<b>Шаг 1.</b> Выберите группу &lt;3 &amp; <i>удачи</i>"
    card = panel(boss)
    assert "<b>Шаг 1.</b> Выберите группу <3 & <i>удачи</i>" in card.text, "the source reads as she typed it"

    _, question = await parent_choices(emu, 8201)
    assert question.text == "Шаг 1. Выберите группу <3 & удачи" and bold_parts(question) == ["Шаг 1."]


async def test_contacts_keep_her_formatting_wherever_parents_see_them(emu, bot):
    boss = director(emu)
    await open_panel(emu, boss)
    await press(emu, boss, "Контакты", "Изменить")
    answer = await say(emu, boss, "<b>Звоните: +7 (343) 111-22-33")
    assert "не закрыт" in answer.text and answer.has_button("Отмена"), "a broken tag is explained, not saved"
    typed = "Звоните: +7 (343) 111-22-33 <3 & <i>пн–пт</i>"
    await step(emu, boss._send({"text": typed, "entities": [bold_entity(typed, "+7 (343) 111-22-33")]}, None))
    screen = panel(boss)
    assert "Звоните: +7 (343) 111-22-33 <3 & пн–пт" in screen.text and "+7 (343) 111-22-33" in bold_parts(screen)

    parent = emu.user(8301, "Вера")
    await step(emu, parent.send_command("/help"))
    assert "Звоните: +7 (343) 111-22-33 <3 & пн–пт" in parent.last.text
    assert bold_parts(parent.last)[-1] == "+7 (343) 111-22-33"
    assert any(e["type"] == "italic" for e in parent.last.entities)
