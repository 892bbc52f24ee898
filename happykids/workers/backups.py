"""The daily backup: at BACKUP_TIME (the agency's local time) one `happykids backup` into DATA_DIR/backups,
the oldest daily ones beyond BACKUP_KEEP deleted, and a copy uploaded to MEGA when MEGA is the archive.

It runs inside the bot (no cron to set up, the same on a VPS and in Docker) and takes the same consistent
archive as the command (services/backup.py), off the event loop. A failed backup is logged as an error and
tried again the next day; the bot goes on either way. A backup missed while the bot was stopped is not made up
at start: the next one comes at the next BACKUP_TIME (the guide says to take one by hand before maintenance).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from sqlalchemy.exc import SQLAlchemyError

from happykids.config import Settings
from happykids.domain.backup_manifest import DAILY_PREFIX, next_run
from happykids.domain.clock import zone
from happykids.services.backup import BackupError, backups_dir, create_backup, prune, target_path
from happykids.storage.base import ArchiveBackend, ArchiveError

log = logging.getLogger(__name__)

MEGA_BACKUP_FOLDER = "Резервные копии"  # under MEGA_FOLDER, beside the months of receipts


class DailyBackups:
    def __init__(self, settings: Settings, archive: ArchiveBackend,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep):
        self._settings, self._archive, self._sleep = settings, archive, sleep

    async def run(self) -> None:
        if not self._settings.backup_enabled:
            return
        while True:
            now = datetime.now(UTC).astimezone(zone(self._settings.timezone))
            await self._sleep((next_run(now, self._settings.backup_time) - now).total_seconds())
            await self.run_once()

    async def run_once(self) -> Path | None:
        """Take one daily backup now; the path, or None when it failed (logged)."""
        try:
            result = await create_backup(self._settings, target_path(self._settings, None, DAILY_PREFIX))
        except (BackupError, OSError, SQLAlchemyError) as exc:
            log.error("Ежедневная резервная копия не сделана (%s); бот работает дальше, следующая попытка в %s.",
                      str(exc).rstrip("."), self._settings.backup_time)
            return None
        pruned = await asyncio.to_thread(prune, backups_dir(self._settings), self._settings.backup_keep)
        log.info("%s%s", result.summary(), f" Удалено старых ежедневных копий: {len(pruned)}." if pruned else "")
        if self._archive.name == "mega":
            try:
                where = await self._archive.store(result.path, PurePosixPath(MEGA_BACKUP_FOLDER) / result.path.name)
                log.info("Ежедневная резервная копия отправлена в MEGA: %s", where)
            except ArchiveError as exc:
                log.error("Ежедневную резервную копию не удалось отправить в MEGA (%s), она осталась в %s: проверьте "
                          "вход и место в MEGA.", exc, result.path)
        return result.path
