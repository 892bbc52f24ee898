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

from happykids.services.crash_points import ENV_VAR
from tests.catalogs import SMALL_CATALOG
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.process import BotProcess, import_catalog
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


async def test_a_press_answered_before_a_kill_shows_its_step_after_the_restart(emu, tmp_path):
    """The press is answered (handlers answer first) and the process dies before its work is committed: the
    inbox replays it, and Telegram refuses the second answer. The refusal must not stop the step: the parent
    sees the payment link on the pressed message, once, and no error text."""
    data_dir = tmp_path / "data"
    await import_catalog(emu, data_dir, SMALL_CATALOG)
    crash_file = tmp_path / "crash_point"
    env = {"HAPPYKIDS_TEST_CRASH_FILE": str(crash_file)}
    parent = emu.user(5305, "Лена")
    doomed = BotProcess(emu, data_dir, extra_env=env)
    await doomed.start()
    await doomed.wait_polling()
    await parent.send_command("/start")
    for button in ("Малыши", "1 месяц", "1 ребёнок"):
        await parent.wait_for(lambda m, b=button: m.has_button(b), timeout=10)
        await parent.press(button)
    confirm = await parent.wait_for(lambda m: m.has_button("Подтвердить"), timeout=10)
    await emu.settle(**SETTLE)
    crash_file.write_text("press_answered", encoding="utf-8")
    await parent.press("Подтвердить")
    assert await asyncio.wait_for(doomed.proc.wait(), 60) == 137, await doomed.output()
    assert "Crash point press_answered" in await doomed.output()
    assert not [m for m in parent.bot_messages if "pay.example.com" in m.text]

    survivor = BotProcess(emu, data_dir, extra_env=env)
    await survivor.start()
    try:
        await survivor.wait_polling()
        link = await parent.wait_for(lambda m: "pay.example.com" in m.text, timeout=30)
        await emu.settle(**SETTLE)
    finally:
        output = await survivor.stop()
    assert link.message_id == confirm.message_id  # the pressed message became the link screen
    assert len([m for m in parent.bot_messages if "pay.example.com" in m.text]) == 1
    assert not [m for m in parent.bot_messages if "что-то пошло не так" in m.text]
    assert "Traceback" not in output and "уже получило ответ" in output, output
    # The one request Telegram refused: the second answer to the press, which the bot cannot know it gave.
    assert [(e.method, e.description) for e in emu.errors] == [
        ("answerCallbackQuery", "Bad Request: query is too old and response timeout expired or query ID is invalid")]
    emu.errors.clear()


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
