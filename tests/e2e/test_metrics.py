"""`GET /metrics` of the running bot (METRICS_PORT): a parent's dialog, a 429, a broadcast and the outbox, each
seen in the counts Prometheus would scrape, and `/healthz` on the same server. Counts only, never timings."""

from __future__ import annotations

import asyncio
import socket
from datetime import timedelta

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from happykids.app import build_app, run_polling
from happykids.app.first_contact import StartupError
from happykids.db.base import utcnow
from happykids.db.models import Parent
from happykids.db.repositories import broadcasts as broadcast_repo
from happykids.db.repositories.outbox import enqueue
from happykids.domain.broadcasts import AudienceKind, BroadcastStatus, Content
from happykids.domain.clock import zone
from happykids.domain.outbox import ReceiptTask
from happykids.services.broadcast import Audience, create_broadcast
from tests.e2e.conftest import ADMIN_ID
from tests.e2e.receipt_helpers import SETTLE, confirm_choice


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"metrics_port": free_port()})


async def serving(port: int) -> None:
    """Until the server listens: polling starts first, then the dispatcher's startup opens the port."""
    for _ in range(200):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        await writer.wait_closed()
        return
    raise AssertionError(f"nothing listens on 127.0.0.1:{port}")


@pytest.fixture
async def bot(runner, settings):
    app = await runner.start()
    await serving(settings.metrics_port)
    return app


async def scrape(settings) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics as {(name, sorted labels): value}."""
    async with aiohttp.ClientSession() as http, \
            http.get(f"http://127.0.0.1:{settings.metrics_port}/metrics") as response:
        assert response.status == 200 and response.content_type == "text/plain"
        text = await response.text()
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def value(samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def total(samples, name: str, **labels: str) -> float:
    """The sum over every series of `name` whose labels include `labels`."""
    return sum(v for (n, have), v in samples.items() if n == name and set(labels.items()) <= set(have))


async def test_a_parents_dialog_and_a_429_are_counted(emu, bot, settings):
    before = await scrape(settings)
    assert total(before, "happykids_updates_total") == 0

    parent = emu.user(9301, "Вера")
    await confirm_choice(emu, parent)  # /start, then four presses: group, period, children, «Подтвердить»
    emu.flood("sendMessage")  # Telegram's flood control answers the /help reply with 429
    await parent.send_command("/help")
    await parent.wait_for(lambda m: "что-то пошло не так" in m.text)  # the error handler's message went out
    await emu.settle(**SETTLE)

    after = await scrape(settings)
    assert value(after, "happykids_updates_total", kind="message", outcome="handled") == 1
    assert value(after, "happykids_updates_total", kind="message", outcome="error") == 1
    assert value(after, "happykids_updates_total", kind="callback_query", outcome="handled") == 4
    assert value(after, "happykids_update_duration_seconds_count", kind="callback_query") == 4
    assert value(after, "happykids_update_duration_seconds_count", kind="message") == 2
    assert value(after, "happykids_update_errors_total", kind="message", error="TelegramRetryAfter") == 1
    assert value(after, "happykids_updates_in_progress") == 0

    assert len(emu.rate_limited) == 1
    assert value(after, "happykids_bot_api_rate_limited_total", method="sendMessage") == 1
    assert value(after, "happykids_bot_api_requests_total", method="sendMessage", result="rate_limited") == 1
    for method in ("sendMessage", "answerCallbackQuery", "editMessageText"):
        assert total(after, "happykids_bot_api_requests_total", method=method) == len(emu.calls_of(method)), method
    assert value(after, "happykids_bot_api_requests_total", method="answerCallbackQuery", result="ok") == 4
    assert value(after, "happykids_bot_api_request_duration_seconds_count", method="answerCallbackQuery") == 4
    assert value(after, "process_open_fds") > 0  # the process collector is in the app's registry

    async with aiohttp.ClientSession() as http, \
            http.get(f"http://127.0.0.1:{settings.metrics_port}/healthz") as response:
        report = await response.json()
    assert response.status in (200, 503) and set(report) >= {"healthy", "status", "message", "checks"}


async def test_outbox_backlog_and_broadcast_progress_are_read_from_the_database(emu, bot, settings):
    async with bot.sessions() as session, session.begin():
        # A task for tomorrow: waiting in the outbox, not yet due (the worker leaves it alone today).
        enqueue(session, ReceiptTask.ARCHIVE.value, subject="receipt:999", due_at=utcnow() + timedelta(days=1))
        for user_id in (9401, 9402, 9403):
            emu.user(user_id, f"Родитель{user_id}")
            session.add(Parent(user_id=user_id, first_name=f"Родитель{user_id}", blocked=user_id == 9403))
    samples = await scrape(settings)
    assert value(samples, "happykids_outbox_tasks", kind=ReceiptTask.ARCHIVE.value, status="pending") == 1
    assert total(samples, "happykids_tasks_due") == 0
    assert total(samples, "happykids_broadcast_deliveries") == 0

    emu.user(ADMIN_ID, "Директор")
    emu.flood("sendMessage")  # the sender meets flood control once: it pauses, then sends that message again
    async with bot.sessions() as session, session.begin():
        broadcast, _ = await create_broadcast(session, created_by=ADMIN_ID, content=Content("Завтра занятий нет"),
                                              audience=Audience(AudienceKind.ALL), tz=zone(settings.timezone))
    queued = await scrape(settings)
    assert value(queued, "happykids_broadcasts_sending") == 1
    assert value(queued, "happykids_broadcast_deliveries", status="pending") == 2
    assert value(queued, "happykids_broadcast_deliveries", status="blocked") == 1

    bot.workers.broadcasts.wake()
    for user_id in (9401, 9402):
        await emu.user(user_id).wait_for(lambda m: "Завтра занятий нет" in m.text, timeout=15)
    await emu.settle(**SETTLE)
    async with bot.sessions() as session:
        assert await broadcast_repo.status_of(session, broadcast.id) == BroadcastStatus.DONE
    done = await scrape(settings)
    assert value(done, "happykids_broadcasts_sending") == 0
    assert value(done, "happykids_broadcast_deliveries", status="sent") == 2
    assert value(done, "happykids_broadcast_deliveries", status="blocked") == 1
    assert value(done, "happykids_bot_api_rate_limited_total", method="sendMessage") == 1 == len(emu.rate_limited)


async def test_without_metrics_port_nothing_is_counted_or_served(emu, runner, settings):
    plain = settings.model_copy(update={"metrics_port": None})
    runner.settings = plain
    app = await runner.start()
    assert app.dp["metrics"] is None
    await emu.settle(**SETTLE)  # the startup (where the server would open) is over
    with pytest.raises(aiohttp.ClientConnectorError):
        await scrape(settings)  # the port chosen for the other tests stays closed


async def test_health_port_equal_to_metrics_port_is_one_server(emu, runner, settings):
    runner.settings = settings.model_copy(update={"health_port": settings.metrics_port})
    await runner.start()  # two servers on one port would fail to bind: the metrics server answers both
    await serving(settings.metrics_port)
    async with aiohttp.ClientSession() as http:
        for path in ("/healthz", "/metrics"):
            async with http.get(f"http://127.0.0.1:{settings.metrics_port}{path}") as response:
                assert response.status in (200, 503), path


async def test_a_busy_metrics_port_stops_the_start_with_one_sentence(emu, settings):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", settings.metrics_port))
        busy.listen()
        app = await build_app(settings)
        with pytest.raises(StartupError, match=r"^Не удаётся открыть 127\.0\.0\.1:\d+ из METRICS_PORT \(порт уже "
                                               r"занят\): укажите в METRICS_PORT свободный порт"):
            await run_polling(app, handle_signals=False)
