"""The fast path of the schema check agrees with Alembic, so skipping Alembic never skips a migration."""

from __future__ import annotations

from alembic.script import ScriptDirectory

from happykids.db.migrate import alembic_config, current_revision, head_revision, upgrade_async


def test_head_is_alembics_head():
    script = ScriptDirectory.from_config(alembic_config("sqlite+aiosqlite://"))
    assert head_revision() == script.get_current_head()


async def test_a_new_database_is_migrated_then_found_current(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"
    assert await current_revision(url) is None
    await upgrade_async(url)
    assert await current_revision(url) == head_revision()
    await upgrade_async(url)  # the second start: nothing to do, and nothing breaks
