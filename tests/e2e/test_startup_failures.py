"""Starting `happykids run` wrongly, through the real CLI process: one sentence, never a traceback.

(Issue 9, item 9: the token and the network so far.)
"""

from __future__ import annotations

import asyncio
import socket

from tests.e2e.process import BotProcess


async def test_a_wrong_token_is_one_sentence_and_a_nonzero_exit(emu, tmp_path):
    wrong = emu.token.split(":")[0] + ":" + "x" * 35  # the shape of a token, not this bot's
    bot = BotProcess(emu, tmp_path / "data", extra_env={"BOT_TOKEN": wrong})
    await bot.start()
    assert await asyncio.wait_for(bot.proc.wait(), 60) == 2
    output = await bot.output()
    assert ("happykids: Telegram не принимает BOT_TOKEN (он неверный или отозван): скопируйте токен из @BotFather "
            "в .env и запустите бота снова.") in output, output
    assert "Traceback" not in output and wrong not in output
    assert [e.error_code for e in emu.errors] == [401]  # the one request Telegram refused: expected here
    emu.errors.clear()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens there once the socket is closed


async def test_no_network_at_start_waits_and_says_so_once_per_attempt(emu, tmp_path):
    unreachable = f"http://127.0.0.1:{_closed_port()}"
    bot = BotProcess(emu, tmp_path / "data", extra_env={"BOT_API_URL": unreachable})
    await bot.start()
    await bot.wait_for_log("Telegram пока недоступен", times=2)  # the first attempt and the one after back-off
    assert bot.proc.returncode is None, await bot.output()  # still waiting, not exited
    log = await bot.stop()
    attempts = log.count("Telegram пока недоступен")
    assert attempts >= 2, log
    assert "Traceback" not in log


async def _logged(caplog, text: str, timeout: float = 15.0) -> bool:
    """Whether `text` reaches the log within `timeout`: the start-up warnings come from a database look the
    emulator cannot see (settle() may return before it)."""
    async with asyncio.timeout(timeout):
        while text not in caplog.text:
            await asyncio.sleep(0.05)
    return True


async def test_admins_who_never_wrote_are_named_at_start(emu, runner, caplog):
    await runner.start()  # ADMIN_IDS=777000, who has not written to the bot yet
    assert await _logged(caplog, "Администратор 777000 ещё не открывал чат с ботом, и карточки чеков до него не "
                                 "дойдут: попросите его открыть бота и один раз нажать «Запустить» (Start).")
    assert "В ADMIN_IDS никого нет" not in caplog.text


async def test_no_admins_at_all_is_said_at_start(emu, runner, caplog):
    runner.settings.admin_ids = []
    await runner.start()
    assert await _logged(caplog, "В ADMIN_IDS никого нет и в панели не добавлен ни один администратор")
