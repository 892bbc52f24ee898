"""What the director and parents read is plain, grammatical Russian that promises only what will happen:
duplicate titles refused in the panel, numbers agreeing with their words, the no-link confirmation."""

from __future__ import annotations

from datetime import timedelta

from happykids.db.base import utcnow
from happykids.db.models import Receipt
from tests.e2e.admin_helpers import catalog, director, open_panel, panel, parent_choices, press, say, step


async def test_a_title_that_exists_is_refused_and_the_step_stays(emu, bot):
    boss = director(emu)
    await open_panel(emu, boss)
    await press(emu, boss, "Каталог", "Группы", "Добавить")
    answer = await say(emu, boss, "  малыши (4–6 ЛЕТ) ")
    assert "«Малыши (4–6 лет)» уже есть" in answer.text and "две одинаковые кнопки" in answer.text
    assert answer.has_button("Отмена"), "still asking for a title"
    card = await say(emu, boss, "Подростки")
    assert "Подростки" in card.text

    await press(emu, boss, "Переименовать")
    answer = await say(emu, boss, "Юниоры (7–11 лет)")
    assert "уже есть" in answer.text and answer.has_button("Отмена")

    await open_panel(emu, boss)
    await press(emu, boss, "Каталог", "Периоды", "Добавить")
    answer = await say(emu, boss, "3 Месяца")
    assert "«3 месяца» уже есть" in answer.text
    titles = [g.title for g in (await catalog(bot)).groups]
    assert titles == ["Малыши (4–6 лет)", "Юниоры (7–11 лет)", "Подростки"]
    _, question = await parent_choices(emu, 9001)
    assert question.button_texts() == titles


async def test_confirmation_without_a_link_says_what_will_happen(emu, bot):
    parent, _ = await parent_choices(emu, 9101)
    for label in ("Юниоры", "1 месяц", "1 ребёнок"):
        await step(emu, parent.press(label))
    confirm = panel(parent)
    assert "пришлю ссылку" not in confirm.text, "no promise of a link that does not exist"
    assert "ссылки на оплату для него нет" in confirm.text and "пришлёт реквизиты" in confirm.text
    assert "+7 (343) 000-00-00" in confirm.text, "the contacts, before confirming"
    await step(emu, parent.press("Подтвердить"))
    assert "+7 (343) 000-00-00" in parent.last.text

    parent2, _ = await parent_choices(emu, 9102)
    for label in ("Малыши", "1 месяц", "1 ребёнок"):
        await step(emu, parent2.press(label))
    assert "пришлю ссылку на оплату" in panel(parent2).text, "with a link, the usual promise"


async def test_numbers_agree_with_their_words(emu, bot):
    await parent_choices(emu, 9201)
    async with bot.sessions() as session, session.begin():
        session.add(Receipt(source_key="w-1", user_id=9201, parent_name="Анна", group_code="kids", amount=6000,
                            status="approved", created_at=utcnow() - timedelta(minutes=1)))
    boss = director(emu)
    await open_panel(emu, boss)
    payments = await press(emu, boss, "Платежи")
    assert "(1 чек)" in payments.text and "чек." not in payments.text

    await open_panel(emu, boss)
    await press(emu, boss, "Рассылка", "Новая рассылка")
    await say(emu, boss, "Завтра занятий нет")
    await press(emu, boss, "Всем родителям")
    await step(emu, boss.press("Отправить (1)"))
    await boss.wait_for(lambda m: "Рассылка №1 завершена" in m.text, timeout=15, since=0)
    await emu.settle(quiet=0.15, timeout=15)
    assert any(params.get("text", "").endswith("запускается: 1 получатель…")
               for params in emu.calls_of("editMessageText")), "«1 получатель», not «1 получателей»"


async def test_the_link_card_says_the_amount_once(emu, bot):
    boss = director(emu)
    await open_panel(emu, boss)
    await press(emu, boss, "Ссылки", "Малыши")
    card = await press(emu, boss, "1 месяц · 2 ребёнка")
    assert "Сумма не указана — родители увидят ссылку без суммы" in card.text
    assert "Сумма: сумма" not in card.text and card.text.count("Сумма") == 1
    card = await press(emu, boss, "К таблице", "1 месяц · 1 ребёнок")
    assert "Сумма: 6 000 ₽" in card.text
    card = await press(emu, boss, "К таблице", "3 месяца · 1 ребёнок")
    assert "Сумма" not in card.text, "no link, no amount line"


async def test_a_title_with_quotes_gets_inner_quotes_inside_guillemets(emu, bot):
    boss = director(emu)
    await open_panel(emu, boss)
    await press(emu, boss, "Каталог", "Группы", "Добавить")
    await say(emu, boss, "Фото-студия «Звёздочка»")
    await press(emu, boss, "Удалить")
    assert "Удалить группу «Фото-студия „Звёздочка“»?" in panel(boss).text
    await open_panel(emu, boss)
    await press(emu, boss, "Рассылка", "Новая рассылка")
    await say(emu, boss, "Завтра занятий нет")
    await press(emu, boss, "Родителям группы", "Фото-студия")
    assert "Получателей нет: родители группы «Фото-студия „Звёздочка“»" in panel(boss).text
