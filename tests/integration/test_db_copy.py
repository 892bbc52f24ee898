"""`happykids db copy-to-postgres`: a database the real bot filled on SQLite (receipts with their review, a
dialog left half-way, the director's text, a broadcast, a project) copied into a fresh PostgreSQL database on
127.0.0.1, and the bot then running on the copy: the dialog continues, the text is hers, new rows get new ids.
The source is never changed; a non-empty target, a running bot and a row PostgreSQL refuses are one sentence.
"""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import func, select

from happykids.app.instance_lock import InstanceLock
from happykids.cli import main
from happykids.db.engine import create_engine, create_session_factory
from happykids.db.models import Broadcast, BroadcastDelivery, FsmRecord, Project, Receipt, TextOverride
from happykids.db.repositories import copying
from happykids.domain.broadcasts import AudienceKind, Content
from happykids.domain.clock import zone
from happykids.services.broadcast import Audience, create_broadcast
from tests.e2e import conftest as e2e
from tests.e2e.project_helpers import make_project
from tests.e2e.receipt_helpers import SETTLE, confirm_choice, fast_outbox, outbox_drained  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_outbox")
emu, runner, settings = e2e.emu, e2e.runner, e2e.settings  # the end-to-end fixtures: the real bot and emulator
ADMIN_ID = e2e.ADMIN_ID

GREETING = "Добрый день{name_part}! Это <b>Happy Kids</b>, оплата занятий — кнопками ниже. Помощь — /help"


def fingerprint(database: Path) -> tuple[str, str]:
    """The file's bytes and its logical content: neither may change."""
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as conn:
        dump = "\n".join(conn.iterdump())
    return hashlib.sha256(database.read_bytes()).hexdigest(), hashlib.sha256(dump.encode()).hexdigest()


async def copy_command(monkeypatch, settings, *args: str) -> int:
    """The real command line (`happykids db copy-to-postgres ...`), in a thread: it runs its own event loop."""
    monkeypatch.setenv("DATA_DIR", str(settings.data_dir))
    for name in ("DATABASE_URL", "FSM_STORAGE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(settings.data_dir.parent)  # no .env of the developer's
    return await asyncio.to_thread(main, ["db", "copy-to-postgres", *args])


async def fill_on_sqlite(emu, runner) -> None:
    app = await runner.start()
    director = emu.user(ADMIN_ID, "Директор")
    payer, wanderer = emu.user(9501, "Ольга"), emu.user(9502, "Марина")
    await confirm_choice(emu, payer)
    await payer.send_photo()
    card = await director.wait_for(lambda m: m.has_button("Подтвердить"), timeout=15)
    await director.press("Подтвердить", message_id=card.message_id)
    await payer.wait_for(lambda m: "подтвержд" in m.text.lower(), timeout=15)
    await wanderer.send_command("/start")
    await wanderer.wait_for(lambda m: m.has_button("Малыши"))
    await wanderer.press("Малыши")  # and stops here: the dialog waits for the period
    await wanderer.wait_for(lambda m: m.has_button("1 месяц"))
    await app.texts.set_override("dialog.greeting", GREETING, ADMIN_ID)
    await make_project(app, title="Кастинг «Весна»")
    async with app.sessions() as session, session.begin():
        await create_broadcast(session, created_by=ADMIN_ID, content=Content("Завтра занятий нет"),
                               audience=Audience(AudienceKind.ALL), tz=zone(runner.settings.timezone))
    app.workers.broadcasts.wake()
    for parent in (payer, wanderer):
        await parent.wait_for(lambda m: "Завтра занятий нет" in m.text, timeout=15)
    await outbox_drained(app)
    await emu.settle(**SETTLE)
    await runner.stop()


async def test_copy_then_run_the_bot_on_postgres(emu, runner, settings, pg_url, monkeypatch, capsys):
    await fill_on_sqlite(emu, runner)
    source = settings.data_dir / "happykids.sqlite3"
    before = fingerprint(source)

    with InstanceLock(settings.data_dir):  # a bot still running on the source: refused, nothing done
        assert await copy_command(monkeypatch, settings, pg_url) == 1
    assert "ещё работает бот: остановите его" in capsys.readouterr().err

    assert await copy_command(monkeypatch, settings, pg_url) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"База скопирована в PostgreSQL 127.0.0.1:5432/{pg_url.rsplit('/', 1)[1]}: "), out
    assert fingerprint(source) == before, "the source database was not changed"

    source_engine, target_engine = create_engine(settings.resolved_database_url), create_engine(pg_url)
    try:
        async with source_engine.connect() as src, target_engine.connect() as dst:
            for table in copying.tables():
                rows = [tuple(r) for r in (await src.execute(select(table).order_by(*table.primary_key))).all()]
                assert [tuple(r) for r in (await dst.execute(select(table).order_by(*table.primary_key))).all()
                        ] == rows, table.name
        async with create_session_factory(target_engine)() as session:
            assert await session.scalar(select(func.count()).select_from(Receipt)) == 1
            assert (await session.scalar(select(Receipt.status))) == "approved"
            assert await session.scalar(select(TextOverride.value)) == GREETING
            assert await session.scalar(select(func.count()).select_from(FsmRecord)) >= 2
            assert await session.scalar(select(Project.title)) == "Кастинг «Весна»"
            assert await session.scalar(select(Broadcast.status)) == "done"
            assert {9501, 9502} <= set((await session.scalars(select(BroadcastDelivery.user_id))).all())
    finally:
        await source_engine.dispose()
        await target_engine.dispose()

    # The bot on the copy: Марина's dialog goes on from the period, the greeting is the director's, and a new
    # receipt gets the next id (the sequences were moved past the copied ids).
    runner.settings = settings.model_copy(update={"database_url": pg_url})
    app = await runner.start()
    assert app.engine.dialect.name == "postgresql"
    wanderer, newcomer = emu.user(9502), emu.user(9503, "Светлана")
    await wanderer.press("1 месяц")
    await wanderer.wait_for(lambda m: m.has_button("1 ребёнок"))
    await newcomer.send_command("/start")
    await newcomer.wait_for(lambda m: m.text.startswith("Добрый день"))
    for button in ("1 ребёнок", "Подтвердить"):
        await wanderer.wait_for(lambda m, b=button: m.has_button(b))
        await wanderer.press(button)
    await wanderer.wait_for(lambda m: "pay.example.com" in m.text)
    await wanderer.send_photo()
    await wanderer.wait_for(lambda m: "получили" in m.text, timeout=15)
    await outbox_drained(app)
    await emu.settle(**SETTLE)
    async with app.sessions() as session:
        assert list((await session.scalars(select(Receipt.id).order_by(Receipt.id))).all()) == [1, 2]
    await runner.stop()

    assert await copy_command(monkeypatch, settings, pg_url) == 1  # now the target has tables: refused
    assert "уже есть таблицы" in capsys.readouterr().err


async def test_a_row_postgres_refuses_leaves_the_target_empty(emu, runner, settings, pg_url, monkeypatch, capsys):
    await runner.start()
    await runner.stop()
    broken = settings.data_dir.parent / "broken.sqlite3"
    with closing(sqlite3.connect(settings.data_dir / "happykids.sqlite3")) as src, \
            closing(sqlite3.connect(broken)) as dst:
        src.backup(dst)
        # SQLite keeps a text longer than the column's VARCHAR(16); PostgreSQL refuses it.
        dst.execute("INSERT INTO broadcasts (id, created_by, text, audience, status, created_at) "
                    "VALUES (1, 1, 'x', 'all', 'a status far too long for it', '2026-01-01 00:00:00')")
        dst.commit()

    assert await copy_command(monkeypatch, settings, pg_url, "--from", str(broken)) == 1
    err = capsys.readouterr().err
    assert err.startswith("happykids: Таблицу broadcasts скопировать не удалось") and "снова пуста" in err, err
    engine = create_engine(pg_url)
    try:
        async with engine.connect() as conn:
            assert await copying.table_names(conn) == [], "the failed copy took its schema away"
    finally:
        await engine.dispose()

    assert await copy_command(monkeypatch, settings, "sqlite+aiosqlite:///elsewhere.db") == 1
    assert "только в PostgreSQL" in capsys.readouterr().err
    assert await copy_command(monkeypatch, settings, pg_url) == 0  # the same target, empty again, takes the good copy
