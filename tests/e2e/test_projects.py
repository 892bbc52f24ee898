"""Projects end to end, the parent's side: the list, the card, applying for a child, the waiting list, cancelling,
a restart in the middle, mistakes and the deep link; through the real polling loop and the strict emulator."""

from __future__ import annotations

from sqlalchemy import func, select

from happykids.db.models import Receipt
from happykids.domain.projects import Fee, FeeKind
from tests.e2e.admin_helpers import panel
from tests.e2e.project_helpers import applications, apply, make_project, step
from tests.e2e.receipt_helpers import outbox_drained


async def test_greeting_offers_projects_and_the_menu_has_the_command(emu, bot):
    await make_project(bot)
    parent = emu.user(2001, "Анна")
    await step(emu, parent.send_command("/start"))
    greeting = parent.bot_messages[-2]
    assert greeting.has_button("Проекты")
    await step(emu, parent.press_on(greeting, "Проекты"))
    listing = parent.last
    assert "Кастинг «Весна»" in listing.text and "бесплатно" in listing.text and "свободно 5 из 5" in listing.text
    assert "Happy Kids" in parent.bot_messages[-3].text, "the greeting is kept, the list comes below it"


async def test_parent_applies_with_consent_name_and_birth_date(emu, bot):
    project_id = await make_project(bot, fee=Fee(FeeKind.PAID, 1500, "https://pay.example.com/casting"))
    parent = emu.user(2002, "Ольга")
    await step(emu, parent.send_command("/projects"))
    await step(emu, parent.press("Кастинг «Весна»"))
    card = panel(parent)
    assert "Студия на Малышева, 51" in card.text and "1 500 ₽" in card.text and "Нужны дети" in card.text
    await step(emu, parent.press("Записаться"))
    assert "152-ФЗ" in panel(parent).text
    await step(emu, parent.press("Назад"))  # Back from the consent is the card, nothing stored
    assert panel(parent).has_button("Записаться") and not await applications(bot, project_id)
    await step(emu, parent.press("Записаться"))
    await step(emu, parent.press("Согласен"))
    assert "Как зовут ребёнка" in panel(parent).text
    await step(emu, parent.send_text("Маша Иванова"))
    await step(emu, parent.send_text("31.02.2017"))  # no such day: the same question again
    assert "Не получается прочитать дату" in parent.bot_messages[-2].text and "05.03.2017" in parent.last.text
    await step(emu, parent.send_text("05.03.2017"))
    confirm = panel(parent)
    assert "Маша Иванова" in confirm.text and "лет" in confirm.text and confirm.has_button("Записать")
    await step(emu, parent.press("Записать"))
    result = parent.last
    assert "в списке участников" in result.text and "https://pay.example.com/casting" in result.text
    assert result.has_button("Оплатить")
    [application] = await applications(bot, project_id)
    assert application.status == "applied" and application.parent_id == 2002

    # The second time the child is remembered, and the same child cannot apply twice.
    await step(emu, parent.send_command("/projects"))
    await step(emu, parent.press("Кастинг «Весна»"))
    assert "заявка принята" in panel(parent).text
    await step(emu, parent.press("Записаться"))
    assert panel(parent).has_button("Маша Иванова") and panel(parent).has_button("Другой ребёнок")
    await step(emu, parent.press("Маша Иванова"))
    await step(emu, parent.press("Записать"))
    assert parent.callback_answers[-1].get("text") == "Этот ребёнок уже записан на проект"
    assert len(await applications(bot, project_id)) == 1


async def test_waiting_list_and_a_cancellation_moves_the_first_waiting_up(emu, bot):
    project_id = await make_project(bot, places=1)
    first, second, third = emu.user(2011, "Первая"), emu.user(2012, "Вторая"), emu.user(2013, "Третья")
    assert "в списке участников" in (await apply(emu, first, "Кастинг «Весна»", "Аня")).text
    waiting = await apply(emu, second, "Кастинг «Весна»", "Боря")
    assert "в листе ожидания" in waiting.text and "место 1" in waiting.text
    assert "место 2" in (await apply(emu, third, "Кастинг «Весна»", "Вика")).text

    await step(emu, first.send_command("/projects"))
    await step(emu, first.press("Кастинг «Весна»"))
    await step(emu, first.press("Отменить: Аня"))
    await step(emu, first.press("Да, отменить"))
    assert "Заявка отменена" in first.last.text
    # The first waiting is offered the place (held for them) and takes it (tests/e2e/test_projects_parent_offers.py)
    offer = await second.wait_for(lambda m: "освободилось" in m.text and "Боря" in m.text, timeout=15)
    await step(emu, second.press_on(offer, "Иду"))
    await outbox_drained(bot)
    statuses = [(a.parent_id, a.status) for a in await applications(bot, project_id)]
    assert statuses == [(2011, "cancelled"), (2012, "applied"), (2013, "waiting")]
    await step(emu, third.send_command("/projects"))
    await step(emu, third.press("Кастинг «Весна»"))
    assert "в листе ожидания, место 1" in panel(third).text


async def test_restart_in_the_middle_resumes_on_the_step(emu, runner):
    app = await runner.start()
    project_id = await make_project(app)
    parent = emu.user(2021, "Ира")
    await step(emu, parent.send_command("/projects"))
    await step(emu, parent.press("Кастинг «Весна»"))
    await step(emu, parent.press("Записаться"))
    await step(emu, parent.press("Согласен"))
    await step(emu, parent.send_text("Лиза"))
    await runner.restart()
    await step(emu, parent.send_text("01.09.2018"))
    assert "Лиза" in panel(parent).text and panel(parent).has_button("Записать")
    await step(emu, parent.press("Записать"))
    assert [a.status for a in await applications(runner.app, project_id)] == ["applied"]


async def test_typing_instead_of_a_button_escalates_like_the_payment_dialog(emu, bot):
    await make_project(bot)
    parent = emu.user(2031, "Юля")
    await step(emu, parent.send_command("/projects"))
    await step(emu, parent.press("Кастинг «Весна»"))
    await step(emu, parent.press("Записаться"))
    answers = []
    for _ in range(3):
        await step(emu, parent.send_text("да"))
        answers.append(parent.bot_messages[-2].text)
        assert "152-ФЗ" in parent.last.text, "the same step again, below"
    assert "кнопкой" in answers[0] and "Подсказка" in answers[1] and "напишите нам" in answers[2]


async def test_deep_link_lands_on_the_project_and_drafts_stay_hidden(emu, bot):
    project_id = await make_project(bot, title="Показ мод")
    draft_id = await make_project(bot, title="Черновик", publish=False)
    parent = emu.user(2041, "Дина")
    await step(emu, parent.send_command(f"/start project_{project_id}"))
    assert "Показ мод" in parent.last.text and parent.last.has_button("Записаться")
    await step(emu, parent.send_command(f"/start project_{draft_id}"))
    assert "Черновик" not in parent.last.text and "Показ мод" in parent.last.text  # the list instead


async def test_the_demo_sample_project_is_open_for_applications(emu, bot):
    from happykids.demo.samples import seed_sample_project

    async with bot.sessions() as session, session.begin():
        await seed_sample_project(session)
        await seed_sample_project(session)  # once only
    parent = emu.user(2051, "Зоя")
    await step(emu, parent.send_command("/projects"))
    assert parent.last.button_texts() == ["Кастинг в рекламу детской одежды"]
    await apply(emu, parent, "Кастинг в рекламу детской одежды", "Соня")
    assert "в списке участников" in parent.last.text


async def test_a_parent_cannot_touch_another_familys_application_or_child(emu, bot):
    project_id = await make_project(bot)
    owner, other = emu.user(2061, "Хозяйка"), emu.user(2062, "Чужая")
    await apply(emu, owner, "Кастинг «Весна»", "Аня")
    [application] = await applications(bot, project_id)
    await step(emu, other.send_command("/projects"))
    listing = other.last
    # Forged presses with the owner's application and child ids: refused, nothing changes.
    await step(emu, other.press_data(listing.message_id, f"pjs:cxok:{project_id}:{application.id}"))
    await step(emu, other.press_data(listing.message_id, f"pjs:cx:{project_id}:{application.id}"))
    await step(emu, other.press_data(listing.message_id, f"pjs:child:{project_id}:{application.child_id}"))
    await step(emu, other.press_data(listing.message_id, f"pjs:yes:{project_id}:{application.child_id}"))
    assert [a.status for a in await applications(bot, project_id)] == ["applied"]
    assert all("Аня" not in m.text for m in other.bot_messages)


async def test_back_walks_the_steps_and_an_old_button_shows_the_current_step(emu, bot):
    await make_project(bot)
    parent = emu.user(2071, "Нина")
    await apply(emu, parent, "Кастинг «Весна»", "Аня")
    await step(emu, parent.send_command("/projects"))
    await step(emu, parent.press("Кастинг «Весна»"))
    await step(emu, parent.press("Записаться"))
    choose = panel(parent)
    await step(emu, parent.press("Другой ребёнок"))
    assert "Как зовут ребёнка" in panel(parent).text
    await step(emu, parent.send_text("Петя"))
    await step(emu, parent.press("Назад"))  # birth date -> name
    assert "Как зовут ребёнка" in panel(parent).text
    await step(emu, parent.press("Назад"))  # name -> which child
    assert panel(parent).has_button("Аня")
    await step(emu, parent.press("Аня"))
    await step(emu, parent.press("Назад"))  # confirmation -> which child
    assert panel(parent).has_button("Другой ребёнок")
    await step(emu, parent.press("Назад"))  # which child -> the card
    assert panel(parent).has_button("Записаться") or panel(parent).has_button("Отменить")
    await step(emu, parent.press_on(choose, "Аня"))  # a step already left
    assert parent.callback_answers[-1].get("text") == "Эта кнопка устарела — показываю текущий шаг"
    assert "Кастинг «Весна»" in panel(parent).text and panel(parent).has_button("Отменить: Аня"), "the card again"


async def test_a_photo_while_applying_is_a_mistake_on_the_step_not_a_payment_receipt(emu, bot):
    await make_project(bot)
    parent = emu.user(2051, "Вера")
    await step(emu, parent.send_command("/projects"))
    await step(emu, parent.press("Кастинг «Весна»"))
    await step(emu, parent.press("Записаться"))  # the consent step
    await step(emu, parent.send_photo())
    assert not any("Чек получили" in m.text for m in parent.bot_messages)
    async with bot.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Receipt)) == 0
    assert panel(parent).has_button("Согласен"), "the parent stays on the step, with its buttons"
