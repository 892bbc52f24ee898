"""Projects end to end, the parent's second part: the director's extra questions about the child (with mistakes,
Back, a restart and a kill -9 in the middle), and a project fee's receipt reviewed on the usual card, through the real
polling loop and the strict emulator."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from happykids.db.base import utcnow
from happykids.db.engine import create_engine, create_session_factory
from happykids.db.models import Application, Child, Receipt
from happykids.domain.projects import Fee, FeeKind, ProjectKind
from happykids.services import projects as service
from tests.catalogs import SMALL_CATALOG
from tests.e2e.admin_helpers import director, open_panel, panel, press, say
from tests.e2e.process import BotProcess, import_catalog
from tests.e2e.project_helpers import applications, apply, step
from tests.e2e.receipt_helpers import fast_outbox, outbox_drained  # noqa: F401 - a fixture

pytestmark = pytest.mark.usefixtures("fast_outbox")
PAID = Fee(FeeKind.PAID, 2000, "https://pay.example.com/shoot")


async def make(app, title="Съёмка каталога", places=5, fee=None, child_fields=""):
    draft = service.Draft(title, ProjectKind.SHOOT, "Весенняя коллекция.", utcnow() + timedelta(days=10),
                          "Студия на Малышева, 51", places, utcnow() + timedelta(days=5), fee or Fee(FeeKind.FREE),
                          child_fields)
    async with app.sessions() as session, session.begin():
        return (await service.create(session, draft, None, publish=True)).id


async def test_the_director_asks_extra_fields_and_the_parent_answers_them(emu, runner):
    await runner.start()
    boss = director(emu)
    await open_panel(emu, boss)
    await press(emu, boss, "Проекты", "Новый проект")
    await say(emu, boss, "Съёмка каталога")
    await press(emu, boss, "Съёмка")
    await say(emu, boss, "Весенняя коллекция.")
    await press(emu, boss, "Без афиши", "Дата уточняется")
    await say(emu, boss, "Студия на Малышева, 51")
    await press(emu, boss, "Все родители", "Любой возраст", "Без ограничений", "До начала проекта", "Бесплатно")
    assert "Что ещё спросить о ребёнке" in panel(boss).text, "a multi-select after the fee, none chosen"
    assert not any(b.startswith("✅") for b in panel(boss).button_texts())
    await press(emu, boss, "Рост", "Размер обуви", "Фото", "Фото")  # the photo toggled on and off again
    assert [b for b in panel(boss).button_texts() if b.startswith("✅")] == ["✅ Рост", "✅ Размер обуви"]
    await press(emu, boss, "Готово")
    assert "Спросим у родителей: рост, размер обуви" in panel(boss).text
    await press(emu, boss, "Опубликовать без анонса")

    parent = emu.user(4001, "Ольга")
    await step(emu, parent.send_command("/projects"))
    await step(emu, parent.press("Съёмка каталога"))
    await step(emu, parent.press("Записаться"))
    await step(emu, parent.press("Согласен"))
    await step(emu, parent.send_text("Маша Иванова"))
    await step(emu, parent.send_text("05.03.2017"))
    assert "Какой рост" in panel(parent).text
    answers = []
    for _ in range(3):  # the payment dialog's pattern: the error, an instruction, the contacts; the same step
        await step(emu, parent.send_text("высокая"))
        answers.append(parent.bot_messages[-2].text)
        assert "Какой рост" in parent.last.text
    assert "рост" in answers[0] and "Подсказка" in answers[1] and "напишите нам" in answers[2]
    await step(emu, parent.send_text("122 см"))
    assert "размер обуви" in panel(parent).text
    await step(emu, parent.press("Назад"))  # Back: the question before
    assert "Какой рост" in panel(parent).text
    await step(emu, parent.send_text("123"))
    await runner.restart()  # kill and start again: the parent is still on the shoe size
    await step(emu, parent.send_text("31,5"))
    confirm = panel(parent)
    assert "Рост: 123 см" in confirm.text and "Размер обуви: 31,5" in confirm.text
    await step(emu, parent.press("Записать"))
    assert "в списке участников" in parent.last.text
    async with runner.app.sessions() as session:
        [application] = (await session.scalars(select(Application))).all()
        child = await session.get(Child, application.child_id)
    assert json.loads(application.extra) == {"height": 123, "shoe": "31,5"}
    assert (child.height_cm, child.shoe_size, child.clothing_size) == (123, "31,5", None)

    # The director sees the answers in the list of applications.
    await press(emu, boss, "Заявки")  # on the card she published
    assert "Маша Иванова" in panel(boss).text and "123 см, 31,5" in panel(boss).text

    # Next time the child's answers are offered to keep.
    second = await make(runner.app, title="Показ", child_fields="height,photo")
    await step(emu, parent.send_command(f"/start project_{second}"))
    await step(emu, parent.press("Записаться"))
    await step(emu, parent.press("Маша Иванова"))
    assert panel(parent).has_button("Оставить: 123 см")
    await step(emu, parent.press("Оставить: 123 см"))
    assert "Пришлите, пожалуйста, одно фото" in panel(parent).text
    await step(emu, parent.send_text("вот"))  # text where a photo is asked
    assert "нужно фото" in parent.bot_messages[-2].text
    await step(emu, parent.send_photo())
    assert "Фото: есть" in panel(parent).text
    await step(emu, parent.press("Записать"))
    [application] = await applications(runner.app, second)
    assert set(json.loads(application.extra)) == {"height", "photo"}
    async with runner.app.sessions() as session:
        assert await session.scalar(select(Receipt.id)) is None, "the child's photo is not a payment receipt"


async def test_a_fee_receipt_is_reviewed_on_the_card_and_marks_the_application_paid(emu, bot):
    project_id = await make(bot, fee=PAID)
    boss = director(emu)
    await open_panel(emu, boss)  # her chat exists: the cards reach her
    parent = emu.user(4011, "Ира")
    result = await apply(emu, parent, "Съёмка каталога", "Лиза", "01.09.2018")
    assert "https://pay.example.com/shoot" in result.text and "пришлите сюда фото или PDF чека" in result.text
    await step(emu, parent.send_document())  # on the payment step: this application's receipt
    assert "за участие получили" in parent.last.text and "Лиза" in parent.last.text

    card = await boss.wait_for(lambda m: "Чек №" in m.text and m.has_button("Подтвердить"), timeout=15)
    assert "Съёмка каталога" in card.text and "Лиза" in card.text and "2 000" in card.text
    await step(emu, boss.press_on(card, "Подтвердить"))
    await parent.wait_for(lambda m: "Оплата участия подтверждена" in m.text, timeout=15)
    await outbox_drained(bot)
    [application] = await applications(bot, project_id)
    assert application.paid_at is not None
    async with bot.sessions() as session:
        [receipt] = (await session.scalars(select(Receipt))).all()
    assert (receipt.project_id, receipt.application_id) == (project_id, application.id)

    await step(emu, parent.send_command("/projects"))
    await step(emu, parent.press("Съёмка каталога"))
    assert "оплачено" in panel(parent).text and not panel(parent).has_button("Отправить чек: Лиза")


async def test_the_receipt_button_on_the_card_and_a_rejection_with_a_reason(emu, bot):
    await make(bot, fee=PAID)
    boss = director(emu)
    await open_panel(emu, boss)
    parent = emu.user(4021, "Вера")
    await apply(emu, parent, "Съёмка каталога", "Соня", "02.02.2016")
    await step(emu, parent.send_command("/start"))  # off to the class payments: a photo now is not the project's
    await step(emu, parent.send_command("/projects"))
    await step(emu, parent.press("Съёмка каталога"))
    await step(emu, parent.press("Отправить чек: Соня"))
    assert "чека об оплате участия" in panel(parent).text
    await step(emu, parent.send_text("оплатила"))
    assert "Жду фото или PDF чека" in parent.bot_messages[-2].text
    await step(emu, parent.send_document(file_name="check.pdf"))
    assert "за участие получили" in parent.last.text

    card = await boss.wait_for(lambda m: "Соня" in m.text and m.has_button("Отклонить"), timeout=15)
    await step(emu, boss.press_on(card, "Отклонить"))
    await say(emu, boss, "Сумма не та")
    await parent.wait_for(lambda m: "Сумма не та" in m.text, timeout=15)
    await step(emu, parent.send_command("/projects"))
    await step(emu, parent.press("Съёмка каталога"))
    assert "оплачено" not in panel(parent).text and panel(parent).has_button("Отправить чек: Соня")

    # A parent cannot send a receipt for another family's application (a forged press).
    other = emu.user(4022, "Чужая")
    await step(emu, other.send_command("/projects"))
    async with bot.sessions() as session:
        application_id = await session.scalar(select(Application.id))
    await step(emu, other.press_data(other.last.message_id, f"pjs:rc:1:{application_id}"))
    assert other.callback_answers[-1].get("text") == "Эта заявка уже не действует"


async def test_kill_9_on_an_extra_question_resumes_on_it(emu, tmp_path):
    data_dir = tmp_path / "data"
    await import_catalog(emu, data_dir, SMALL_CATALOG)
    engine = create_engine(f"sqlite+aiosqlite:///{(data_dir / 'happykids.sqlite3').resolve()}")

    class Db:  # what `make` needs of an app
        sessions = create_session_factory(engine)

    await make(Db, child_fields="height,clothing")
    await engine.dispose()
    bot = BotProcess(emu, data_dir)
    await bot.start()
    await bot.wait_polling()
    parent = emu.user(4031, "Лена")
    await parent.send_command("/projects")
    for press_ in ("Съёмка каталога", "Записаться", "Согласен"):
        await parent.wait_for(lambda m, b=press_: m.has_button(b), timeout=15)
        await parent.press(press_)
    await parent.wait_for(lambda m: "Как зовут ребёнка" in m.text, timeout=15)
    await parent.send_text("Тима")
    await parent.wait_for(lambda m: "Когда родился" in m.text, timeout=15)
    await parent.send_text("03.04.2018")
    await parent.wait_for(lambda m: "Какой рост" in m.text, timeout=15)
    await parent.send_text("110")
    await parent.wait_for(lambda m: "размер одежды" in m.text, timeout=15)
    await emu.settle(quiet=0.3)
    bot.kill9()
    await bot.proc.wait()

    again = BotProcess(emu, data_dir)
    await again.start()
    await again.wait_polling()
    await parent.send_text("116")  # the answer to the question the parent was on before the kill
    confirm = await parent.wait_for(lambda m: "Размер одежды: 116" in m.text and m.has_button("Записать"), timeout=15)
    assert "Рост: 110 см" in confirm.text
    await emu.settle(quiet=0.3)
    await again.stop()
