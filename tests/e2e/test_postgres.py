"""The whole bot on PostgreSQL and with dialog state in Redis: a parent pays, the director approves."""

from __future__ import annotations

import pytest

from happykids.db.redis_storage import AfterCommitStorage
from tests.e2e.receipt_helpers import SETTLE, confirm_choice, fast_outbox, outbox_drained, receipts  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_outbox")


@pytest.fixture
def settings(settings, pg_schema_url, redis_server):
    return settings.model_copy(update={"database_url": pg_schema_url, "fsm_storage_url": "redis://127.0.0.1:6379/0"})


async def test_parent_pays_and_director_approves_on_postgres_and_redis(emu, runner, settings):
    app = await runner.start()
    storage = app.dp.storage  # Redis, written after each commit (db/redis_storage.py)
    assert app.engine.dialect.name == "postgresql" and isinstance(storage, AfterCommitStorage)
    assert type(storage.redis).__name__ == "RedisStorage"
    parent = emu.user(9101, "Полина")
    director = emu.user(settings.admin_ids[0], "Директор")
    await confirm_choice(emu, parent, children="2 ребёнка")
    assert "https://pay.example.com/k-m-2" in parent.last.text

    await runner.restart()  # the dialog state lives in Redis, the catalog and receipts in PostgreSQL
    await parent.send_photo()
    await parent.wait_for(lambda m: "получили" in m.text)
    card = await director.wait_for(lambda m: m.has_button("Подтвердить"), timeout=15)
    await director.press("Подтвердить", message_id=card.message_id)
    await parent.wait_for(lambda m: "подтвержд" in m.text.lower(), timeout=15)
    await outbox_drained(runner.app)
    await emu.settle(**SETTLE)
    [receipt] = await receipts(runner.app)
    assert receipt.status == "approved" and receipt.children_title == "2 ребёнка"
