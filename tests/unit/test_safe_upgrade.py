"""Upgrades are safe: `happykids db upgrade` (the same code as at start) copies a non-empty SQLite database
before migrating and says where; a failed migration puts the old database back and says so in one sentence."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing

import pytest

from happykids.cli import main
from happykids.db import migrate

MIGRATION = '''"""{doc}"""
import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{head}"


def upgrade():
    op.create_table("scratch", sa.Column("id", sa.Integer, primary_key=True))
    op.execute("DELETE FROM parents")
    {last}


def downgrade():
    op.drop_table("scratch")
'''


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    for name in ("BOT_TOKEN", "DATABASE_URL", "FSM_STORAGE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)  # no stray .env
    assert main(["db", "upgrade"]) == 0  # the current schema
    with closing(sqlite3.connect(tmp_path / "data" / "happykids.sqlite3")) as conn, conn:
        conn.execute("INSERT INTO parents (user_id, first_name, blocked, first_seen, last_seen) "
                     "VALUES (5001, 'Анна', 0, '2026-01-01', '2026-01-01')")
    return tmp_path / "data"


def with_migration(tmp_path, monkeypatch, last: str) -> None:
    migrations = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, migrations, ignore=shutil.ignore_patterns("__pycache__"))
    # On top of whatever the newest real migration is (the schema grows; this test should not care).
    head = migrate.head_revision()
    (migrations / "versions" / "9999_next.py").write_text(MIGRATION.format(doc="a test migration", last=last,
                                                                            head=head))
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", migrations)


def state(database) -> tuple[str, list[str], int]:
    with closing(sqlite3.connect(database)) as conn:
        version = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        parents = conn.execute("SELECT count(*) FROM parents").fetchone()[0]
    return version, tables, parents


def test_a_failed_migration_puts_the_old_database_back(data_dir, tmp_path, monkeypatch, capsys, caplog):
    head = migrate.head_revision()
    with_migration(tmp_path, monkeypatch, 'raise RuntimeError("the new column clashes with old data")')

    assert main(["db", "upgrade"]) == 2

    err = capsys.readouterr().err.strip()
    [copy] = (data_dir / "backups").glob(f"before-upgrade-{head}-to-9999-*.sqlite3")
    assert err == (f"happykids: Обновить базу со схемы {head} до 9999 не удалось (the new column clashes with old "
                   f"data); база возвращена в точности такой, какой была (копия: {copy}), и прежняя версия бота "
                   "может работать с ней дальше.")
    version, tables, parents = state(data_dir / "happykids.sqlite3")
    assert (version, parents) == (head, 1) and "scratch" not in tables
    assert f"копия базы до обновления — {copy}" in caplog.text


def test_a_successful_upgrade_keeps_a_copy_of_the_old_database(data_dir, tmp_path, monkeypatch, caplog):
    head = migrate.head_revision()
    with_migration(tmp_path, monkeypatch, "pass")

    assert main(["db", "upgrade"]) == 0

    [copy] = (data_dir / "backups").glob(f"before-upgrade-{head}-to-9999-*.sqlite3")
    assert state(copy)[0::2] == (head, 1)
    version, tables, parents = state(data_dir / "happykids.sqlite3")
    assert (version, parents) == ("9999", 0) and "scratch" in tables
    assert f"Схема базы обновляется с {head} до 9999; копия базы до обновления — {copy}" in caplog.text


def test_a_new_database_needs_no_copy(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'new.sqlite3'}"
    migrate.upgrade(url)
    assert not (tmp_path / "backups").exists()
