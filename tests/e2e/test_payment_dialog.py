"""The parent's payment dialog, end to end: the real bot polling the loopback Bot API emulator."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from happykids.db.models import FunnelEvent, Parent
from happykids.domain.catalog import CatalogKind
from happykids.ui.callbacks import Pick

SETTLE = dict(quiet=0.15, timeout=10)


async def step(emu, action):
    result = await action
    await emu.settle(**SETTLE)
    return result


def dialog(user):
    """The message that carries the live choice buttons."""
    return [m for m in user.bot_messages if m.buttons][-1]


async def walk_to_confirm(emu, user, group="Малыши", period="1 месяц", children="1 ребёнок"):
    await step(emu, user.send_command("/start"))
    await step(emu, user.press(group))
    await step(emu, user.press(period))
    await step(emu, user.press(children))
    return dialog(user)


async def test_start_greets_explains_steps_and_offers_groups(emu, bot):
    parent = emu.user(1001, "Анна", username="anna")
    await step(emu, parent.send_command("/start"))
    greeting, question = parent.bot_messages[-2:]
    assert "Happy Kids" in greeting.text and "Анна" in greeting.text
    for word in ("группу", "период", "детей", "чек"):
        assert word in greeting.text
    assert question.button_texts() == ["Малыши (4–6 лет)", "Юниоры (7–11 лет)"]
    assert not any("Назад" in b for b in question.button_texts())  # the first step has nothing to go back to
    commands = [params for method, params in emu.calls if method == "setMyCommands"]
    assert commands and {c["command"] for c in _commands(commands[-1])} == {"start", "projects", "mydata", "help"}


def _commands(params):
    import json

    value = params["commands"]
    return json.loads(value) if isinstance(value, str) else value


async def test_full_dialog_edits_one_message_with_back_on_every_step(emu, bot):
    parent = emu.user(1002, "Ольга")
    await step(emu, parent.send_command("/start"))
    message_id = dialog(parent).message_id

    await step(emu, parent.press("Малыши"))
    period = dialog(parent)
    assert "Малыши (4–6 лет)" in period.text and period.has_button("Назад")
    assert period.button_texts()[:2] == ["1 месяц", "3 месяца"]

    await step(emu, parent.press("1 месяц"))
    children = dialog(parent)
    assert "1 месяц" in children.text and children.has_button("Назад")

    await step(emu, parent.press("Назад"))
    assert dialog(parent).button_texts()[:2] == ["1 месяц", "3 месяца"]
    await step(emu, parent.press("1 месяц"))
    await step(emu, parent.press("1 ребёнок"))

    confirm = dialog(parent)
    for expected in ("Малыши (4–6 лет)", "1 месяц", "1 ребёнок", "6 000 ₽"):
        assert expected in confirm.text
    assert confirm.has_button("Подтвердить") and confirm.has_button("Назад") and confirm.has_button("заново")
    assert all("pay.example.com" not in m.text for m in parent.bot_messages), "no link before confirmation"
    assert confirm.message_id == message_id, "the dialog edits one message instead of sending new ones"

    await step(emu, parent.press("Подтвердить"))
    link = parent.last
    assert "https://pay.example.com/k-m-1" in link.text
    assert [b.url for row in link.buttons for b in row if b.url] == ["https://pay.example.com/k-m-1"]
    assert "чек" in link.text


async def test_back_from_confirmation_and_start_over(emu, bot):
    parent = emu.user(1003, "Ира")
    await walk_to_confirm(emu, parent)
    await step(emu, parent.press("Назад"))
    assert dialog(parent).has_button("2 ребёнка")
    await step(emu, parent.press("2 ребёнка"))
    await step(emu, parent.press("заново"))
    assert dialog(parent).button_texts() == ["Малыши (4–6 лет)", "Юниоры (7–11 лет)"]


async def test_link_without_amount_and_missing_link(emu, bot):
    parent = emu.user(1004, "Вера")
    await walk_to_confirm(emu, parent, children="2 ребёнка")
    assert "₽" not in dialog(parent).text  # no amount known for this link
    await step(emu, parent.press("Подтвердить"))
    assert "https://pay.example.com/k-m-2" in parent.last.text

    other = emu.user(1005, "Нина")
    await walk_to_confirm(emu, other, group="Юниоры")
    await step(emu, other.press("Подтвердить"))
    answer = other.last
    assert "ссылки на оплату пока нет" in answer.text
    assert "+7 (343) 000-00-00" in answer.text, "the contacts are offered"
    assert "pay.example.com" not in answer.text and not any(b.url for row in answer.buttons for b in row)
    assert answer.has_button("Назад")
    await step(emu, other.press("Назад"))
    assert dialog(other).has_button("1 ребёнок")


async def test_titles_with_html_characters(emu, runner):
    await runner.load_catalog(
        'contacts: "Тел. <8 800> & @admin"\n'
        'groups:\n  - {id: a, title: "Мини <4 & 5> лет"}\n'
        'periods:\n  - {id: m, title: "Месяц & <b>бонус</b>"}\n'
        'children:\n  - {count: 1, title: "1 <ребёнок>"}\n'
        'links:\n  - {group: a, period: m, children: 1, url: "https://pay.example.com/a?x=1&y=2", amount: 100}\n'
    )
    await runner.start()
    parent = emu.user(1006, "<Маша & Co>")
    await step(emu, parent.send_command("/start"))
    assert "<Маша & Co>" in parent.bot_messages[-2].text
    assert dialog(parent).button_texts() == ["Мини <4 & 5> лет"]
    await step(emu, parent.press("Мини"))
    assert "Мини <4 & 5> лет" in dialog(parent).text
    await step(emu, parent.press("Месяц"))
    await step(emu, parent.press("1 <ребёнок>"))
    assert "Месяц & <b>бонус</b>" in dialog(parent).text  # shown literally, not as markup
    await step(emu, parent.press("Подтвердить"))
    assert "https://pay.example.com/a?x=1&y=2" in parent.last.text
    await step(emu, parent.send_command("/help"))
    assert "Тел. <8 800> & @admin" in parent.last.text


async def test_mistakes_escalate_then_reset_on_a_correct_press(emu, bot):
    parent = emu.user(1007, "Лена")
    await step(emu, parent.send_command("/start"))
    await step(emu, parent.press("Малыши"))

    await step(emu, parent.send_text("хочу на месяц"))
    error, again = parent.bot_messages[-2:]
    assert "кнопкой" in error.text
    assert again.button_texts()[:2] == ["1 месяц", "3 месяца"], "the same step is shown again"

    await step(emu, parent.send_sticker())
    instruction = parent.bot_messages[-2]
    assert "Подсказка" in instruction.text and "1." in instruction.text

    await step(emu, parent.send_text("???"))
    assert "+7 (343) 000-00-00" in parent.bot_messages[-2].text, "third mistake: the agency's contacts"
    assert dialog(parent).button_texts()[:2] == ["1 месяц", "3 месяца"], "never thrown back to the start"

    await step(emu, parent.press("3 месяца"))
    await step(emu, parent.send_text("два"))
    assert "кнопкой" in parent.bot_messages[-2].text, "a correct press resets the count"
    assert dialog(parent).has_button("2 ребёнка")


async def test_only_the_newest_dialog_message_has_choice_buttons(emu, bot):
    parent = emu.user(1008, "Таня")
    await step(emu, parent.send_command("/start"))
    first = dialog(parent).message_id
    await step(emu, parent.send_text("привет"))
    assert dialog(parent).message_id != first
    old = next(m for m in parent.bot_messages if m.message_id == first)
    assert not old.buttons, "the outdated copy lost its keyboard"


async def test_help_and_start_work_at_any_moment(emu, bot):
    parent = emu.user(1009, "Катя")
    await step(emu, parent.send_command("/start"))
    await step(emu, parent.press("Юниоры"))
    await step(emu, parent.send_command("/help"))
    assert "Контакты" in parent.last.text and "+7 (343) 000-00-00" in parent.last.text
    await step(emu, parent.press("3 месяца"))  # /help did not disturb the dialog
    assert dialog(parent).has_button("1 ребёнок")
    await step(emu, parent.send_command("/start"))
    assert dialog(parent).button_texts() == ["Малыши (4–6 лет)", "Юниоры (7–11 лет)"]


async def test_stale_and_forged_presses_are_answered_and_show_the_step(emu, bot):
    parent = emu.user(1010, "Дина")
    await step(emu, parent.send_command("/start"))
    group_button = dialog(parent).buttons[0][0].callback_data
    await step(emu, parent.press("Малыши"))
    current = dialog(parent)

    await step(emu, parent.press_data(current.message_id, group_button))  # a step already passed
    await step(emu, parent.press_data(current.message_id, "totally-forged"))
    await step(emu, parent.press_data(current.message_id, Pick(step=CatalogKind.PERIOD, id=99999).pack()))
    answers = [a.get("text") for a in parent.callback_answers[-3:]]
    assert all(answers), "each bad press gets a short answer on the button"
    assert dialog(parent).button_texts()[:2] == ["1 месяц", "3 месяца"]
    await step(emu, parent.press("1 месяц"))
    assert dialog(parent).has_button("1 ребёнок")


async def test_double_tap_counts_once(emu, bot):
    parent = emu.user(1011, "Соня")
    await step(emu, parent.send_command("/start"))
    message = dialog(parent)
    data = message.buttons[0][0].callback_data
    await asyncio.gather(parent.press_data(message.message_id, data), parent.press_data(message.message_id, data))
    await emu.settle(**SETTLE)
    assert dialog(parent).button_texts()[:2] == ["1 месяц", "3 месяца"]


async def test_hostile_input_never_breaks_the_dialog(emu, bot):
    parent = emu.user(1012, "Мила")
    await step(emu, parent.send_command("/start"))
    for action in (parent.send_sticker(), parent.send_voice(), parent.send_text("я" * 5000),
                   parent.send_location(), parent.send_command("/unknown")):
        before = len(parent.bot_messages)
        await step(emu, action)
        assert len(parent.bot_messages) > before, "every input gets an answer"
    sent = parent.messages[-1]
    await step(emu, parent.edit_message(parent.bot_messages[0].message_id - 1, "исправила"))
    assert "новое сообщение" in parent.last.text
    await step(emu, parent.press("Малыши"))
    assert dialog(parent).has_button("1 месяц")
    assert sent is not None


async def test_parent_who_blocked_the_bot_is_marked_and_others_are_served(emu, bot):
    parent = emu.user(1013, "Злата")
    await step(emu, parent.send_command("/start"))
    await parent.send_text("пока")
    parent.block()  # blocks the bot before its answer arrives
    await emu.settle(**SETTLE)
    assert emu.forbidden, "the bot tried and Telegram said 403"
    async with bot.sessions() as session:
        assert (await session.get(Parent, 1013)).blocked is True
    other = emu.user(1014, "Рита")
    await step(emu, other.send_command("/start"))
    assert dialog(other).has_button("Малыши")


async def test_forty_parents_at_once_each_get_exactly_their_link(emu, bot):
    combos = [("Малыши", "1 ребёнок", "k-m-1"), ("Малыши", "2 ребёнка", "k-m-2")]
    parents = [emu.user(2000 + i, f"Родитель {i}") for i in range(44)]

    async def flow(i, parent):
        # Generous timeouts: this proves isolation, not speed (benchmarks/dialog_burst.py measures that).
        wait = lambda predicate: parent.wait_for(predicate, timeout=30)  # noqa: E731
        group, children, slug = combos[i % 2]
        await parent.send_command("/start")
        await wait(lambda m: m.has_button(group))
        await parent.press(group)
        await wait(lambda m: m.has_button("1 месяц"))
        await parent.press("1 месяц")
        await wait(lambda m: m.has_button(children))
        await parent.press(children)
        await wait(lambda m: m.has_button("Подтвердить"))
        await parent.press("Подтвердить")
        await wait(lambda m: "pay.example.com" in m.text)
        return slug

    slugs = await asyncio.gather(*(flow(i, p) for i, p in enumerate(parents)))
    await emu.settle(**SETTLE)
    for parent, slug in zip(parents, slugs, strict=False):
        links = {word for m in parent.bot_messages for word in m.text.split() if "pay.example.com" in word}
        assert links == {f"https://pay.example.com/{slug}"}, parent.user_id


async def test_dialog_survives_a_restart(emu, runner):
    await runner.start()
    parent = emu.user(1015, "Ксюша")
    await step(emu, parent.send_command("/start"))
    await step(emu, parent.press("Малыши"))
    await runner.restart()
    await step(emu, parent.press("3 месяца"))  # the button on the message the parent already has
    await step(emu, parent.press("1 ребёнок"))
    assert "3 месяца" in dialog(parent).text and dialog(parent).has_button("Подтвердить")


async def test_funnel_events_are_recorded(emu, bot):
    parent = emu.user(1016, "Ева")
    await walk_to_confirm(emu, parent)
    await step(emu, parent.press("Подтвердить"))
    async with bot.sessions() as session:
        kinds = (await session.scalars(select(FunnelEvent.kind).where(FunnelEvent.user_id == 1016))).all()
    assert kinds == ["started", "group", "confirmed", "link"]
