"""Backups at the edges, through the real CLI entry point: a damaged archive is refused before anything is put
in place; with PostgreSQL the archive holds the files, catalog and texts and says to pg_dump the database."""

from __future__ import annotations

import io
import tarfile

import pytest

from happykids.cli import main
from tests.e2e.receipt_helpers import confirm_choice, fast_outbox, outbox_drained  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_outbox")


def use(monkeypatch, settings, data_dir=None):
    monkeypatch.chdir(settings.data_dir.parent)
    monkeypatch.setenv("DATA_DIR", str(data_dir or settings.data_dir))
    for name in ("DATABASE_URL", "FSM_STORAGE_URL", "BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    if settings.database_url:
        monkeypatch.setenv("DATABASE_URL", settings.database_url)


async def a_receipt(emu, app) -> None:
    parent = emu.user(9301, "Оксана")
    await confirm_choice(emu, parent)
    await parent.send_photo()
    await parent.wait_for(lambda m: "получили" in m.text)
    await outbox_drained(app)


async def test_a_damaged_backup_is_refused_and_nothing_is_put_in_place(emu, bot, settings, tmp_path, monkeypatch,
                                                                      capsys):
    emu.user(settings.admin_ids[0], "Директор")
    await a_receipt(emu, bot)
    use(monkeypatch, settings)
    assert await _cli(["backup", str(tmp_path / "good.tar.gz")]) == 0

    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(tmp_path / "good.tar.gz") as src, tarfile.open(damaged, "w:gz") as dst:
        for member in src:
            data = src.extractfile(member).read()
            if member.name.startswith("data/receipts/"):
                data = b"X" + data[1:]  # one flipped byte in a receipt
            dst.addfile(member, io.BytesIO(data))
    capsys.readouterr()
    use(monkeypatch, settings, tmp_path / "new")
    assert await _cli(["restore", str(damaged)]) == 1
    err = capsys.readouterr().err
    assert "не совпадает со своей контрольной суммой, архив повреждён; возьмите другую копию" in err, err
    assert "Traceback" not in err
    assert list((tmp_path / "new").iterdir()) == []


async def _cli(argv: list[str]) -> int:
    import asyncio

    return await asyncio.to_thread(main, argv)  # the CLI runs its own event loop


@pytest.fixture
def pg_settings(settings, pg_schema_url):
    return settings.model_copy(update={"database_url": pg_schema_url})


async def test_with_postgresql_the_archive_has_the_files_and_says_to_pg_dump(emu, pg_settings, tmp_path,
                                                                          monkeypatch, capsys):
    from tests.catalogs import SMALL_CATALOG
    from tests.e2e.conftest import BotRunner

    runner = BotRunner(pg_settings, emu)
    await runner.load_catalog(SMALL_CATALOG)
    app = await runner.start()
    try:
        emu.user(pg_settings.admin_ids[0], "Директор")
        await a_receipt(emu, app)
        use(monkeypatch, pg_settings)
        assert await _cli(["backup", str(tmp_path / "pg.tar.gz")]) == 0
    finally:
        await runner.stop()
    out = capsys.readouterr().out
    assert "1 чек," in out and "Базы postgresql в копии нет: сохраните её через pg_dump" in out, out
    with tarfile.open(tmp_path / "pg.tar.gz") as tar:
        names = tar.getnames()
    assert "database/happykids.sqlite3" not in names and "export/catalog.yaml" in names
    assert any(name.startswith("data/receipts/") for name in names)
