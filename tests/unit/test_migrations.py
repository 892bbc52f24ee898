"""The Alembic history builds exactly the schema the models describe (a forgotten migration fails here)."""

from alembic import command

from happykids.db.migrate import alembic_config


def test_migrations_match_the_models(tmp_path):
    cfg = alembic_config(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}")
    command.upgrade(cfg, "head")
    command.check(cfg)  # raises if autogenerate would find any difference
    command.downgrade(cfg, "base")
