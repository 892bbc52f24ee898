"""Wrong MEGA credentials are noticed at start-up, said once, shown in the panel, and healed by a fixed .env.

(Issue 9, item 10.) The real bot against the emulator and the fake MEGA server: with a wrong password the log
has one clear line per start, the admins get one message (not again after a restart with the same error), the
panel's «Архив чеков» shows the error and the receipt waiting; with the password fixed and a restart the
receipt goes up to MEGA and the panel says it works.
"""

from __future__ import annotations

import asyncio

import pytest
from pydantic import SecretStr

from happykids.services.archive import archive_state
from tests.catalogs import SMALL_CATALOG
from tests.e2e.admin_helpers import SETTLE, press
from tests.e2e.conftest import ADMIN_ID, BotRunner
from tests.e2e.receipt_helpers import confirm_choice, fast_outbox, outbox_drained, receipts, tasks  # noqa: F401

EMAIL, PASSWORD = "archive@happykids.example", "пароль от MEGA"
REFUSED_LINE = "MEGA не пускает MEGA_EMAIL=archive@happykids.example"



def alerts(user) -> list:
    return [m for m in user.bot_messages if "Чеки не попадают в архив MEGA" in m.text]


async def open_archive(emu, director):
    await director.send_command("/admin")
    await director.wait_for(lambda m: m.has_button("🗄 Архив чеков"))
    await press(emu, director, "🗄 Архив чеков")
    return await director.wait_for(lambda m: "Ждут выгрузки" in m.text)


async def test_wrong_mega_password_is_said_once_shown_in_the_panel_and_healed(emu, settings, fake_mega, caplog):
    account = fake_mega.add_account(EMAIL, PASSWORD)
    wrong = settings.model_copy(update={"mega_email": EMAIL, "mega_password": SecretStr("не тот пароль")})
    director = emu.user(ADMIN_ID, "Директор")
    runner = BotRunner(wrong, emu)
    await runner.load_catalog(SMALL_CATALOG)
    caplog.set_level("INFO", logger="happykids")
    try:
        await runner.start()
        alert = await director.wait_for(lambda m: "Чеки не попадают в архив MEGA" in m.text, timeout=20)
        assert EMAIL in alert.text and "MEGA_PASSWORD" in alert.text and "не потеряются" in alert.text
        assert "не тот пароль" not in caplog.text, "the password is never logged"
        assert caplog.text.count(REFUSED_LINE) == 1
        assert "Вход в MEGA работает" not in caplog.text, "not before a login worked"

        parent = emu.user(5301, "Ольга")
        await confirm_choice(emu, parent)
        await parent.send_photo()
        await parent.wait_for(lambda m: "получили" in m.text)
        await emu.settle(**SETTLE)
        [receipt] = await receipts(runner.app)
        [archive_task] = [t for t in await tasks(runner.app) if t.kind == "receipt.archive"]
        for _ in range(200):  # until the upload was tried and refused
            if archive_task.attempts:
                break
            await asyncio.sleep(0.05)
            [archive_task] = [t for t in await tasks(runner.app) if t.kind == "receipt.archive"]
        assert archive_task.status == "pending" and "MEGA не принимает логин и пароль" in archive_task.last_error

        screen = await open_archive(emu, director)
        assert "MEGA не принимает логин или пароль" in screen.text
        assert "Ждут выгрузки: 1" in screen.text and "Последняя выгрузка: пока нет" in screen.text
        assert "Последняя ошибка" in screen.text and "MEGA не принимает логин и пароль" in screen.text
        async with runner.app.sessions() as session:
            state = await archive_state(session)
        assert (state.backend, state.backlog, state.last_upload_at, state.working) == ("mega", 1, None, False)

        # A restart with the same wrong password: the log says it again, the admins are not told again.
        await runner.restart()
        for _ in range(200):
            if caplog.text.count(REFUSED_LINE) == 2:
                break
            await asyncio.sleep(0.05)
        assert caplog.text.count(REFUSED_LINE) == 2
        await emu.settle(**SETTLE)
        assert len(alerts(director)) == 1, "told once, not on every restart"
        assert account.files() == []

        # The operator fixes .env and restarts: the waiting receipt goes up, the panel says it works.
        await runner.stop()
        runner.settings = wrong.model_copy(update={"mega_password": SecretStr(PASSWORD)})
        app = await runner.start()
        await outbox_drained(app, timeout=30)
        [uploaded] = account.files()
        assert uploaded.name in (await receipts(app))[0].archive_location
        assert "Вход в MEGA работает: чеки уходят в архив MEGA" in caplog.text
        screen = await open_archive(emu, director)
        assert "✅ Работает" in screen.text and "Ждут выгрузки: 0" in screen.text
        assert "пока нет" not in screen.text and "Последняя ошибка" not in screen.text
        assert len(alerts(director)) == 1
        assert receipt.id == (await receipts(app))[0].id
    finally:
        await runner.stop()


async def test_without_mega_the_panel_shows_the_local_folder(emu, bot):
    director = emu.user(ADMIN_ID, "Директор")
    screen = await open_archive(emu, director)
    assert "папка archive на сервере бота" in screen.text and "✅ Работает" in screen.text
    assert "Ждут выгрузки: 0" in screen.text


@pytest.mark.usefixtures("fast_outbox")  # retries within a second, so several refusals happen quickly
async def test_a_password_changed_while_running_is_said_once_too(emu, settings, fake_mega, caplog):
    fake_mega.add_account(EMAIL, PASSWORD)
    right = settings.model_copy(update={"mega_email": EMAIL, "mega_password": SecretStr(PASSWORD)})
    director = emu.user(ADMIN_ID, "Директор")
    runner = BotRunner(right, emu)
    await runner.load_catalog(SMALL_CATALOG)
    caplog.set_level("INFO", logger="happykids")
    try:
        await runner.start()
        for _ in range(400):
            if "Вход в MEGA работает" in caplog.text:
                break
            await asyncio.sleep(0.05)
        assert "Вход в MEGA работает" in caplog.text and REFUSED_LINE not in caplog.text

        fake_mega.add_account(EMAIL, "новый пароль, которого бот не знает")  # changed on mega.nz
        fake_mega.expire_sessions()  # the bot's session ends: its next upload logs in again and is refused
        for number in (1, 2):
            parent = emu.user(5400 + number, f"Мама{number}")
            await confirm_choice(emu, parent)
            await parent.send_photo()
            await parent.wait_for(lambda m: "получили" in m.text)
        await director.wait_for(lambda m: "Чеки не попадают в архив MEGA" in m.text, timeout=20)
        for _ in range(400):  # the archive task keeps retrying (refused each time) meanwhile
            if max(t.attempts for t in await tasks(runner.app) if t.kind == "receipt.archive") >= 3:
                break
            await asyncio.sleep(0.05)
        await emu.settle(**SETTLE)
        assert max(t.attempts for t in await tasks(runner.app) if t.kind == "receipt.archive") >= 3
        assert caplog.text.count(REFUSED_LINE) == 1
        assert len(alerts(director)) == 1
        async with runner.app.sessions() as session:
            state = await archive_state(session)
        assert state.backlog == 2 and state.last_error_kind == "login"
    finally:
        await runner.stop()
