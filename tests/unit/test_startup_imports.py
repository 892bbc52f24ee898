"""What `happykids run` loads and does on its way to polling: only what a bot on SQLite without MEGA uses.

Why it exists: cold start is what a restart or a deploy keeps parents waiting (issue 8), and most of it is
imports. Each module named here was once loaded at every start and used by none of them, or only on PostgreSQL,
with MEGA, or when the director asks for an export. A fresh interpreter is needed: the test process has imported
everything already. The start-up's garbage-collector pause is checked here too: it must end, whatever happens.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from happykids.cli.commands import imports_kept_for_good

ROOT = Path(__file__).resolve().parents[2]
NOT_AT_START = (
    "alembic",  # only when the schema is behind (db/migrate.py)
    "sqlalchemy.dialects.postgresql",  # only on PostgreSQL (db/upserts.py)
    "asyncpg", "redis",  # only when DATABASE_URL / FSM_STORAGE_URL name them
    "mega", "tenacity", "happykids.storage.mega",  # only with MEGA_EMAIL
    "openpyxl", "matplotlib",  # when the director asks for an export or a chart
    "happykids.services.backup",  # when the daily backup runs
    "prometheus_client", "aiohttp.web",  # only with METRICS_PORT / HEALTH_PORT / a webhook
)
BUILD = """
import asyncio, json, sys
from happykids.config import load_settings
from happykids.app import build_app

async def go():
    app = await build_app(load_settings(), token="42:TEST")
    await app.close()

asyncio.run(go())
print(json.dumps(sorted(sys.modules)))
"""


def _python(tmp_path: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MEGA_", "DATABASE_", "FSM_", "METRICS_",
                                                                   "HEALTH_", "WEBHOOK_", "BOT_"))}
    env.update(DATA_DIR=str(tmp_path / "data"), PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, *args], cwd=tmp_path, env=env, capture_output=True, text=True,  # noqa: S603
                          timeout=240, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_start_up_on_a_current_sqlite_database_loads_nothing_it_does_not_use(tmp_path):
    _python(tmp_path, "-m", "happykids", "db", "upgrade")  # the schema is current, as on most starts
    loaded = set(json.loads(_python(tmp_path, "-c", BUILD).splitlines()[-1]))
    assert "aiogram" in loaded and "happykids.handlers.routers" in loaded  # it did build the bot
    unexpected = sorted(m for m in loaded if any(m == name or m.startswith(name + ".") for name in NOT_AT_START))
    assert not unexpected, f"loaded at start-up without being used: {unexpected}"


def test_the_collector_pause_of_start_up_ends_and_freezes_what_was_imported():
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    try:
        with imports_kept_for_good():
            assert not gc.isenabled()
            kept = [object() for _ in range(3)]  # noqa: F841 - objects alive at the end are frozen
        assert gc.isenabled()
        assert gc.get_freeze_count() >= frozen + 3
        with pytest.raises(ImportError), imports_kept_for_good():
            import happykids.no_such_module  # noqa: F401
        assert gc.isenabled()  # a failed import does not leave the collector off
    finally:
        gc.unfreeze()
