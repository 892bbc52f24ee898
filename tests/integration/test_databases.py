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
from happykids.db.repositories.catalog import export_spec, load_catalog, replace_catalog
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
    assert type(storage).__name__ == "RedisStorage"
    assert await storage.get_state(key) == "PaymentDialog:children"
    assert await storage.get_data(key) == {"group": 1}
    await storage.set_state(key, None)
    await storage.set_data(key, {})
    await storage.close()
