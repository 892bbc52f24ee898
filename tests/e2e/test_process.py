"""The bot as the operator runs it: the real CLI process, kill -9, a second copy, a 409 from Telegram."""

from __future__ import annotations

import asyncio

from tests.catalogs import SMALL_CATALOG, SMALL_CATALOG_EXPORTED
from tests.e2e.process import BotProcess, import_catalog


async def _load_catalog(tmp_path, emu) -> BotProcess:
    await import_catalog(emu, tmp_path / "data", SMALL_CATALOG)
    return BotProcess(emu, tmp_path / "data")


async def test_kill_9_in_the_middle_of_the_dialog(emu, tmp_path):
    bot = await _load_catalog(tmp_path, emu)
    await bot.start()
    await bot.wait_polling()
    parent = emu.user(3001, "Аня")
    await parent.send_command("/start")
    await parent.wait_for(lambda m: m.has_button("Малыши"))
    await parent.press("Малыши")
    await parent.wait_for(lambda m: m.has_button("1 месяц"))
    await emu.settle(quiet=0.3)
    bot.kill9()
    await bot.proc.wait()

    again = BotProcess(emu, tmp_path / "data")
    await again.start()
    await again.wait_polling()
    await parent.press("1 месяц")  # on the message the parent already has
    confirm_screen = await parent.wait_for(lambda m: m.has_button("2 ребёнка"))
    await parent.press("2 ребёнка", message_id=confirm_screen.message_id)
    await parent.wait_for(lambda m: m.has_button("Подтвердить"))
    await parent.press("Подтвердить")
    link = await parent.wait_for(lambda m: "pay.example.com" in m.text)
    assert "https://pay.example.com/k-m-2" in link.text
    await emu.settle(quiet=0.3)
    await again.stop()


async def test_second_copy_refuses_and_first_keeps_serving(emu, tmp_path):
    first = await _load_catalog(tmp_path, emu)
    await first.start()
    await first.wait_polling()

    second = BotProcess(emu, tmp_path / "data")
    await second.start()
    code = await asyncio.wait_for(second.proc.wait(), 30)
    output = await second.output()
    assert code != 0
    assert f"С DATA_DIR={tmp_path / 'data'} уже работает другая копия бота (pid " in output, output
    assert "Traceback" not in output

    parent = emu.user(3002, "Оля")
    await parent.send_command("/start")
    await parent.wait_for(lambda m: m.has_button("Малыши"))
    await emu.settle(quiet=0.3)
    log = await first.stop()
    assert emu.token not in log and emu.token.split(":")[1] not in log, "the token never appears in logs"


async def test_conflict_is_logged_once_in_plain_words(emu, tmp_path):
    bot = await _load_catalog(tmp_path, emu)
    await bot.start()
    await bot.wait_polling()
    emu.conflict = True
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    conflicts = lambda: sum(1 for method, _ in emu.calls if method == "getUpdates")  # noqa: E731
    seen = conflicts()
    while conflicts() < seen + 3 and loop.time() < deadline:  # several polls answered 409
        await asyncio.sleep(0.1)
    emu.conflict = False
    log = await bot.stop()
    assert log.count("с тем же токеном работает другая копия бота (409 Conflict)") == 1, log
    assert "Traceback" not in log and "TelegramConflictError" not in log
    assert "Следующий запрос к Telegram" not in log, "the retry line after each 409 is hidden too"


async def test_missing_token_is_one_plain_sentence(emu, tmp_path):
    bot = BotProcess(emu, tmp_path / "data", extra_env={"BOT_TOKEN": ""})
    await bot.start()
    assert await bot.proc.wait() == 2
    output = await bot.output()
    assert "BOT_TOKEN" in output and "Traceback" not in output


async def test_bad_catalog_import_names_the_line_and_keeps_the_old_one(emu, tmp_path):
    bot = await _load_catalog(tmp_path, emu)
    (tmp_path / "bad.yaml").write_text(SMALL_CATALOG.replace("https://pay.example.com/k-m-2", "not a link"))
    await bot.start("catalog", "import", str(tmp_path / "bad.yaml"))
    assert await bot.proc.wait() == 2
    message = await bot.output()
    assert "bad.yaml: строка 13, links[1]: url «not a link» — это не ссылка http:// или https://. Каталог не изменён." \
        in message, message
    assert "Traceback" not in message
    exporter = BotProcess(emu, tmp_path / "data")
    await exporter.start("catalog", "export")
    assert await exporter.proc.wait() == 0
    exported = await exporter.output()
    assert "https://pay.example.com/k-m-2" in exported

    assert exported == SMALL_CATALOG_EXPORTED  # with the periods' lengths (renewals)

    # a hidden group survives import and export: exporting and importing the export changes nothing
    hidden = exported.replace('"Юниоры (7–11 лет)"}', '"Юниоры (7–11 лет)", hidden: true}')
    (tmp_path / "again.yaml").write_text(hidden, encoding="utf-8")
    again = BotProcess(emu, tmp_path / "data")
    await again.start("catalog", "import", str(tmp_path / "again.yaml"))
    assert await again.proc.wait() == 0
    assert await again.output() == ("Каталог загружен: групп — 2, периодов — 2, вариантов количества детей — 2, "
                                    "ссылок — 2, скрыто от родителей — 1.\n")
    check = BotProcess(emu, tmp_path / "data")
    await check.start("catalog", "export")
    await check.proc.wait()
    assert await check.output() == hidden
