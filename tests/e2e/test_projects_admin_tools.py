"""Projects end to end, the director's tools (#12, second part): publishing with an announcement through the
broadcasts (the «Записаться» button opens the card), who may apply (groups and ages), the poster, editing with a
notice on a new date, moving between the list and the waiting list, writing to the approved, the XLSX list and
the projects' funnel in the statistics. Through the real polling loop and the strict emulator."""

from __future__ import annotations

import io
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import update

from happykids.db.base import utcnow
from happykids.db.models import Child, Consent, Parent, Project, Receipt
from happykids.ui.callbacks import PjAdm, ProjectAdmin
from tests.e2e.admin_helpers import director, open_panel, panel, popups, press, say
from tests.e2e.project_helpers import applications, apply, make_project, step
from tests.e2e.receipt_helpers import outbox_drained
from tgemulator.media import SAMPLE_JPEG


def _date(days: int, with_time: bool = True) -> str:
    day = utcnow() + timedelta(days=days)
    return day.strftime("%d.%m.%Y") + (" 14:00" if with_time else "")


def _birth(years: int) -> str:
    return (utcnow() - timedelta(days=365 * years + 40)).strftime("%d.%m.%Y")


async def _report(boss, timeout: float = 20):
    return await boss.wait_for(lambda m: "завершена" in m.text, timeout=timeout, since=0)


def _bot_texts(emu, user_id: int) -> list[str]:
    return [m.text for m in emu.messages_in(user_id) if m.from_bot]


async def test_a_project_with_poster_groups_and_ages_is_announced_to_its_audience_and_the_button_opens_it(emu, bot):
    now = utcnow()
    async with bot.sessions() as session, session.begin():
        for user_id, group in ((8001, "kids"), (8002, "juniors"), (8004, "kids"), (8005, "kids")):
            session.add(Receipt(source_key=f"r-{user_id}", user_id=user_id, parent_name="П", group_code=group,
                                status="approved", created_at=now))
        for user_id in (8001, 8002, 8003, 8004, 8005):
            emu.user(user_id, f"Родитель{user_id}")
            session.add(Parent(user_id=user_id, first_name=f"Родитель{user_id}", blocked=user_id == 8004))
        session.add(Consent(parent_id=8005, given_at=now))  # their only child is 12: outside 5-9, no announcement
        session.add(Child(parent_id=8005, name="Гоша", birth_date=(now - timedelta(days=365 * 12 + 40)).date(),
                          created_at=now))

    boss = director(emu)
    await open_panel(emu, boss)
    await press(emu, boss, "Проекты", "Новый проект")
    await say(emu, boss, "Фотосессия «Лето»")
    await press(emu, boss, "Съёмка")
    await say(emu, boss, "Яркая летняя съёмка на природе.")
    assert "афишу" in panel(boss).text
    await say(emu, boss, "вот афиша")  # text where a photo is due: said so, the same step again
    assert "Нужна картинка" in panel(boss).text and panel(boss).has_button("Без афиши")
    await step(emu, boss.send_photo())
    await say(emu, boss, _date(30))
    await say(emu, boss, "Парк Маяковского")
    assert "Кто может записаться" in panel(boss).text
    await press(emu, boss, "Дальше")  # no group chosen yet: refused with a clear popup
    assert "хотя бы одну группу" in popups(boss)[-1]
    await press(emu, boss, "Малыши")
    assert panel(boss).has_button("✅ Малыши (4–6 лет)") and panel(boss).has_button("▫️ Юниоры (7–11 лет)")
    await press(emu, boss, "Дальше")
    await say(emu, boss, "от пяти")  # not a range: said so
    assert "Не понимаю возраст" in panel(boss).text
    await say(emu, boss, "5-9")
    await say(emu, boss, "3")
    await press(emu, boss, "До начала проекта", "Бесплатно")
    assert "Что ещё спросить о ребёнке" in panel(boss).text  # extra child fields: none this time
    await press(emu, boss, "Готово")
    preview = panel(boss)
    assert preview.kind == "photo", "the preview is the poster with the card, as parents will see it"
    for expected in ("Фотосессия «Лето»", "Возраст: 5–9 лет", "оплатившие группы: Малыши (4–6 лет)",
                     "подходящим родителям (2)"):
        assert expected in preview.text
    await press(emu, boss, "Опубликовать с анонсом")
    assert "Анонс поставлен в рассылку: 2" in popups(boss)[-1]
    card = panel(boss)
    assert "запись открыта" in card.text and not card.has_button("Разослать анонс"), "announced once"
    report = await _report(boss)
    assert "Получателей: 2" in report.text and "Доставлено: 1" in report.text and "Заблокировали бота: 1" in report.text

    announcement = next(m for m in emu.messages_in(8001) if m.from_bot)
    assert announcement.kind == "photo" and "Фотосессия «Лето»" in announcement.text
    button = announcement.find_button("Записаться")
    assert button.kind == "url" and "?start=project_" in button.url
    for outsider in (8002, 8003, 8005):  # another group, no group, a child of the wrong age
        assert not _bot_texts(emu, outsider)

    parent = emu.user(8001)
    await step(emu, parent.send_command("/start " + button.url.split("?start=")[1]))  # what the button does
    assert parent.last.kind == "photo" and "Яркая летняя съёмка" in parent.last.text
    assert parent.last.has_button("Записаться")

    stranger = emu.user(8003)
    await step(emu, stranger.send_command("/projects"))
    assert "Фотосессия «Лето»" not in stranger.last.text, "not listed for a parent outside its groups"
    await step(emu, stranger.send_command("/start " + button.url.split("?start=")[1]))
    await step(emu, stranger.press("Записаться"))
    assert "только для учеников" in popups(stranger)[-1]


async def test_a_child_outside_the_age_range_cannot_be_chosen(emu, bot):
    free_id = await make_project(bot, title="Без возраста")
    aged_id = await make_project(bot, title="Кастинг 5–9")
    async with bot.sessions() as session, session.begin():
        await session.execute(update(Project).where(Project.id == aged_id).values(age_min=5, age_max=9))
    parent = emu.user(8101, "Ольга")
    await apply(emu, parent, "Без возраста", "Гоша", _birth(12))  # remembered from now on
    await step(emu, parent.send_command("/projects"))
    await step(emu, parent.press("Кастинг 5–9"))
    assert "Возраст: 5–9 лет" in parent.last.text
    await step(emu, parent.press("Записаться"))
    await step(emu, parent.press("Гоша"))
    assert "Гоша" in popups(parent)[-1] and "Выберите другого" in popups(parent)[-1]
    await step(emu, parent.press("Другой ребёнок"))
    await step(emu, parent.send_text("Маша"))
    await step(emu, parent.send_text(_birth(3)))
    assert "записать не получится" in parent.bot_messages[-2].text
    await step(emu, parent.send_text(_birth(7)))
    await step(emu, parent.press("Записать"))
    assert "в списке участников" in parent.last.text
    assert [a.status for a in await applications(bot, aged_id)] == ["applied"]
    assert len(await applications(bot, free_id)) == 1


async def test_poster_card_and_text_screens_replace_each_other(emu, bot):
    project_id = await make_project(bot, title="С афишей")
    # A photo the emulator knows, as the director's upload would give (sending it to the bot would make a
    # receipt, whose answers raced with reading "the newest message" here)
    poster = emu.world.files.photo_sizes(SAMPLE_JPEG)[-1]["file_id"]
    async with bot.sessions() as session, session.begin():
        await session.execute(update(Project).where(Project.id == project_id).values(poster_file_id=poster))
    parent = emu.user(8201, "Ира")
    await step(emu, parent.send_command("/projects"))
    listing = parent.last
    await step(emu, parent.press("С афишей"))
    assert parent.last.kind == "photo" and "С афишей" in parent.last.text
    assert not parent.message(listing.message_id).buttons, "the list's buttons are retired"
    await step(emu, parent.press("К проектам"))  # photo -> text: a new message
    assert parent.last.kind == "text" and parent.last.has_button("С афишей")
    async with bot.sessions() as session, session.begin():  # too long for a caption: the card becomes text
        await session.execute(update(Project).where(Project.id == project_id).values(description="Очень " * 300))
    await step(emu, parent.press("С афишей"))
    assert parent.last.kind == "text" and "Очень" in parent.last.text


async def test_editing_tells_the_applicants_only_of_a_new_date_or_place(emu, bot):
    project_id = await make_project(bot, places=5)
    anna, boris = emu.user(8301, "Анна"), emu.user(8302, "Борис")
    await apply(emu, anna, "Кастинг «Весна»", "Аня")
    await apply(emu, boris, "Кастинг «Весна»", "Боря")
    before = {p.id: len(_bot_texts(emu, p.id)) for p in (anna, boris)}
    boss = director(emu)
    await open_panel(emu, boss)
    await press(emu, boss, "Проекты", "Кастинг «Весна»", "Изменить", "Название")
    assert "Изменение «Кастинг „Весна“»" in panel(boss).text
    await say(emu, boss, "Кастинг «Лето»")
    assert "Кастинг «Лето»" in panel(boss).text and panel(boss).has_button("Изменить")
    await outbox_drained(bot)
    assert {p.id: len(_bot_texts(emu, p.id)) for p in (anna, boris)} == before, "a new title is no news"
    await press(emu, boss, "Изменить", "Срок записи")
    await say(emu, boss, _date(40, with_time=False))  # after the project's date: refused, the same step
    assert "до начала проекта" in panel(boss).text
    await press(emu, boss, "Отмена", "Изменить", "Дата и время")
    await say(emu, boss, _date(12))
    assert "записавшимся написал" in boss.bot_messages[-2].text
    for parent in (anna, boris):
        await parent.wait_for(lambda m: "Изменения в проекте" in m.text and "Лето" in m.text, timeout=15)
    async with bot.sessions() as session:
        project = await session.get(Project, project_id)
        assert project.title == "Кастинг «Лето»" and project.starts_at.strftime("%d.%m.%Y") == _date(12)[:10]


async def test_moving_between_the_list_and_the_waiting_list_never_oversells(emu, bot):
    project_id = await make_project(bot, places=1)
    anna, boris = emu.user(8401, "Анна"), emu.user(8402, "Борис")
    await apply(emu, anna, "Кастинг «Весна»", "Аня")
    await apply(emu, boris, "Кастинг «Весна»", "Боря")
    boss = director(emu)
    await open_panel(emu, boss)
    await press(emu, boss, "Проекты", "Кастинг «Весна»", "Заявки", "⏫ 2")
    assert popups(boss)[-1] == "Мест нет — сначала освободите место"
    await press(emu, boss, "⏬ 1")
    await anna.wait_for(lambda m: "перенесена в лист ожидания" in m.text, timeout=15)
    assert [a.status for a in await applications(bot, project_id)] == ["waiting", "waiting"], "the place stays free"
    await press(emu, boss, "⏫ 2")
    await boris.wait_for(lambda m: "Освободилось место" in m.text, timeout=15)
    assert [a.status for a in await applications(bot, project_id)] == ["waiting", "applied"]
    await press(emu, boss, "⏫ 1")
    assert popups(boss)[-1] == "Мест нет — сначала освободите место"
    assert [a.status for a in await applications(bot, project_id)] == ["waiting", "applied"]


async def test_a_message_to_the_approved_reaches_them_only(emu, bot):
    await make_project(bot, places=5)
    parents = [emu.user(8501 + i, name) for i, name in enumerate(("Анна", "Борис", "Вера"))]
    for parent, child in zip(parents, ("Аня", "Боря", "Вика"), strict=True):
        await apply(emu, parent, "Кастинг «Весна»", child)
    boss = director(emu)
    await open_panel(emu, boss)
    await press(emu, boss, "Проекты", "Кастинг «Весна»", "Заявки", "Написать одобренным")
    assert "Одобренных участников пока нет" in popups(boss)[-1]
    await press(emu, boss, "✅ 1. Аня", "✅ 2. Боря", "Написать одобренным")
    assert "(2)" in panel(boss).text
    await step(emu, boss.send_sticker())  # not a text or a photo: said so, the same question
    assert "Нужен текст или фото" in boss.last.text
    await say(emu, boss, "Сбор в 13:30 у входа, возьмите воду!")
    preview = boss.bot_messages[-2]
    assert "Кастинг «Весна»" in preview.text and "Сбор в 13:30" in preview.text
    await press(emu, boss, "Отправить")
    assert "Отправляю участникам: 2" in popups(boss)[-1]
    report = await _report(boss)
    assert "Доставлено: 2" in report.text
    for parent in parents[:2]:
        assert any("Сбор в 13:30" in text for text in _bot_texts(emu, parent.id))
    assert not any("Сбор в 13:30" in text for text in _bot_texts(emu, parents[2].id))


async def test_the_list_exports_as_xlsx(emu, bot):
    await make_project(bot, places=1)
    anna, boris = emu.user(8601, "Анна", username="anna"), emu.user(8602, "Борис")
    await apply(emu, anna, "Кастинг «Весна»", "=Аня", _birth(7))  # a formula-like name stays text
    await apply(emu, boris, "Кастинг «Весна»", "Боря", _birth(8))
    boss = director(emu)
    await open_panel(emu, boss)
    await press(emu, boss, "Проекты", "Кастинг «Весна»", "Заявки", "Список в XLSX")
    document = next(m for m in reversed(boss.bot_messages) if m.kind == "document")
    assert document.file_name.endswith(".xlsx") and "заявок 2" in document.text
    sheet = load_workbook(io.BytesIO(emu.world.files.by_id[document.file_id].data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:4] == ["№", "Ребёнок", "Дата рождения", "Возраст"]
    assert rows[1][1] == "=Аня" and rows[1][3] == 7 and "@anna" in rows[1][4] and rows[1][6] == "в списке"
    assert rows[2][1] == "Боря" and rows[2][6] == "лист ожидания" and rows[2][7] == 1
    assert rows[1][8] == "не нужна", "a free project has nothing to pay"


async def test_the_projects_funnel_in_the_statistics(emu, bot):
    await make_project(bot, places=5)
    viewer, applicant = emu.user(8701, "Нина"), emu.user(8702, "Анна")
    await step(emu, viewer.send_command("/projects"))
    await step(emu, viewer.press("Кастинг «Весна»"))
    await apply(emu, applicant, "Кастинг «Весна»", "Аня")
    boss = director(emu)
    await open_panel(emu, boss)
    await press(emu, boss, "Проекты", "Кастинг «Весна»", "Заявки", "✅ 1. Аня")
    await open_panel(emu, boss)
    await press(emu, boss, "Статистика", "30 дней")
    text = panel(boss).text
    for line in ("Открыли карточку: 2", "Записались: 1", "Одобрены: 1", "Оплатили: 0",
                 "Кастинг «Весна»: 2 → 1 → 1 → 0"):
        assert line in text, text


async def test_a_draft_is_published_with_its_announcement_from_the_card_once(emu, bot):
    project_id = await make_project(bot, publish=False)
    async with bot.sessions() as session, session.begin():
        for user_id in (8801, 8802):
            emu.user(user_id, f"Родитель{user_id}")
            session.add(Parent(user_id=user_id, first_name=f"Родитель{user_id}"))
    boss = director(emu)
    await open_panel(emu, boss)
    await press(emu, boss, "Проекты", "Кастинг «Весна»", "Опубликовать с анонсом")
    assert "Анонс поставлен в рассылку: 2" in popups(boss)[-1]
    await _report(boss)
    for user_id in (8801, 8802):
        [announcement] = [m for m in emu.messages_in(user_id) if m.from_bot]
        assert announcement.kind == "text" and f"?start=project_{project_id}" in announcement.find_button(
            "Записаться").url
    card = panel(boss)
    assert "запись открыта" in card.text and not card.has_button("Разослать анонс")
    again = ProjectAdmin(action=PjAdm.ANNOUNCE, project_id=project_id).pack()  # an old card, another admin
    await step(emu, boss.press_data(card.message_id, again))
    assert popups(boss)[-1] == "Анонс этого проекта уже разослан"
    assert len([m for m in emu.messages_in(8801) if m.from_bot]) == 1, "nobody gets it twice"


async def test_a_published_project_can_be_announced_later_and_its_poster_changed(emu, bot):
    await make_project(bot)
    async with bot.sessions() as session, session.begin():
        emu.user(8901, "Родитель")
        session.add(Parent(user_id=8901, first_name="Родитель"))
    boss = director(emu)
    await open_panel(emu, boss)
    await press(emu, boss, "Проекты", "Кастинг «Весна»", "Изменить", "Афиша")
    await step(emu, boss.send_photo())
    assert panel(boss).kind == "photo" and panel(boss).has_button("Разослать анонс"), "the card shows the poster"
    await press(emu, boss, "Разослать анонс")
    assert "Анонс поставлен в рассылку: 1" in popups(boss)[-1]
    await _report(boss)
    [announcement] = [m for m in emu.messages_in(8901) if m.from_bot]
    assert announcement.kind == "photo" and announcement.has_button("Записаться")
    await press(emu, boss, "Изменить", "Афиша", "Без афиши")
    assert panel(boss).kind == "text" and not panel(boss).has_button("Разослать анонс")
