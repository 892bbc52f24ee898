"""The emulator delivers by webhook as Telegram does (tgemulator/webhook.py): one update per POST with the secret
header, pending until a 2xx answer, retried after errors, one chat in order, max_connections at once, spread over
the targets of a load balancer; getUpdates refused while a webhook is set, deleteWebhook hands back to polling."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiogram.exceptions import TelegramBadRequest, TelegramConflictError
from aiohttp import web

URL = "https://bot.example.com/telegram/hook"


class Receiver:
    """A stand-in for a bot's webhook server: records each request, answers `status`, may hold answers."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.requests: list[tuple[dict[str, Any], str | None, str]] = []  # (update, secret header, path)
        self.gate: asyncio.Event | None = None  # set: answers wait until it is set
        self.now = 0
        self.most = 0
        self.body = b""
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/{path:.*}", self.handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def handle(self, request: web.Request) -> web.Response:
        self.now += 1
        self.most = max(self.most, self.now)
        try:
            self.requests.append((await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token"),
                                  request.path))
            if self.gate is not None:
                await self.gate.wait()
            return web.Response(status=self.status, body=self.body)
        finally:
            self.now -= 1

    def ids(self) -> list[int]:
        return [update["update_id"] for update, _, _ in self.requests]


async def until(condition: Callable[[], Any], timeout: float = 10.0) -> Any:
    """A bound, not a sleep of a guessed length."""
    async with asyncio.timeout(timeout):
        while not (result := condition()):
            await asyncio.sleep(0.01)
    return result


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    server = await Receiver().start()
    yield server
    await server.stop()


async def test_each_update_is_posted_with_the_secret_and_confirmed_by_200(emu, bot, receiver):
    emu.set_webhook_targets([receiver.url])  # no path: the proxy passes the public URL's path on
    assert await bot.set_webhook(URL, secret_token="s3cret_-X", max_connections=5)
    anna = emu.user(1, "Анна")
    await anna.send_text("привет")
    await anna.send_text("ещё")
    await until(lambda: len(receiver.requests) == 2)
    await emu.settle(quiet=0.05)
    assert [update["message"]["text"] for update, _, _ in receiver.requests] == ["привет", "ещё"]
    assert {(secret, path) for _, secret, path in receiver.requests} == {("s3cret_-X", "/telegram/hook")}
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count, info.max_connections) == (URL, 0, 5)
    assert info.last_error_date is None
    assert emu.errors == []


async def test_get_updates_is_refused_while_a_webhook_is_set_and_delete_hands_back(emu, bot, receiver):
    receiver.status = 503
    emu.set_webhook_targets([receiver.url])
    await bot.set_webhook(URL, secret_token="x")
    await emu.user(1).send_text("где ссылка?")
    await until(lambda: len(receiver.requests) >= 2)  # failed, and tried again
    with pytest.raises(TelegramConflictError, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()
    assert [e.error_code for e in emu.errors] == [409]  # a bot bug: polling without deleteWebhook
    emu.errors.clear()
    assert await bot.delete_webhook()
    updates = await bot.get_updates(timeout=0)
    assert [u.message.text for u in updates] == ["где ссылка?"], "what the webhook could not deliver stays"


async def test_a_failing_webhook_is_retried_and_reported_until_it_answers_200(emu, bot, receiver):
    receiver.status = 500
    emu.set_webhook_targets([receiver.url + "/telegram/hook"])
    await bot.set_webhook(URL, secret_token="x")
    await emu.user(7).send_text("чек")
    await until(lambda: len(receiver.requests) >= 3)
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 1
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
    assert info.last_error_date is not None
    receiver.status = 200
    await emu.settle(quiet=0.05)
    assert len(set(receiver.ids())) == 1, "the same update every time"
    assert [status for _, _, status in emu.webhook.attempts][-1] == 200
    assert (await bot.get_webhook_info()).pending_update_count == 0


async def test_a_refused_connection_is_an_error_and_the_update_waits(emu, bot, receiver):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    emu.set_webhook_targets([closed])
    await bot.set_webhook(URL, secret_token="x")
    await emu.user(3).send_text("алло")
    await until(lambda: emu.webhook.last_error_message)
    assert emu.webhook.last_error_message == "Connection refused"
    emu.set_webhook_targets([receiver.url])  # the bot is back
    await until(lambda: receiver.requests)
    await emu.settle(quiet=0.05)
    assert receiver.requests[0][0]["message"]["text"] == "алло"


async def test_one_chat_in_order_other_chats_in_parallel_within_max_connections(emu, bot, receiver):
    receiver.gate = asyncio.Event()
    emu.set_webhook_targets([receiver.url])
    await bot.set_webhook(URL, secret_token="x", max_connections=2)
    first, second, third = emu.user(1), emu.user(2), emu.user(3)
    await first.send_text("1a")
    await first.send_text("1b")
    await second.send_text("2a")
    await third.send_text("3a")
    await until(lambda: len(receiver.requests) == 2)
    texts = [update["message"]["text"] for update, _, _ in receiver.requests]
    assert texts == ["1a", "2a"], "1b waits for 1a; 3a waits for a free connection"
    receiver.gate.set()
    await until(lambda: len(receiver.requests) == 4)
    await emu.settle(quiet=0.05)
    texts = [update["message"]["text"] for update, _, _ in receiver.requests]
    assert texts.index("1a") < texts.index("1b") and sorted(texts) == ["1a", "1b", "2a", "3a"]
    assert receiver.most == 2


async def test_targets_share_the_requests_round_robin(emu, bot, receiver):
    other = await Receiver().start()
    try:
        emu.set_webhook_targets([receiver.url, other.url])
        await bot.set_webhook(URL, secret_token="x")
        for user_id in range(1, 7):
            await emu.user(user_id).send_text("привет")
        await until(lambda: len(receiver.requests) + len(other.requests) == 6)
        await emu.settle(quiet=0.05)
        assert (len(receiver.requests), len(other.requests)) == (3, 3)
    finally:
        await other.stop()


async def test_a_wrong_secret_is_retried_like_any_error(emu, bot, receiver):
    receiver.status = 401
    emu.webhook.secret_override = "old-secret"
    emu.set_webhook_targets([receiver.url])
    await bot.set_webhook(URL, secret_token="new-secret")
    await emu.user(1).send_text("привет")
    await until(lambda: len(receiver.requests) >= 2)
    assert {secret for _, secret, _ in receiver.requests} == {"old-secret"}
    assert (await bot.get_webhook_info()).last_error_message == "Wrong response from the webhook: 401 Unauthorized"


@pytest.mark.parametrize(("url", "secret", "error"), [
    ("http://bot.example.com/hook", None, "HTTPS url must be provided"),
    ("https://bot.example.com:8080/hook", None, "only on ports 80, 88, 443 or 8443"),
    (URL, "не латиница", "secret token contains unallowed characters"),
])
async def test_set_webhook_is_as_strict_as_telegram(emu, bot, url, secret, error):
    with pytest.raises(TelegramBadRequest, match=error):
        await bot.set_webhook(url, secret_token=secret)
    assert len(emu.errors) == 1
    emu.errors.clear()
    assert (await bot.get_webhook_info()).url == ""


async def test_a_method_in_the_webhook_answer_is_recorded_as_an_error(emu, bot, receiver):
    receiver.body = json.dumps({"method": "sendMessage", "chat_id": 1, "text": "hi"}).encode()
    emu.set_webhook_targets([receiver.url])
    await bot.set_webhook(URL, secret_token="x")
    await emu.user(1).send_text("привет")
    await until(lambda: emu.errors)
    assert emu.errors[0].method == "webhook reply"
    emu.errors.clear()
