"""Polling that loses nothing and never stops (issue 9, items 5 and 6; the inbox of issue 8).

A kill -9 while an update is handled means it is handled after the restart, exactly once: from the polling
inbox (app/polling.py) even when Telegram was already told it arrived; an update whose work was committed
before the kill is not handled a second time; one update the installed aiogram cannot parse is logged once
and skipped, and polling goes on.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3

from happykids.db.engine import create_engine, create_session_factory
from happykids.domain.projects import Fee, FeeKind
from happykids.services.crash_points import ENV_VAR
from tests.catalogs import SMALL_CATALOG
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.process import BotProcess, import_catalog
from tests.e2e.project_helpers import make_project
from tests.e2e.receipt_helpers import confirm_choice, outbox_drained, receipts

SETTLE = {"quiet": 0.3, "timeout": 20}


def _receipt_rows(data_dir) -> int:
    with sqlite3.connect(data_dir / "happykids.sqlite3") as db:
        return db.execute("SELECT count(*) FROM receipts").fetchone()[0]


async def test_kill_9_while_a_receipt_is_handled_means_redelivery_and_one_receipt(emu, tmp_path):
    """The bot dies after saving the photo, before committing it: on main the update was already
    confirmed to Telegram and lost (no row, no answer, ever); now it comes again and is taken once."""
    data_dir = tmp_path / "data"
    await import_catalog(emu, data_dir, SMALL_CATALOG)

    doomed = BotProcess(emu, data_dir, extra_env={ENV_VAR: "receipt_saved"})
    await doomed.start()
    await doomed.wait_polling()
    parent = emu.user(5301, "Катя")
    await confirm_choice(emu, parent)
    await parent.send_photo()
    assert await asyncio.wait_for(doomed.proc.wait(), 60) == 137, await doomed.output()
    assert not [m for m in parent.bot_messages if "получили" in m.text]

    survivor = BotProcess(emu, data_dir)
    await survivor.start()
    try:
        await survivor.wait_polling()
        ack = await parent.wait_for(lambda m: "получили" in m.text, timeout=30)
        assert "Малыши (4–6 лет)" in ack.text
        admin = emu.user(ADMIN_ID)
        await admin.wait_for(lambda m: m.has_button("Подтвердить"), timeout=20)
        await emu.settle(**SETTLE)
    finally:
        output = await survivor.stop()
    assert "Traceback" not in output, output
    assert _receipt_rows(data_dir) == 1
    assert len([m for m in parent.bot_messages if "получили" in m.text]) == 1, "told once, never twice"


async def test_an_update_kept_in_the_inbox_and_confirmed_is_handled_after_a_kill_9(emu, tmp_path):
    """The bot dies right after keeping the photo's update in its inbox, before handling it; Telegram has
    forgotten the update (as it does once the next getUpdates confirmed it). The next process handles it
    from the inbox: one receipt, one «получили»."""
    data_dir = tmp_path / "data"
    await import_catalog(emu, data_dir, SMALL_CATALOG)
    emu.user(ADMIN_ID, "Директор")  # has opened the bot: the receipt's card reaches her
    parent = emu.user(5303, "Аня")
    first = BotProcess(emu, data_dir)
    await first.start()
    await first.wait_polling()
    await confirm_choice(emu, parent)
    await emu.settle(**SETTLE)
    await first.stop()

    doomed = BotProcess(emu, data_dir, extra_env={ENV_VAR: "inbox_kept"})
    await doomed.start()
    await doomed.wait_polling()
    await parent.send_photo()
    assert await asyncio.wait_for(doomed.proc.wait(), 60) == 137, await doomed.output()
    assert emu.updates.drop_pending() == 1  # Telegram will not send it again: only the inbox has it
    assert _receipt_rows(data_dir) == 0

    survivor = BotProcess(emu, data_dir)
    await survivor.start()
    try:
        await survivor.wait_polling()
        await parent.wait_for(lambda m: "получили" in m.text, timeout=30)
        await emu.settle(**SETTLE)
    finally:
        output = await survivor.stop()
    assert "Traceback" not in output, output
    assert _receipt_rows(data_dir) == 1
    assert len([m for m in parent.bot_messages if "получили" in m.text]) == 1
    with sqlite3.connect(data_dir / "happykids.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM update_inbox").fetchone()[0] == 0, "handled rows leave the inbox"


async def test_a_step_committed_but_not_shown_before_a_kill_is_shown_after_the_restart(emu, tmp_path):
    """The next step is committed and the process dies before showing it (after /start, then after a press):
    the inbox replays the update, its work is on record and not done again, and the parent sees the step
    instead of a screen that never changes."""
    data_dir = tmp_path / "data"
    await import_catalog(emu, data_dir, SMALL_CATALOG)
    crash_file = tmp_path / "crash_point"  # read at every crash point; emptied by the process that dies there
    env = {"HAPPYKIDS_TEST_CRASH_FILE": str(crash_file)}
    parent = emu.user(5304, "Нина")
    processes = []

    async def die_at_the_next_step(action) -> None:
        crash_file.write_text("step_committed", encoding="utf-8")
        await action
        assert await asyncio.wait_for(processes[-1].proc.wait(), 60) == 137, await processes[-1].output()
        processes.append(BotProcess(emu, data_dir, extra_env=env))
        await processes[-1].start()
        await processes[-1].wait_polling()

    processes.append(BotProcess(emu, data_dir, extra_env=env))
    await processes[-1].start()
    try:
        await processes[-1].wait_polling()
        await die_at_the_next_step(parent.send_command("/start"))
        groups = await parent.wait_for(lambda m: m.has_button("Малыши"), timeout=30)
        await emu.settle(**SETTLE)
        await die_at_the_next_step(parent.press("Малыши", message_id=groups.message_id))
        periods = await parent.wait_for(lambda m: m.has_button("1 месяц"), timeout=30)
        await emu.settle(**SETTLE)
        assert periods.message_id == groups.message_id  # the pressed message was edited into the step
        steps = [m.message_id for m in parent.bot_messages if m.has_button("Малыши") or m.has_button("1 месяц")]
        assert steps == [groups.message_id]  # one screen of the dialog, shown once
        await parent.press("1 месяц")  # and the dialog goes on from there
        await parent.wait_for(lambda m: m.has_button("1 ребёнок"), timeout=30)
        await emu.settle(**SETTLE)
    finally:
        output = await processes[-1].stop()
    died = [await p.output() for p in processes[:-1]]
    assert all("Crash point step_committed" in text for text in died), died
    assert "Traceback" not in output, output
    assert "perhaps not to its end" in output


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
    assert len(died) == 1 and "Crash point step_committed" in died[0], died
    assert "Traceback" not in output, output


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
        await parent.send_command("/projects")
        for label in ("Кастинг «Весна»", "Записаться"):
            await parent.wait_for(lambda m, b=label: m.has_button(b), timeout=30)
            await parent.press(label)
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
    assert len(died) == 3 and all("Crash point step_committed" in text for text in died), died
    assert "Traceback" not in output, output
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
        await boss.send_command("/admin")
        for label in ("Каталог", "Группы", "Добавить"):
            await boss.wait_for(lambda m, b=label: m.has_button(b), timeout=30)
            await boss.press(label)
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
    assert len(died) == 1 and "Crash point step_committed" in died[0], died
    assert "Traceback" not in output, output
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
        await boss.send_command("/admin")
        for label in ("Каталог", "Периоды", "3 месяца", "Удалить"):
            await boss.wait_for(lambda m, b=label: m.has_button(b), timeout=30)
            await boss.press(label)
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
    assert len(died) == 1 and "Crash point step_committed" in died[0], died
    assert "Traceback" not in output, output
    assert _rows(data_dir, "SELECT title FROM catalog_periods") == [("1 месяц",)]
    assert _rows(data_dir, "SELECT count(*) FROM audit_log WHERE action = 'catalog.delete'") == [(1,)]


async def test_an_update_delivered_again_after_a_restart_is_not_handled_twice(emu, runner, caplog):
    """A kill -9 after the commit and before Telegram heard of it: the same update comes to a new process.
    Its id was recorded with its work, so nothing happens twice (no second receipt, no second answer)."""
    caplog.set_level(logging.INFO, logger="happykids.handlers.middlewares")
    emu.user(ADMIN_ID, "Директор")
    app = await runner.start()
    parent = emu.user(5302, "Оля")
    await confirm_choice(emu, parent)
    await parent.send_photo()
    await parent.wait_for(lambda m: "получили" in m.text)
    await emu.settle(**SETTLE)
    await outbox_drained(app)
    answers = len(parent.bot_messages)
    await runner.stop()

    app = await runner.start()  # a new process as far as the bot knows: nothing of the first in memory
    emu.redeliver_last(1)
    await emu.settle(**SETTLE)
    await outbox_drained(app)
    assert len(await receipts(app)) == 1
    assert len(parent.bot_messages) == answers
    assert "was handled before, perhaps not to its end: not handling it again" in caplog.text

    await parent.send_command("/help")  # and the bot goes on as usual
    await parent.wait_for(lambda m: m.text != "")
    await emu.settle(**SETTLE)


async def test_an_update_aiogram_cannot_parse_is_skipped_and_polling_goes_on(emu, bot, caplog):
    """aiogram issue #1840: a forward from a hidden user without `sender_user_name`. On main the whole
    getUpdates answer failed validation and polling retried the same batch forever."""
    parent = emu.user(5303, "Ира")
    await parent.send_command("/start")
    first = await parent.wait_for(lambda m: m.has_button("Малыши"))
    await parent.send_forwarded("переслано из 2015 года")
    await parent.press("Малыши", message_id=first.message_id)
    await parent.wait_for(lambda m: m.has_button("1 месяц"))
    await emu.settle(**SETTLE)

    bad_id = emu.updates.history[1]["update_id"]
    skipped = [r for r in caplog.records if "не может его прочитать" in r.getMessage()]
    assert len(skipped) == 1, caplog.text
    assert skipped[0].levelname == "WARNING"
    assert f"Обновление {bad_id} пропущено" in skipped[0].getMessage()
    assert "hidden_user" in skipped[0].getMessage() and "sender_user_name" in skipped[0].getMessage()
    assert emu.updates.pending_count == 0, "every update is confirmed once handled, the bad one too"
    assert "Traceback" not in caplog.text and not [r for r in caplog.records if r.levelname == "ERROR"]
