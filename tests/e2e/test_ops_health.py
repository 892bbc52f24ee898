"""`happykids health` and GET /healthz against the real bot process: healthy while it polls, one sentence when
the archive queue is stuck or the bot is gone, the same judgement from both."""

from __future__ import annotations

import asyncio
import json
import socket
from datetime import timedelta

import aiohttp

from happykids.db.base import utcnow
from happykids.db.engine import create_engine, create_session_factory
from happykids.db.repositories.outbox import enqueue
from happykids.domain.outbox import ReceiptTask
from tests.catalogs import SMALL_CATALOG
from tests.e2e.process import BotProcess


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def cli(emu, data_dir, *args, env=None) -> tuple[int, str]:
    proc = BotProcess(emu, data_dir, extra_env=env)
    await proc.start(*args)
    code = await asyncio.wait_for(proc.proc.wait(), 60)
    return code, await proc.output()


async def until(predicate, timeout=30.0):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await predicate():
        assert loop.time() < deadline, "condition not reached"
        await asyncio.sleep(0.1)


async def start_bot(emu, tmp_path, env=None) -> BotProcess:
    (tmp_path / "catalog.yaml").write_text(SMALL_CATALOG, encoding="utf-8")
    code, out = await cli(emu, tmp_path / "data", "catalog", "import", str(tmp_path / "catalog.yaml"))
    assert code == 0, out
    bot = BotProcess(emu, tmp_path / "data", extra_env=env)
    await bot.start()
    await bot.wait_polling()
    parent = emu.user(4001, "Вера")  # an update, so a getUpdates answers (an idle long poll takes 20 s)
    await parent.send_command("/start")
    await parent.wait_for(lambda m: m.has_button("Малыши"))

    async def beat() -> bool:
        return (tmp_path / "data" / "heartbeat.json").exists()

    await until(beat)
    return bot


async def healthz(port: int) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/healthz") as response:
        return response.status, await response.json()


async def test_health_of_a_running_bot_then_a_stuck_archive_then_a_dead_bot(emu, tmp_path):
    port = free_port()
    env = {"HEALTH_PORT": str(port), "HEALTH_ARCHIVE_STUCK_MINUTES": "30"}
    bot = await start_bot(emu, tmp_path, env)
    data = tmp_path / "data"

    code, out = await cli(emu, data, "health", env=env)
    assert code == 0, out
    assert out.startswith("Всё хорошо: Telegram ответил на getUpdates"), out
    status, body = await healthz(port)
    assert status == 200 and body["healthy"] is True and body["checks"]["database"] == "ok", body

    # A receipt that has waited two hours for the archive (due in the future: the worker leaves it alone).
    engine = create_engine(f"sqlite+aiosqlite:///{data / 'happykids.sqlite3'}")
    async with create_session_factory(engine)() as session, session.begin():
        task = enqueue(session, ReceiptTask.ARCHIVE, "receipt:999", due_at=utcnow() + timedelta(days=1))
        task.created_at = utcnow() - timedelta(hours=2)
        task.last_error = "storage full"
    await engine.dispose()

    code, out = await cli(emu, data, "health", env=env)
    assert code == 1
    assert out.strip() == ("1 чек ждёт записи в папку архива уже 120 мин (последняя ошибка: storage full): "
                           "проверьте, что в DATA_DIR можно писать и на диске есть место."), out
    status, body = await healthz(port)
    assert status == 503 and body["message"] == out.strip() and body["checks"]["archive_waiting"] == 1

    code, out = await cli(emu, data, "health", "--json", env=env)
    assert code == 1 and json.loads(out)["status"] == "unhealthy"

    bot.kill9()
    await bot.proc.wait()
    code, out = await cli(emu, data, "health", env=env)
    assert code == 1 and out.startswith("Бот не запущен: ни один живой процесс не держит блокировку"), out
    assert "Traceback" not in out


async def test_health_without_a_database_says_so(emu, tmp_path):
    code, out = await cli(emu, tmp_path / "data", "health")
    assert code == 1
    assert out.startswith("Бот не запущен") and "Traceback" not in out, out
    assert not (tmp_path / "data" / "happykids.sqlite3").exists(), "health never creates a database"
