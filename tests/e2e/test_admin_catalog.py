"""Catalog and links from the panel: every change reaches the next parent at once, without a restart."""

from __future__ import annotations

from happykids.db.models import Receipt
from tests.e2e.admin_helpers import (
    audit_entries,
    catalog,
    director,
    open_panel,
    panel,
    parent_choices,
    popups,
    press,
    say,
    step,
)


async def test_new_group_renamed_with_a_link_reaches_the_next_parent(emu, bot):
    boss = director(emu)
    await open_panel(emu, boss)
    prompt = await press(emu, boss, "Каталог", "Группы", "Добавить")
    assert prompt.has_button("Отмена")
    card = await say(emu, boss, "Подростки (12–16 лет)")
    assert "Подростки (12–16 лет)" in card.text and "podrostki-12-16-let" in card.text

    await press(emu, boss, "Переименовать")
    card = await say(emu, boss, "Подростки 12+")
    assert "Подростки 12+" in card.text

    await press(emu, boss, "Ссылки этой группы")
    matrix = panel(boss)
    assert "Не хватает ссылок: 4" in matrix.text and matrix.text.count("нет ссылки") == 4
    await press(emu, boss, "1 месяц · 1 ребёнок", "Указать ссылку")
    card = await say(emu, boss, "https://pay.example.com/teens-1")
    assert "https://pay.example.com/teens-1" in card.text
    await press(emu, boss, "Сумма")
    card = await say(emu, boss, "7 500 ₽")
    assert "7 500 ₽" in card.text

    parent, question = await parent_choices(emu, 4001)
    assert question.button_texts() == ["Малыши (4–6 лет)", "Юниоры (7–11 лет)", "Подростки 12+"]
    for label in ("Подростки 12+", "1 месяц", "1 ребёнок"):
        await step(emu, parent.press(label))
    assert "7 500 ₽" in panel(parent).text
    await step(emu, parent.press("Подтвердить"))
    assert panel(parent).find_button("Оплатить").url == "https://pay.example.com/teens-1"

    actions = [e.action for e in await audit_entries(bot)]
    assert actions == ["catalog.add", "catalog.rename", "link.set", "link.amount"]


async def test_a_link_that_is_not_http_is_refused_with_the_same_prompt(emu, bot):
    boss = director(emu)
    await open_panel(emu, boss)
    await press(emu, boss, "Ссылки", "Юниоры", "1 месяц · 1 ребёнок", "Указать ссылку")
    for bad in ("javascript:alert(1)", "pay.example.com/x", "ftp://pay.example.com/x", "https://pay example.com"):
        answer = await say(emu, boss, bad)
        assert "не похоже на ссылку" in answer.text and "https://" in answer.text
        assert answer.has_button("Отмена")
    assert [link for link in (await catalog(bot)).links if link.group == "juniors"] == []

    await press(emu, boss, "Отмена")
    assert "Юниоры" in panel(boss).text and panel(boss).has_button("Указать ссылку")
    await say(emu, boss, "https://pay.example.com/after-cancel")  # not waiting any more: a parent's text
    assert [link for link in (await catalog(bot)).links if link.group == "juniors"] == []
    assert await audit_entries(bot) == []


async def test_link_matrix_marks_gaps_and_a_link_can_be_replaced_and_removed(emu, bot):
    boss = director(emu)
    await open_panel(emu, boss)
    matrix = await press(emu, boss, "Ссылки", "Малыши")
    assert "6 000 ₽" in matrix.text and "сумма не указана" in matrix.text and "Не хватает ссылок: 2" in matrix.text
    await press(emu, boss, "1 месяц · 2 ребёнка", "Заменить ссылку")
    await say(emu, boss, "https://pay.example.com/new-k-m-2")
    await press(emu, boss, "Убрать ссылку")
    assert "Убрать ссылку" in panel(boss).text
    await press(emu, boss, "Да, убрать")
    assert "нет —" in panel(boss).text
    links = {(link.period, link.children): link.url for link in (await catalog(bot)).links}
    assert (("month", 2) not in links) and links[("month", 1)] == "https://pay.example.com/k-m-1"
    entries = await audit_entries(bot)
    assert [(e.action, e.old_value, e.new_value) for e in entries] == [
        ("link.set", "https://pay.example.com/k-m-2", "https://pay.example.com/new-k-m-2"),
        ("link.remove", "https://pay.example.com/new-k-m-2", None),
    ]


async def test_delete_asks_first_and_removes_the_option_and_its_links(emu, bot):
    boss = director(emu)
    await open_panel(emu, boss)
    await press(emu, boss, "Каталог", "Периоды", "1 месяц", "Удалить")
    question = panel(boss)
    assert "Удалить период «1 месяц»" in question.text and "ссылки на оплату: 2" in question.text
    await press(emu, boss, "Отмена")
    assert len((await catalog(bot)).periods) == 2

    await press(emu, boss, "Удалить", "Да, удалить")
    assert "Удалено" in popups(boss)[-1]
    current = await catalog(bot)
    assert [p.title for p in current.periods] == ["3 месяца"] and current.links == []
    _, question = await parent_choices(emu, 4002)
    parent = emu.user(4002)
    await step(emu, parent.press("Малыши"))
    assert panel(parent).button_texts()[0] == "3 месяца"


async def test_a_group_with_receipts_cannot_be_deleted_only_hidden(emu, bot):
    async with bot.sessions() as session, session.begin():
        session.add(Receipt(source_key="k1", user_id=5, group_code="kids", group_title="Малыши (4–6 лет)"))
    boss = director(emu)
    await open_panel(emu, boss)
    await press(emu, boss, "Каталог", "Группы", "Малыши", "Удалить")
    refusal = panel(boss)
    assert "удалить её нельзя" in refusal.text and not refusal.has_button("Да, удалить")
    await press(emu, boss, "Скрыть")
    assert "не видят" in panel(boss).text
    _, question = await parent_choices(emu, 4003)
    assert question.button_texts() == ["Юниоры (7–11 лет)"]
    assert len((await catalog(bot)).groups) == 2


async def test_reorder_and_show_again(emu, bot):
    boss = director(emu)
    await open_panel(emu, boss)
    card = await press(emu, boss, "Каталог", "Группы", "Юниоры", "Выше")
    assert "Место в списке: 1 из 2" in card.text
    await step(emu, boss.press("Выше"))
    assert popups(boss)[-1] == "Уже на первом месте"
    await press(emu, boss, "Скрыть")
    await press(emu, boss, "Показать")
    _, question = await parent_choices(emu, 4004)
    assert question.button_texts() == ["Юниоры (7–11 лет)", "Малыши (4–6 лет)"]
    assert [e.action for e in await audit_entries(bot)] == ["catalog.move", "catalog.hide", "catalog.show"]


async def test_children_option_is_added_by_number(emu, bot):
    boss = director(emu)
    await open_panel(emu, boss)
    await press(emu, boss, "Каталог", "Количество детей", "Добавить")
    answer = await say(emu, boss, "три")
    assert "число от 1 до 20" in answer.text
    answer = await say(emu, boss, "2")
    assert "уже есть" in answer.text
    card = await say(emu, boss, "3")
    assert "3 ребёнка" in card.text
    assert [c.title for c in (await catalog(bot)).children] == ["1 ребёнок", "2 ребёнка", "3 ребёнка"]


async def test_catalog_file_round_trip_through_the_panel(emu, bot):
    boss = director(emu)
    await open_panel(emu, boss)
    await press(emu, boss, "Каталог", "Скачать файл")
    document = [m for m in boss.bot_messages if m.kind == "document"][-1]
    assert document.file_name.endswith(".yaml")
    text = emu.file_bytes(document.file_id).decode("utf-8")
    assert "kids" in text and "https://pay.example.com/k-m-1" in text

    edited = (text.replace("Юниоры (7–11 лет)", "Юниоры 7–11")
              .replace("https://pay.example.com/k-m-1", "https://pay.example.com/k-m-1-new")
              + '  - {group: juniors, period: quarter, children: 2, url: "https://pay.example.com/j-q-2", '
                'amount: 9000}\n')

    await press(emu, boss, "Загрузить файл")
    await step(emu, boss.send_document(b"groups: [", file_name="broken.yaml", mime_type="application/x-yaml"))
    assert "В файле ошибка" in boss.last.text and "не изменён" in boss.last.text
    assert "каталог не изменён:\nстрока 1: файл не читается как YAML" in boss.last.text  # the line, in Russian
    await step(emu, boss.send_document(edited.encode(), file_name="catalog.yaml", mime_type="application/x-yaml"))
    summary = boss.last
    assert "Что изменится" in summary.text
    assert "«Юниоры (7–11 лет)» → «Юниоры 7–11»" in summary.text
    assert "Новые ссылки (1)" in summary.text and "Изменятся ссылки (1)" in summary.text
    assert [g.title for g in (await catalog(bot)).groups][1] == "Юниоры (7–11 лет)"  # nothing applied yet

    await press(emu, boss, "Применить")
    assert "Каталог обновлён" in popups(boss)[-1]
    current = await catalog(bot)
    assert [g.title for g in current.groups] == ["Малыши (4–6 лет)", "Юниоры 7–11"]
    assert {link.url for link in current.links} >= {"https://pay.example.com/k-m-1-new", "https://pay.example.com/j-q-2"}

    _, question = await parent_choices(emu, 4005)
    assert question.button_texts() == ["Малыши (4–6 лет)", "Юниоры 7–11"]
    assert [e.action for e in await audit_entries(bot)] == ["catalog.import"]

    # The same file again: nothing to change, nothing to confirm.
    await press(emu, boss, "Загрузить файл")
    await step(emu, boss.send_document(edited.encode(), file_name="catalog.yaml", mime_type="application/x-yaml"))
    assert any("менять нечего" in m.text for m in boss.bot_messages[-2:])


async def test_hidden_group_survives_the_file_round_trip(emu, bot):
    boss = director(emu)
    await open_panel(emu, boss)
    await press(emu, boss, "Каталог", "Группы", "Юниоры", "Скрыть")
    await open_panel(emu, boss)
    await press(emu, boss, "Каталог", "Скачать файл")
    document = [m for m in boss.bot_messages if m.kind == "document"][-1]
    text = emu.file_bytes(document.file_id).decode("utf-8")
    assert '  - {id: juniors, title: "Юниоры (7–11 лет)", hidden: true}\n' in text and text.count("hidden") == 1

    await press(emu, boss, "Загрузить файл")
    await step(emu, boss.send_document(text.encode(), file_name="catalog.yaml", mime_type="application/x-yaml"))
    assert any("менять нечего" in m.text for m in boss.bot_messages[-2:])  # the download, uploaded back
    assert [g.hidden for g in (await catalog(bot)).groups] == [False, True]

    await press(emu, boss, "Загрузить файл")
    shown = text.replace(", hidden: true", "").replace('"Малыши (4–6 лет)"}', '"Малыши (4–6 лет)", hidden: true}')
    await step(emu, boss.send_document(shown.encode(), file_name="catalog.yaml", mime_type="application/x-yaml"))
    summary = boss.last.text
    assert "Будут скрыты от родителей: «Малыши (4–6 лет)»" in summary
    assert "Снова станут видны родителям: «Юниоры (7–11 лет)»" in summary
    await press(emu, boss, "Применить")
    _, question = await parent_choices(emu, 4007)
    assert question.button_texts() == ["Юниоры (7–11 лет)"]


async def test_catalog_file_apply_button_is_single_use(emu, bot):
    boss = director(emu)
    await open_panel(emu, boss)
    await press(emu, boss, "Каталог", "Загрузить файл")
    spec = ('contacts: "x"\ngroups:\n  - {id: kids, title: "Малыши"}\nperiods:\n  - {id: month, title: "1 месяц"}\n'
            'children:\n  - {count: 1, title: "1 ребёнок"}\nlinks: []\n')
    await step(emu, boss.send_document(spec.encode(), file_name="c.yaml", mime_type="application/x-yaml"))
    summary = boss.last
    assert "удалится «Юниоры (7–11 лет)»" in summary.text and "Удалятся ссылки (2)" in summary.text
    await step(emu, boss.press("Применить", summary.message_id))
    await step(emu, boss.press_data(summary.message_id, summary.find_button("Применить").callback_data))
    assert "устарел" in popups(boss)[-1]
    assert len(await audit_entries(bot)) == 1


async def test_contacts_edited_in_the_panel_show_in_help(emu, bot):
    boss = director(emu)
    await open_panel(emu, boss)
    screen = await press(emu, boss, "Контакты")
    assert "@happykids_admin" in screen.text
    await press(emu, boss, "Изменить")
    saved = await say(emu, boss, "Новый номер: +7 (343) 111-22-33 <пн–пт>")
    assert "<пн–пт>" in saved.text
    parent = emu.user(4006, "Вера")
    await step(emu, parent.send_command("/help"))
    assert "Новый номер: +7 (343) 111-22-33 <пн–пт>" in parent.last.text
    entry = (await audit_entries(bot))[-1]
    assert entry.action == "contacts.set" and "@happykids_admin" in entry.old_value
