"""Webhook mode end to end (issue #14, part 1): the emulator POSTs each update to the real bot's webhook server.

The whole parent dialog and the director's review go through the webhook with the same handlers as polling; a
request without the right secret is refused; a kill -9 while an update is handled means Telegram delivers it
again and it is handled once; going back to polling removes the webhook; bad WEBHOOK_* settings are one sentence.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import sqlite3
from pathlib import Path

import aiohttp
import pytest
from pydantic import SecretStr

from happykids.app.webhook import WebhookServer, run_webhook
from happykids.cli import main
from happykids.config import Settings
from happykids.services.crash_points import ENV_VAR
from tests.catalogs import SMALL_CATALOG
from tests.e2e.conftest import ADMIN_ID, BotRunner
from tests.e2e.process import BotProcess, import_catalog
from tests.e2e.receipt_helpers import SETTLE, confirm_choice, outbox_drained, receipts

URL = "https://bot.example.com/tg/hook"
SECRET = "webhook-secret_42"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class WebhookRunner(BotRunner):
    """BotRunner in webhook mode: run_webhook instead of polling; the emulator delivers to the bot's port as the
    operator's reverse proxy would (the public URL is https, the bot listens on plain HTTP on loopback)."""

    async def start(self):
        self.app = await self._build()
        self._task = asyncio.create_task(run_webhook(self.app, handle_signals=False))
        calls = len(self.emu.calls_of("setWebhook"))
        for _ in range(1000):  # until it listens and Telegram was told (a bound, not a guessed sleep)
            if len(self.emu.calls_of("setWebhook")) > calls or self._task.done():
                break
            await asyncio.sleep(0.01)
        if self._task.done():
            await self._task  # it failed to start: show why
        self.emu.set_webhook_targets([f"http://127.0.0.1:{self.settings.webhook_port}"])
        return self.app

    async def _build(self):
        from happykids.app import build_app

        return await build_app(self.settings)


@pytest.fixture
def hook_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"webhook_url": URL, "webhook_port": free_port(), "webhook_host": "127.0.0.1",
                                       "webhook_secret": SecretStr(SECRET)})


@pytest.fixture
async def hook(hook_settings, emu):
    runner = WebhookRunner(hook_settings, emu)
    await runner.load_catalog(SMALL_CATALOG)
    yield runner
    await runner.stop()


async def test_the_whole_dialog_and_the_review_go_through_the_webhook(emu, hook):
    admin = emu.user(ADMIN_ID, "Директор")
    app = await hook.start()
    [registered] = emu.calls_of("setWebhook")
    assert registered["url"] == URL and registered["secret_token"] == SECRET
    assert "callback_query" in registered["allowed_updates"] and int(registered["max_connections"]) == 10  # SQLite
    parent = emu.user(6001, "Анна")
    await confirm_choice(emu, parent)
    await parent.send_photo()
    ack = await parent.wait_for(lambda m: "получили" in m.text)
    assert "Малыши (4–6 лет)" in ack.text
    card = await admin.wait_for(lambda m: m.has_button("Подтвердить"))
    await admin.press_on(card, "Подтвердить")
    await parent.wait_for(lambda m: "Оплата подтверждена" in m.text, timeout=10)
    await emu.settle(**SETTLE)
    await outbox_drained(app)

    assert emu.calls_of("getUpdates") == [], "webhook mode never polls"
    assert emu.webhook.attempts and {status for _, _, status in emu.webhook.attempts} == {200}
    assert (await app.bot.get_webhook_info()).pending_update_count == 0
    assert app.dp["heartbeat"].last_success is not None, "health hears Telegram without getUpdates"
    assert app.dp["heartbeat"].via_webhook, "and speaks of the webhook, not of getUpdates"
    [receipt] = await receipts(app)
    assert receipt.status == "approved"
    await hook.stop()
    assert emu.webhook_url == URL, "stopping keeps the webhook: Telegram holds the updates until the bot is back"


async def test_a_request_without_the_right_secret_is_refused_and_not_handled(emu, hook, caplog):
    await hook.start()
    caplog.set_level(logging.WARNING, logger="happykids.app.webhook")
    parent = emu.user(6002, "Оля")
    forged = {"update_id": 900001, "message": {
        "message_id": 1, "date": 1_700_000_000, "text": "/start", "chat": {"id": parent.id, "type": "private"},
        "from": {"id": parent.id, "is_bot": False, "first_name": "Оля"},
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}
    address = f"http://127.0.0.1:{hook.settings.webhook_port}/tg/hook"
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guess"}):
            async with http.post(address, json=forged, headers=headers) as answer:
                assert answer.status == 401
        # The right secret but a body Telegram would never send: 200, so Telegram does not repeat it forever.
        right = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        async with http.post(address, data=b"{not json", headers=right) as answer:
            assert answer.status == 200
        async with http.post(address, json={"update_id": 900002, "message": {"text": "no chat"}},
                             headers=right) as answer:
            assert answer.status == 200
    await emu.settle(**SETTLE)
    assert parent.bot_messages == [], "a forged update is never handled"
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("без верного секрета" in w and "401" in w for w in warnings), warnings
    assert any("не JSON" in w for w in warnings) and any("Обновление 900002 пропущено" in w for w in warnings)

    emu.webhook.secret_override = "an-old-secret"  # a proxy that mangles the header: Telegram keeps retrying
    await parent.send_command("/start")
    for _ in range(500):
        if emu.webhook.last_error_message:
            break
        await asyncio.sleep(0.01)
    assert emu.webhook.last_error_message == "Wrong response from the webhook: 401 Unauthorized"
    assert parent.bot_messages == []
    emu.webhook.secret_override = None  # fixed: the same update arrives and is handled, nothing was lost
    await parent.wait_for(lambda m: m.has_button("Малыши"), timeout=10)
    await emu.settle(**SETTLE)


async def _until(condition, timeout: float = 15.0):
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


async def test_delivery_errors_are_logged_stop_the_heartbeat_and_a_removed_webhook_is_put_back(
        emu, hook, caplog, monkeypatch):
    monkeypatch.setattr(WebhookServer, "WATCH_EVERY_SECONDS", 0.05)
    app = await hook.start()
    caplog.set_level(logging.WARNING, logger="happykids.app.webhook")
    heartbeat = app.dp["heartbeat"]
    await _until(lambda: heartbeat.last_success is not None)

    emu.webhook.secret_override = "an-old-secret"  # Telegram's requests are refused: nothing reaches the bot
    parent = emu.user(6005, "Лена")
    await parent.send_command("/start")
    await _until(lambda: "Telegram не может доставить обновления на WEBHOOK_URL" in caplog.text)
    assert "Wrong response from the webhook: 401 Unauthorized" in caplog.text
    stale = heartbeat.last_success
    checks = len(emu.calls_of("getWebhookInfo"))
    await _until(lambda: len(emu.calls_of("getWebhookInfo")) >= checks + 3)
    assert heartbeat.last_success == stale, "no heartbeat while Telegram cannot deliver: health will say so"

    emu.webhook.secret_override = None
    await parent.wait_for(lambda m: m.has_button("Малыши"), timeout=10)
    await _until(lambda: heartbeat.last_success != stale)

    assert await app.bot.delete_webhook()  # as a copy of the bot started with polling would
    await _until(lambda: emu.webhook_url == URL)
    assert "ставлю его снова" in caplog.text
    monkeypatch.setattr(WebhookServer, "WATCH_EVERY_SECONDS", 3600.0)  # quiet, so the emulator can settle
    await emu.settle(**SETTLE)


async def test_an_update_slower_than_telegram_waits_is_answered_and_still_handled(emu, hook, caplog, monkeypatch):
    monkeypatch.setattr(WebhookServer, "ANSWER_WITHIN_SECONDS", 0.0)  # every update counts as slow
    await hook.start()
    caplog.set_level(logging.WARNING, logger="happykids.app.webhook")
    parent = emu.user(6003, "Ира")
    await parent.send_command("/start")
    await parent.wait_for(lambda m: m.has_button("Малыши"), timeout=10)
    await emu.settle(**SETTLE, idle=lambda: not hook.app.dp["webhook"].busy)
    assert [status for _, _, status in emu.webhook.attempts] == [200], "answered once: Telegram sends it once"
    assert any("обрабатывается дольше" in r.getMessage() for r in caplog.records), caplog.text


async def test_back_to_polling_removes_the_webhook_and_gets_what_waited(emu, hook, hook_settings):
    await hook.start()
    await hook.stop()
    parent = emu.user(6004, "Вера")
    await parent.send_command("/start")  # the bot is down: Telegram cannot deliver, the update waits
    for _ in range(500):
        if emu.webhook.last_error_message:
            break
        await asyncio.sleep(0.01)
    assert emu.webhook.last_error_message == "Connection refused"

    polling = BotRunner(hook_settings.model_copy(update={"webhook_url": None}), emu)
    await polling.start()
    try:
        await parent.wait_for(lambda m: m.has_button("Малыши"), timeout=10)
        await emu.settle(**SETTLE)
        assert emu.webhook_url == "" and emu.calls_of("deleteWebhook")
        assert emu.calls_of("getUpdates")
    finally:
        await polling.stop()


# -- a real process killed with -9 while it handles an update ------------------------------------------------

def _receipt_rows(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "happykids.sqlite3") as db:
        return db.execute("SELECT count(*) FROM receipts").fetchone()[0]


async def _serving(emu, bot: BotProcess, port: int, timeout: float = 90) -> None:
    """Until the process has set its webhook (so it listens), then route Telegram's requests to it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    before = len(emu.calls_of("setWebhook"))
    while len(emu.calls_of("setWebhook")) <= before:
        if bot.proc.returncode is not None or loop.time() > deadline:
            raise AssertionError(f"the bot did not set its webhook: {await bot.output()}")
        await asyncio.sleep(0.05)
    emu.set_webhook_targets([f"http://127.0.0.1:{port}"])


async def test_kill_9_while_a_receipt_is_handled_means_redelivery_and_one_receipt(emu, tmp_path):
    data_dir = tmp_path / "data"
    await import_catalog(emu, data_dir, SMALL_CATALOG)
    port = free_port()
    env = {"WEBHOOK_URL": URL, "WEBHOOK_SECRET": SECRET, "WEBHOOK_HOST": "127.0.0.1", "WEBHOOK_PORT": str(port)}

    doomed = BotProcess(emu, data_dir, extra_env={**env, ENV_VAR: "receipt_saved"})
    await doomed.start()
    await _serving(emu, doomed, port)
    parent = emu.user(6101, "Катя")
    await confirm_choice(emu, parent)
    await parent.send_photo()
    assert await asyncio.wait_for(doomed.proc.wait(), 60) == 137, await doomed.output()
    assert not [m for m in parent.bot_messages if "получили" in m.text]
    assert emu.updates.pending_count == 1, "no answer reached Telegram: the photo is still pending"

    survivor = BotProcess(emu, data_dir, extra_env=env)
    await survivor.start()
    try:
        await _serving(emu, survivor, port)
        ack = await parent.wait_for(lambda m: "получили" in m.text, timeout=30)
        assert "Малыши (4–6 лет)" in ack.text
        await emu.user(ADMIN_ID).wait_for(lambda m: m.has_button("Подтвердить"), timeout=20)
        await emu.settle(**{**SETTLE, "timeout": 20})
    finally:
        output = await survivor.stop()
    assert "Traceback" not in output, output
    assert _receipt_rows(data_dir) == 1
    assert len([m for m in parent.bot_messages if "получили" in m.text]) == 1, "told once, never twice"
    photo = [update_id for _, update_id, _ in emu.webhook.attempts][-1]
    assert [status for _, update_id, status in emu.webhook.attempts if update_id == photo][-1] == 200
    assert emu.calls_of("getUpdates") == []
    assert emu.webhook_url == URL, "a stopped replica leaves the webhook for the others"
    emu.webhook.last_error_message = None


# -- settings ----------------------------------------------------------------------------------------------

BAD_WEBHOOK = [
    ({"WEBHOOK_URL": URL}, ["run"], "WEBHOOK_SECRET не задан, а с WEBHOOK_URL он обязателен"),
    ({}, ["run", "--webhook"], "Для режима вебхука нужен WEBHOOK_URL"),
    ({"WEBHOOK_URL": "http://bot.example.com/hook", "WEBHOOK_SECRET": SECRET}, ["run"],
     "Неверное значение WEBHOOK_URL: нужен полный адрес HTTPS"),
    ({"WEBHOOK_URL": "https://bot.example.com:8080/hook", "WEBHOOK_SECRET": SECRET}, ["run"],
     "Неверное значение WEBHOOK_URL: Telegram присылает обновления только на порты 443, 80, 88 и 8443, а в адресе "
     "8080"),
    ({"WEBHOOK_URL": URL, "WEBHOOK_SECRET": "пароль с пробелом"}, ["run"],
     "Неверное значение WEBHOOK_SECRET: нужно от 1 до 256 символов"),
    ({"WEBHOOK_URL": URL, "WEBHOOK_SECRET": SECRET, "WEBHOOK_PORT": "http"}, ["run"],
     "Неверное значение WEBHOOK_PORT: нужно целое число"),
    ({"WEBHOOK_URL": URL, "WEBHOOK_SECRET": SECRET, "WEBHOOK_PORT": "8080", "HEALTH_PORT": "8080"}, ["run"],
     "HEALTH_PORT и WEBHOOK_PORT оба равны 8080"),
]


@pytest.mark.parametrize(("env", "argv", "words"), BAD_WEBHOOK, ids=[w[:40] for _, _, w in BAD_WEBHOOK])
def test_a_bad_webhook_setting_is_one_russian_sentence(monkeypatch, tmp_path, capsys, env, argv, words):
    for name in ("BOT_API_URL", "WEBHOOK_URL", "WEBHOOK_SECRET", "WEBHOOK_PORT", "WEBHOOK_HOST", "HEALTH_PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BOT_TOKEN", "123:abc")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err, err
    assert err.startswith(f"happykids: {words}") and err.endswith("."), err


async def test_a_webhook_port_in_use_and_a_refused_url_are_one_sentence(emu, tmp_path):
    data_dir = tmp_path / "data"
    await import_catalog(emu, data_dir, SMALL_CATALOG)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {"WEBHOOK_URL": URL, "WEBHOOK_SECRET": SECRET, "WEBHOOK_HOST": "127.0.0.1", "WEBHOOK_PORT": str(port)}
        line = await _fails(emu, data_dir, env)
    assert line.startswith(f"happykids: Не удалось открыть WEBHOOK_HOST=127.0.0.1 WEBHOOK_PORT={port}"), line

    # With BOT_API_URL (a self-hosted Bot API) http:// passes the settings; Telegram (the emulator) refuses it.
    env = {"WEBHOOK_URL": "http://bot.example.com/hook", "WEBHOOK_SECRET": SECRET, "WEBHOOK_HOST": "127.0.0.1",
           "WEBHOOK_PORT": str(free_port())}
    line = await _fails(emu, data_dir, env)
    assert line.startswith("happykids: Telegram не принял WEBHOOK_URL=http://bot.example.com/hook (Bad Request: "
                           "bad webhook: HTTPS url must be provided for webhook)"), line
    assert [e.method for e in emu.errors] == ["setWebhook"]
    emu.errors.clear()


async def _fails(emu, data_dir: Path, env: dict[str, str]) -> str:
    bot = BotProcess(emu, data_dir, extra_env=env)
    await bot.start()
    assert await asyncio.wait_for(bot.proc.wait(), 90) == 2, await bot.output()
    output = await bot.output()
    assert "Traceback" not in output, output
    [sentence] = [line for line in output.splitlines() if line.startswith("happykids: ")]
    return sentence
