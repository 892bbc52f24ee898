"""The instance lock with several copies of the bot: refused on SQLite with one sentence that says to move to
PostgreSQL; allowed on PostgreSQL, where the copies share DATA_DIR and claim their work in the database."""

from __future__ import annotations

import pytest

from happykids.app.instance_lock import AlreadyRunning, InstanceLock
from tests.unit.test_operator_messages import russian_sentence

PG = "postgresql+asyncpg://bot@db.example/happykids"


def test_a_second_copy_on_sqlite_is_refused_with_a_sentence_that_says_to_use_postgresql(tmp_path):
    sqlite = f"sqlite+aiosqlite:///{tmp_path}/happykids.sqlite3"
    with InstanceLock(tmp_path, sqlite), pytest.raises(AlreadyRunning) as refused:
        InstanceLock(tmp_path, sqlite).acquire()
    sentence = russian_sentence(str(refused.value))
    assert sentence.startswith(f"С DATA_DIR={tmp_path} уже работает другая копия бота (pid ")
    assert "на SQLite бот работает только в одной копии" in sentence
    assert "перейдите на PostgreSQL (DATABASE_URL)" in sentence


def test_copies_on_postgresql_share_data_dir_and_the_first_keeps_the_pid_file(tmp_path):
    with InstanceLock(tmp_path, PG) as first, InstanceLock(tmp_path, PG) as second:
        assert first.path.read_text() and second.path == first.path  # `happykids health` reads the first's pid
    with InstanceLock(tmp_path, PG), pytest.raises(AlreadyRunning):  # a SQLite copy beside them: still refused
        InstanceLock(tmp_path).acquire()
