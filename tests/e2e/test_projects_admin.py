"""Projects end to end, the director's side: the guided dialog, publishing with a deep link, a draft, approving
and rejecting applications (the parent is told), and cancelling a project (everyone who applied is told)."""

from __future__ import annotations

from datetime import timedelta

from happykids.db.base import utcnow
from tests.e2e.admin_helpers import director, open_panel, panel, press, say
from tests.e2e.project_helpers import applications, apply, make_project, step
from tests.e2e.receipt_helpers import outbox_drained


def _date(days: int, with_time: bool = True) -> str:
    day = utcnow() + timedelta(days=days)
    return day.strftime("%d.%m.%Y") + (" 14:00" if with_time else "")


async def test_director_creates_and_publishes_a_project_and_a_parent_comes_by_the_link(emu, bot):
    boss = director(emu)
    await open_panel(emu, boss)
    await press(emu, boss, "Проекты", "Новый проект")
    assert "шаг 1 из 11" in panel(boss).text
    await say(emu, boss, "Съёмка для каталога")
    await say(emu, boss, "съёмка")  # typed where a button is expected: said so, the kinds again
    assert "выбрать кнопкой" in boss.last.text and boss.last.has_button("Съёмка")
    await press(emu, boss, "Съёмка")
    await say(emu, boss, "Нужны дети <b>5–9 лет</b>, с собой сменная обувь.")
    await press(emu, boss, "Без афиши")
    await say(emu, boss, "32.13.2030 14:00")  # no such date: said so, the same question again
    assert "Не получается прочитать дату" in boss.last.text and boss.last.has_button("Дата уточняется")
    await say(emu, boss, _date(30))
    await say(emu, boss, "Студия на Малышева, 51")
    await press(emu, boss, "Все родители", "Любой возраст")
    await say(emu, boss, "2")
    await say(emu, boss, _date(20, with_time=False))
    await say(emu, boss, "1500 https://pay.example.com/shoot")
    await press(emu, boss, "Готово")  # no extra child fields (the default)
    preview = panel(boss)
    for expected in ("Так проект увидят родители", "Съёмка для каталога", "Студия на Малышева, 51", "1 500 ₽",
                     "свободно 2 из 2"):
        assert expected in preview.text
    await press(emu, boss, "Опубликовать без анонса")
    card = panel(boss)
    assert "запись открыта" in card.text and "?start=project_" in card.text
    link_payload = card.text.split("?start=")[1].split()[0]

    parent = emu.user(3001, "Вера")
    await step(emu, parent.send_command(f"/start {link_payload}"))
    assert "Съёмка для каталога" in parent.last.text and parent.last.has_button("Записаться")


async def test_a_draft_stays_hidden_until_published_from_its_card(emu, bot):
    boss = director(emu)
    await open_panel(emu, boss)
    await press(emu, boss, "Проекты", "Новый проект")
    await say(emu, boss, "Показ весенней коллекции")
    await press(emu, boss, "Показ")
    await say(emu, boss, "Дефиле для детей.")
    await press(emu, boss, "Без афиши", "Дата уточняется")
    await say(emu, boss, "ТЦ Гринвич")
    await press(emu, boss, "Все родители", "Любой возраст", "Без ограничений")
    await press(emu, boss, "До начала проекта")
    await press(emu, boss, "Бесплатно", "Готово")
    await press(emu, boss, "Сохранить черновик")
    assert "черновик" in panel(boss).text and panel(boss).has_button("Опубликовать без анонса")

    parent = emu.user(3011, "Лена")
    await step(emu, parent.send_command("/projects"))
    assert "Показ весенней коллекции" not in parent.last.text
    await press(emu, boss, "Опубликовать без анонса")
    assert "запись открыта" in panel(boss).text
    await step(emu, parent.send_command("/projects"))
    assert "Показ весенней коллекции" in parent.last.text and "дата уточняется" in parent.last.text


async def test_approve_and_reject_tell_the_parent_and_a_rejection_moves_the_waiting_list_up(emu, bot):
    project_id = await make_project(bot, places=2)
    anna, boris, vera = emu.user(3021, "Анна"), emu.user(3022, "Борис"), emu.user(3023, "Вера")
    await apply(emu, anna, "Кастинг «Весна»", "Аня")
    await apply(emu, boris, "Кастинг «Весна»", "Боря")
    await apply(emu, vera, "Кастинг «Весна»", "Вика")

    boss = director(emu)
    await open_panel(emu, boss)
    await press(emu, boss, "Проекты", "Кастинг «Весна»")
    assert "Заявок: 3" in panel(boss).text and "в ожидании: 1" in panel(boss).text
    await press(emu, boss, "Заявки")
    assert "Аня" in panel(boss).text and "Вика" in panel(boss).text
    await press(emu, boss, "✅ 1. Аня")
    await anna.wait_for(lambda m: "Участие подтверждено" in m.text, timeout=15)  # told by the outbox
    await press(emu, boss, "❌ 2")
    assert "Напишите причину" in panel(boss).text
    await say(emu, boss, "Не подходит возраст")
    await boris.wait_for(lambda m: "Причина: Не подходит возраст" in m.text, timeout=15)
    offer = await vera.wait_for(lambda m: "освободилось" in m.text, timeout=15)  # a timed offer of the place
    await step(emu, vera.press_on(offer, "Иду"))
    await outbox_drained(bot)
    statuses = [a.status for a in await applications(bot, project_id)]
    assert statuses == ["approved", "rejected", "applied"]

    await step(emu, boris.send_command("/projects"))
    await step(emu, boris.press("Кастинг «Весна»"))
    assert "отклонена: Не подходит возраст" in panel(boris).text


async def test_cancelling_a_project_tells_everyone_who_applied(emu, bot):
    project_id = await make_project(bot, places=1)
    anna, boris = emu.user(3031, "Анна"), emu.user(3032, "Борис")
    await apply(emu, anna, "Кастинг «Весна»", "Аня")
    await apply(emu, boris, "Кастинг «Весна»", "Боря")
    boss = director(emu)
    await open_panel(emu, boss)
    await press(emu, boss, "Проекты", "Кастинг «Весна»", "Отменить проект")
    assert "(2)" in panel(boss).text
    await say(emu, boss, "Студия закрыта на ремонт")
    for parent in (anna, boris):
        await parent.wait_for(lambda m: "отменён" in m.text and "Студия закрыта на ремонт" in m.text, timeout=15)
    await outbox_drained(bot)
    assert {a.status for a in await applications(bot, project_id)} == {"cancelled"}
    await step(emu, anna.send_command("/projects"))
    assert "Кастинг «Весна»" not in anna.last.text


async def test_news_committed_before_a_crash_still_reaches_the_parent(emu, runner):
    """The decision and the task to tell the parent commit together: a bot that starts later delivers it."""
    from happykids.db.repositories import projects as repo
    from happykids.services import projects as service

    app = await runner.start()
    project_id = await make_project(app)
    async with app.sessions() as session, session.begin():
        await repo.give_consent(session, 3041)
        child = await service.add_child(session, 3041, "Аня", (utcnow() - timedelta(days=3000)).date())
        await service.apply(session, project_id, 3041, child.id, utcnow())
    await runner.stop()
    async with app.sessions() as session, session.begin():  # as if decided just before a kill -9: nobody woken
        [application] = await applications(app, project_id)
        await service.decide(session, application.id, True, None, None)
    parent = emu.user(3041, "Анна")
    await runner.start()
    await parent.wait_for(lambda m: "Участие подтверждено" in m.text, timeout=15)


async def test_closing_applications_early_keeps_the_list_and_reopening_takes_them_again(emu, bot):
    project_id = await make_project(bot, places=1)
    anna, boris = emu.user(3051, "Анна"), emu.user(3052, "Борис")
    await apply(emu, anna, "Кастинг «Весна»", "Аня")
    boss = director(emu)
    await open_panel(emu, boss)
    await press(emu, boss, "Проекты", "Кастинг «Весна»", "Закрыть запись")
    assert "запись закрыта" in panel(boss).text and panel(boss).has_button("Открыть запись снова")
    await step(emu, boris.send_command("/projects"))
    assert "Кастинг «Весна»" not in boris.last.text
    await step(emu, anna.send_command(f"/start project_{project_id}"))
    assert "заявка принята" in anna.last.text and not anna.last.has_button("Записаться")
    assert anna.last.has_button("Отменить: Аня"), "a parent may still cancel before the deadline"
    await press(emu, boss, "Открыть запись снова")
    assert "запись открыта" in panel(boss).text
    await apply(emu, boris, "Кастинг «Весна»", "Боря")
    assert [a.status for a in await applications(bot, project_id)] == ["applied", "waiting"]
