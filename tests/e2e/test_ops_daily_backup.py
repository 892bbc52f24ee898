"""The daily backup job of the running bot: at BACKUP_TIME, into DATA_DIR/backups, the oldest pruned, a copy to
MEGA when MEGA is the archive; a failure is logged and the bot goes on."""

from __future__ import annotations

import asyncio
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from happykids.domain.backup_manifest import next_run
from happykids.domain.clock import zone
from happykids.workers.backups import DailyBackups


class FakeMega:
    name = "mega"

    def __init__(self):
        self.stored: list[tuple[Path, str]] = []

    async def store(self, local_path, remote_path):
        self.stored.append((local_path, str(remote_path)))
        return f"HappyKids/Чеки/{remote_path}"

    async def close(self):
        pass


async def test_daily_backup_prunes_old_ones_and_uploads_to_mega(bot, settings):
    backups = settings.data_dir / "backups"
    backups.mkdir()
    old = [backups / f"happykids-daily-2020010{i}-033000.tar.gz" for i in range(1, 4)]
    for path in old:
        path.write_bytes(b"old")
    manual = backups / "happykids-backup-20200101-120000.tar.gz"
    manual.write_bytes(b"kept: made by hand")
    mega = FakeMega()
    job = DailyBackups(settings.model_copy(update={"backup_keep": 2}), mega)

    made = await job.run_once()

    assert made is not None and made.name.startswith("happykids-daily-") and made.parent == backups
    with tarfile.open(made) as tar:
        assert "database/happykids.sqlite3" in tar.getnames()
    assert sorted(p.name for p in backups.iterdir()) == sorted([old[2].name, made.name, manual.name])
    assert mega.stored == [(made, f"Резервные копии/{made.name}")]


async def test_the_job_waits_until_backup_time_then_backs_up(bot, settings):
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) > 1:
            raise asyncio.CancelledError

    before = datetime.now(UTC).astimezone(zone(settings.timezone))
    job = DailyBackups(settings.model_copy(update={"backup_time": "03:30"}), FakeMega(), sleep=fake_sleep)
    with pytest.raises(asyncio.CancelledError):
        await job.run()
    expected = (next_run(before, "03:30") - before).total_seconds()
    assert 0 < waits[0] <= expected and expected - waits[0] < 60
    assert len(list((settings.data_dir / "backups").glob("happykids-daily-*.tar.gz"))) == 1


async def test_switched_off(settings):
    job = DailyBackups(settings.model_copy(update={"backup_enabled": False}), FakeMega(), sleep=None)
    await job.run()  # returns at once, never sleeps
    assert not (settings.data_dir / "backups").exists()


async def test_a_failed_backup_is_logged_and_the_job_goes_on(settings, caplog):
    job = DailyBackups(settings, FakeMega())  # no database yet: nothing to back up
    assert await job.run_once() is None
    database = settings.data_dir / "happykids.sqlite3"
    assert f"Ежедневная резервная копия не сделана (Файла базы {database} нет, и копировать " \
           "нечего: проверьте DATA_DIR (бот хоть раз запускался с ним?)); бот работает дальше, следующая попытка " \
           f"в {settings.backup_time}." in caplog.text, caplog.text


def test_next_run_is_today_or_tomorrow():
    tz = zone("Asia/Yekaterinburg")
    assert next_run(datetime(2026, 1, 5, 2, 0, tzinfo=tz), "03:30") == datetime(2026, 1, 5, 3, 30, tzinfo=tz)
    assert next_run(datetime(2026, 1, 5, 3, 30, tzinfo=tz), "03:30") == datetime(2026, 1, 6, 3, 30, tzinfo=tz)
