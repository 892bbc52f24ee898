"""The schema and repositories on PostgreSQL (asyncpg), and FSM state in Redis: both stay possible.

These talk to the servers this machine kind runs on 127.0.0.1 (see tests/services.py).
"""

from __future__ import annotations

import uuid

from aiogram.fsm.storage.base import StorageKey

from happykids.app.wiring import build_storage
from happykids.config import Settings
from happykids.db.engine import create_engine, create_session_factory
from happykids.db.fsm_storage import SqlStorage
from happykids.db.migrate import upgrade_async
from happykids.db.redis_storage import AfterCommitStorage
from happykids.db.repositories.catalog import export_spec, load_catalog, replace_catalog
from happykids.db.unit_of_work import UnitOfWork
from happykids.domain.catalog_yaml import parse_catalog_yaml
from tests.catalogs import EXAMPLE_CATALOG


async def test_migrations_catalog_and_fsm_on_postgres(pg_url):
    await upgrade_async(pg_url)
    engine = create_engine(pg_url)
    sessions = create_session_factory(engine)
    spec = parse_catalog_yaml(EXAMPLE_CATALOG.read_text(encoding="utf-8"))
    async with sessions() as session, session.begin():
        await replace_catalog(session, spec)
    async with sessions() as session, session.begin():
        await replace_catalog(session, spec)  # idempotent: ids are kept
    async with sessions() as session:
        assert await export_spec(session) == spec
        assert (await load_catalog(session)).groups[0].title == "Малыши (4–6 лет)"

    storage = SqlStorage(sessions)
    key = StorageKey(bot_id=1, chat_id=5, user_id=5)
    await storage.set_state(key, "PaymentDialog:period")
    await storage.set_data(key, {"group": 3, "title": "Малыши <4>"})
    assert await storage.get_state(key) == "PaymentDialog:period"
    assert await storage.get_data(key) == {"group": 3, "title": "Малыши <4>"}
    await engine.dispose()


async def test_redis_fsm_storage_is_selected_by_setting(tmp_path, redis_server):
    settings = Settings(_env_file=None, data_dir=tmp_path, fsm_storage_url="redis://127.0.0.1:6379/0")
    storage = build_storage(settings, sessions=None)
    key = StorageKey(bot_id=1, chat_id=uuid.uuid4().int % 10**9, user_id=7)
    await storage.set_state(key, "PaymentDialog:children")
    await storage.set_data(key, {"group": 1})
    assert isinstance(storage, AfterCommitStorage) and type(storage.redis).__name__ == "RedisStorage"
    assert await storage.get_state(key) == "PaymentDialog:children"
    assert await storage.get_data(key) == {"group": 1}
    await storage.set_state(key, None)
    await storage.set_data(key, {})
    await storage.close()


async def test_redis_gets_an_updates_dialog_state_only_after_its_commit(tmp_path, redis_server):
    """Within an update the handler reads what it wrote, Redis has it only once the database committed, and a
    rolled back update leaves Redis as it was (db/redis_storage.py)."""
    settings = Settings(_env_file=None, data_dir=tmp_path, fsm_storage_url="redis://127.0.0.1:6379/0")
    url = f"sqlite+aiosqlite:///{tmp_path / 'unit.sqlite3'}"
    await upgrade_async(url)
    engine = create_engine(url)
    sessions = create_session_factory(engine)
    storage = build_storage(settings, sessions)
    assert isinstance(storage, AfterCommitStorage)
    key = StorageKey(bot_id=1, chat_id=uuid.uuid4().int % 10**9, user_id=8)
    try:
        async with UnitOfWork.open(sessions, update_id=1) as unit:
            await storage.set_state(key, "PaymentDialog:period")
            await storage.update_data(key, {"group": 2})
            assert await storage.get_state(key) == "PaymentDialog:period"  # the handler sees its own step
            assert await storage.get_data(key) == {"group": 2}
            assert await storage.redis.get_state(key) is None, "not in Redis before the commit"
            await unit.commit()
            assert await storage.redis.get_state(key) == "PaymentDialog:period"
            assert await storage.redis.get_data(key) == {"group": 2}
            await storage.set_state(key, "PaymentDialog:children")  # the rest of the update fails
            await unit.rollback()
        assert await storage.get_state(key) == "PaymentDialog:period", "a rolled back step never reaches Redis"
    finally:
        await storage.set_state(key, None)
        await storage.set_data(key, {})
        await storage.close()
        await engine.dispose()
