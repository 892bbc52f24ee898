"""/mydata end to end: what is stored about a parent and their children, deleting it after a confirmation (the
consent goes with it, a held place passes on, a paid receipt stays without the child), and the consent text the
director edits in the panel."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from happykids.db.base import utcnow
from happykids.db.models import Application, Child, Consent, Receipt
from happykids.domain.projects import Fee, FeeKind, ProjectKind
from happykids.services import projects as service
from tests.e2e.admin_helpers import director, open_panel, panel, press, say
from tests.e2e.project_helpers import applications, apply, make_project, step
from tests.e2e.receipt_helpers import fast_outbox, outbox_drained  # noqa: F401 - a fixture

pytestmark = pytest.mark.usefixtures("fast_outbox")


async def _paid_project(app):
    draft = service.Draft("Фотосессия", ProjectKind.SHOOT, "", utcnow() + timedelta(days=9), "Студия", None,
                          utcnow() + timedelta(days=5), Fee(FeeKind.PAID, 1500, "https://pay.example.com/ph"),
                          "height")
    async with app.sessions() as session, session.begin():
        return (await service.create(session, draft, None, publish=True)).id


async def test_mydata_shows_everything_and_deletes_it_after_a_confirmation(emu, bot):
    boss = director(emu)
    await open_panel(emu, boss)
    paid = await _paid_project(bot)
    casting = await make_project(bot, places=1)
    parent, waiting = emu.user(6001, "Ольга", username="olga"), emu.user(6002, "Борис")

    # A paid shoot with the height asked, its receipt approved; and the only place of a casting.
    await step(emu, parent.send_command("/projects"))
    await step(emu, parent.press("Фотосессия"))
    await step(emu, parent.press("Записаться"))
    await step(emu, parent.press("Согласен"))
    await step(emu, parent.send_text("Маша Иванова"))
    await step(emu, parent.send_text("05.03.2017"))
    await step(emu, parent.send_text("118"))
    await step(emu, parent.press("Записать"))
    await step(emu, parent.send_document())
    card = await boss.wait_for(lambda m: "Маша Иванова" in m.text and m.has_button("Подтвердить"), timeout=15)
    await step(emu, boss.press_on(card, "Подтвердить"))
    await parent.wait_for(lambda m: "Оплата участия подтверждена" in m.text, timeout=15)
    await apply(emu, parent, "Кастинг «Весна»", "Петя Иванов", "01.01.2019", first_time=False)
    await apply(emu, waiting, "Кастинг «Весна»", "Вика")

    await step(emu, parent.send_command("/mydata"))
    shown = parent.last
    for expected in ("Ольга (@olga)", "Согласие на хранение данных детей: дано",
                     "Маша Иванова, 05.03.2017, 118 см", "Петя Иванов, 01.01.2019",
                     "Маша Иванова — «Фотосессия»: заявка принята, ждёт подтверждения · оплачено",
                     "Петя Иванов — «Кастинг „Весна“»",
                     "чеков прислано: 1, подтверждено: 1 на 1 500 ₽"):
        assert expected in shown.text, shown.text
    assert "Вика" not in shown.text, "never another family's data"

    await step(emu, parent.press("Удалить данные детей"))
    assert "Удалить данные детей (2)" in panel(parent).text
    await step(emu, parent.press("Нет, оставить"))
    assert "ничего не удаляю" in parent.last.text
    async with bot.sessions() as session:
        assert len((await session.scalars(select(Child).where(Child.parent_id == 6001))).all()) == 2

    await step(emu, parent.send_command("/mydata"))
    await step(emu, parent.press("Удалить данные детей"))
    await step(emu, parent.press("Да, удалить"))
    assert "данные детей, заявки и согласие удалены" in parent.last.text
    async with bot.sessions() as session:
        assert (await session.scalars(select(Child).where(Child.parent_id == 6001))).all() == []
        assert (await session.scalars(select(Application).where(Application.parent_id == 6001))).all() == []
        assert await session.get(Consent, 6001) is None
        [receipt] = (await session.scalars(select(Receipt))).all()
    # The payment stays as the accounting record it is, without the child.
    assert (receipt.status, receipt.amount, receipt.project_id, receipt.user_id) == ("approved", 1500, paid, 6001)
    assert receipt.children_title is None and receipt.application_id is None
    # The casting's place Petya held is offered to the next on the waiting list.
    await waiting.wait_for(lambda m: "освободилось" in m.text and m.has_button("Иду"), timeout=15)
    assert [a.status for a in await applications(bot, casting)] == ["waiting"]

    await step(emu, parent.send_command("/mydata"))
    assert "не давали" in parent.last.text and not parent.last.buttons
    await step(emu, parent.send_command("/projects"))
    await step(emu, parent.press("Фотосессия"))
    await step(emu, parent.press("Записаться"))
    assert "152-ФЗ" in panel(parent).text, "the consent is asked again"


async def test_the_director_edits_the_consent_text_and_help_lists_the_commands(emu, bot):
    await make_project(bot)
    boss = director(emu)
    await open_panel(emu, boss)
    await press(emu, boss, "Тексты", "Найти текст")
    found = await say(emu, boss, "Согласие на хранение")
    assert found.has_button("Согласие на хранение данных ребёнка")
    await press(emu, boss, "Согласие на хранение данных ребёнка", "Изменить")
    await say(emu, boss, "Мы храним имя и дату рождения ребёнка только для записи. <b>Согласны?</b>")
    await press(emu, boss, "Сохранить")

    parent = emu.user(6011, "Нина")
    await step(emu, parent.send_command("/projects"))
    await step(emu, parent.press("Кастинг «Весна»"))
    await step(emu, parent.press("Записаться"))
    assert panel(parent).text == "Мы храним имя и дату рождения ребёнка только для записи. Согласны?"
    await step(emu, parent.send_command("/help"))
    assert "/projects" in parent.last.text and "/mydata" in parent.last.text
    await outbox_drained(bot)
