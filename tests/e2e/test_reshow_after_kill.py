"""After a kill -9 between committing a screen and showing it, the next process shows it (issue #14's re-show).

A real `happykids run` is killed at a crash point (services/crash_points.py) and restarted on the same data;
the polling inbox hands the update over again, its work is on record and not done twice, and the person sees
their current screen once: a project's step, the director's panel after a typed change or a press, or the
payment dialog's step after text typed instead of a button (handlers/redelivery.py).
"""

from __future__ import annotations

import asyncio
import sqlite3

from happykids.db.engine import create_engine, create_session_factory
from happykids.domain.projects import Fee, FeeKind
from tests.catalogs import SMALL_CATALOG
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.process import BotProcess, import_catalog
from tests.e2e.project_helpers import make_project

SETTLE = {"quiet": 0.3, "timeout": 20}


class DyingBot:
    """One bot process at a time on `data_dir`; `die_at` arms the next one to die at a crash point, does the action
    that reaches it, and starts the next process once this one has died there."""

    def __init__(self, emu, data_dir):
        self.emu, self.data_dir = emu, data_dir
        self.crash_file = data_dir.parent / "crash_point"  # read at every crash point; emptied by the one dying
        self.processes: list[BotProcess] = []

    async def start(self) -> None:
        self.processes.append(BotProcess(self.emu, self.data_dir,
                                         extra_env={"HAPPYKIDS_TEST_CRASH_FILE": str(self.crash_file)}))
        await self.processes[-1].start()
        await self.processes[-1].wait_polling()

    async def die_at(self, point: str, action) -> None:
        self.crash_file.write_text(point, encoding="utf-8")
        await action
        assert await asyncio.wait_for(self.processes[-1].proc.wait(), 60) == 137, await self.processes[-1].output()
        await self.start()

    async def stop(self) -> tuple[list[str], str]:
        """(the output of every process that died, the last one's)."""
        output = await self.processes[-1].stop()
        return [await p.output() for p in self.processes[:-1]], output


async def _walk(emu, user, command: str, labels: tuple[str, ...]):
    """`command`, then each button in turn as it appears; returns once the bot has gone quiet."""
    await user.send_command(command)
    for label in labels:
        await user.wait_for(lambda m, b=label: m.has_button(b), timeout=30)
        await user.press(label)


def _died_where_asked(died: list[str], output: str, deaths: int) -> None:
    """`deaths` processes died, each at step_committed, and the last one ran without a traceback."""
    assert len(died) == deaths and all("Crash point step_committed" in text for text in died), died
    assert "Traceback" not in output, output


def _rows(data_dir, sql: str) -> list[tuple]:
    with sqlite3.connect(data_dir / "happykids.sqlite3") as db:
        return db.execute(sql).fetchall()


def _shown(emu, text: str) -> int:
    """How many times the bot sent or edited a message into one that contains `text`."""
    return sum(text in (params.get("text") or params.get("caption") or "")
               for method in ("sendMessage", "editMessageText", "sendPhoto") for params in emu.calls_of(method))


async def test_text_typed_instead_of_a_button_and_killed_after_its_commit_gets_the_step_after_the_restart(
        emu, tmp_path):
    """The mistake's count is committed before its answer (handlers/mistakes.py) and the process dies there: after
    the restart the parent gets the step they are on again, once, as a new message with live buttons."""
    data_dir = tmp_path / "data"
    await import_catalog(emu, data_dir, SMALL_CATALOG)
    parent = emu.user(5306, "Лиза")
    bot = DyingBot(emu, data_dir)
    await bot.start()
    try:
        await parent.send_command("/start")
        groups = await parent.wait_for(lambda m: m.has_button("Малыши"), timeout=30)
        await emu.settle(**SETTLE)
        await bot.die_at("step_committed", parent.send_text("хочу к малышам"))
        again = await parent.wait_for(lambda m: m.has_button("Малыши") and m.message_id > groups.message_id,
                                      timeout=30)
        await emu.settle(**SETTLE)
        steps = [m.message_id for m in parent.bot_messages if m.has_button("Малыши")]
        assert steps == [again.message_id]  # shown once, and the older step lost its buttons
        await parent.press("Малыши", message_id=again.message_id)  # and the dialog goes on from there
        await parent.wait_for(lambda m: m.has_button("1 месяц"), timeout=30)
        await emu.settle(**SETTLE)
    finally:
        died, output = await bot.stop()
    _died_where_asked(died, output, 1)


async def test_a_project_step_committed_but_not_shown_before_a_kill_is_shown_after_the_restart(emu, tmp_path):
    """A parent applying to a paid project; the bot dies after committing each of three steps, before showing it
    (a press on the live screen, a typed name, the final «Записать»). After each restart the parent sees the step
    they are on, once, in the right message, and nothing was stored twice."""
    data_dir = tmp_path / "data"
    await import_catalog(emu, data_dir, SMALL_CATALOG)
    engine = create_engine(f"sqlite+aiosqlite:///{(data_dir / 'happykids.sqlite3').resolve()}")

    class Db:  # what `make_project` needs of an app
        sessions = create_session_factory(engine)

    await make_project(Db, fee=Fee(FeeKind.PAID, 1500, "https://pay.example.com/casting"))
    await engine.dispose()
    parent = emu.user(5305, "Вера")
    bot = DyingBot(emu, data_dir)
    await bot.start()
    try:
        await _walk(emu, parent, "/projects", ("Кастинг «Весна»", "Записаться"))
        consent = await parent.wait_for(lambda m: m.has_button("Согласен"), timeout=30)
        await emu.settle(**SETTLE)

        await bot.die_at("step_committed", parent.press("Согласен", message_id=consent.message_id))
        await parent.wait_for(lambda m: "Как зовут ребёнка" in m.text, timeout=30)
        await emu.settle(**SETTLE)
        assert "Как зовут ребёнка" in parent.message(consent.message_id).text  # edited in place
        assert _shown(emu, "Как зовут ребёнка") == 1

        await bot.die_at("step_committed", parent.send_text("Маша Иванова"))
        birth = await parent.wait_for(lambda m: "Когда родился" in m.text, timeout=30)
        await emu.settle(**SETTLE)
        assert _shown(emu, "Когда родился") == 1 and birth.has_button("Назад")
        assert not parent.message(consent.message_id).buttons  # the older screen lost its buttons

        await parent.send_text("05.03.2017")
        confirm = await parent.wait_for(lambda m: m.has_button("Записать"), timeout=30)
        await emu.settle(**SETTLE)
        await bot.die_at("step_committed", parent.press("Записать", message_id=confirm.message_id))
        pay = await parent.wait_for(lambda m: "Пришлите сюда фото или PDF чека" in m.text, timeout=30)
        await emu.settle(**SETTLE)
        assert pay.message_id == confirm.message_id and pay.has_button("Оплатить")  # the payment step, in place
        assert _shown(emu, "Пришлите сюда фото или PDF чека") == 1
    finally:
        died, output = await bot.stop()
    _died_where_asked(died, output, 3)
    assert _rows(data_dir, "SELECT count(*) FROM consents") == [(1,)]
    assert _rows(data_dir, "SELECT name FROM children") == [("Маша Иванова",)]
    assert _rows(data_dir, "SELECT status FROM project_applications") == [("applied",)]


async def test_a_panel_change_committed_but_not_shown_before_a_kill_shows_the_panel_after_the_restart(emu, tmp_path):
    """The director adds a group; the bot dies after committing it, before anything is shown. After the restart she
    gets the panel with «saved» once, the group is there once, and her next message is no second title."""
    data_dir = tmp_path / "data"
    await import_catalog(emu, data_dir, SMALL_CATALOG)
    boss = emu.user(ADMIN_ID, "Марина")
    bot = DyingBot(emu, data_dir)
    await bot.start()
    try:
        await _walk(emu, boss, "/admin", ("Каталог", "Группы", "Добавить"))
        prompt = await boss.wait_for(lambda m: "Напишите название" in m.text and m.has_button("Отмена"), timeout=30)
        await emu.settle(**SETTLE)

        await bot.die_at("step_committed", boss.send_text("Подростки (12–16 лет)"))
        saved = await boss.wait_for(lambda m: "Последнее действие сохранено" in m.text, timeout=30)
        await emu.settle(**SETTLE)
        assert saved.has_button("Каталог") and "Панель управления" in saved.text  # the panel's main screen
        assert _shown(emu, "Последнее действие сохранено") == 1
        assert not boss.message(prompt.message_id).buttons  # «Отмена» is off the answered prompt

        await boss.send_text("Старшие")  # not taken as a title again: the panel no longer waits for one
        await boss.wait_for(lambda m: m.message_id > saved.message_id, timeout=30)
        await emu.settle(**SETTLE)
    finally:
        died, output = await bot.stop()
    _died_where_asked(died, output, 1)
    titles = [title for (title,) in _rows(data_dir, "SELECT title FROM catalog_groups")]
    assert titles.count("Подростки (12–16 лет)") == 1 and "Старшие" not in titles
    assert _rows(data_dir, "SELECT count(*) FROM audit_log WHERE action = 'catalog.add'") == [(1,)]


async def test_a_panel_press_committed_but_not_shown_before_a_kill_shows_the_panel_in_the_pressed_message(
        emu, tmp_path):
    """«Да, удалить» on a period: answered, committed, and the bot dies before the list is shown. After the
    restart the pressed message becomes the panel with «saved», once; the period is deleted once."""
    data_dir = tmp_path / "data"
    await import_catalog(emu, data_dir, SMALL_CATALOG)
    boss = emu.user(ADMIN_ID, "Марина")
    bot = DyingBot(emu, data_dir)
    await bot.start()
    try:
        await _walk(emu, boss, "/admin", ("Каталог", "Периоды", "3 месяца", "Удалить"))
        confirm = await boss.wait_for(lambda m: m.has_button("Да, удалить"), timeout=30)
        await emu.settle(**SETTLE)

        await bot.die_at("step_committed", boss.press("Да, удалить", message_id=confirm.message_id))
        await boss.wait_for(lambda m: "Последнее действие сохранено" in m.text, timeout=30)
        await emu.settle(**SETTLE)
        assert "Последнее действие сохранено" in boss.message(confirm.message_id).text  # edited in place
        assert boss.message(confirm.message_id).has_button("Каталог")
        assert _shown(emu, "Последнее действие сохранено") == 1
        assert boss.callback_answers[-1].get("text") == "Удалено"  # answered once, by the first delivery
    finally:
        died, output = await bot.stop()
    _died_where_asked(died, output, 1)
    assert _rows(data_dir, "SELECT title FROM catalog_periods") == [("1 месяц",)]
    assert _rows(data_dir, "SELECT count(*) FROM audit_log WHERE action = 'catalog.delete'") == [(1,)]
