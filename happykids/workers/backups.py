"""The daily backup: at BACKUP_TIME (the agency's local time) one `happykids backup` into DATA_DIR/backups,
the oldest daily ones beyond BACKUP_KEEP deleted, and a copy uploaded to MEGA when MEGA is the archive.

It runs inside the bot (no cron to set up, the same on a VPS and in Docker) and takes the same consistent
archive as the command (services/backup.py), off the event loop. A failed backup is logged as an error and
tried again the next day; the bot goes on either way. A backup missed while the bot was stopped is not made up
at start: the next one comes at the next BACKUP_TIME (the guide says to take one by hand before maintenance).

Several replicas share DATA_DIR and the database, and each runs this job; the day's backup is made by one of
them: each claims the run "daily_backup:<date>" (db/repositories/job_claims.py, workers/leases.py) and only the
winner backs up. The others wait until it is done; if the winner dies in the middle, its lease runs out and one
of them makes the backup instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from happykids.config import Settings
from happykids.db.base import utcnow
from happykids.db.repositories import job_claims
from happykids.domain.backup_manifest import DAILY_PREFIX, next_run
from happykids.domain.clock import zone
from happykids.storage.base import ArchiveBackend, ArchiveError
from happykids.workers import leases

log = logging.getLogger(__name__)

MEGA_BACKUP_FOLDER = "Резервные копии"  # under MEGA_FOLDER, beside the months of receipts


KEEP_CLAIMS = timedelta(days=60)


class DailyBackups:
    def __init__(self, settings: Settings, archive: ArchiveBackend,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 sessions: async_sessionmaker[AsyncSession] | None = None):
        """`sessions`: the shared database, where the replicas agree who makes the day's backup (without it,
        as in a single process's tests, every run backs up)."""
        self._settings, self._archive, self._sleep = settings, archive, sleep
        self._sessions = sessions
        self.owner = leases.new_owner()

    async def run(self) -> None:
        if not self._settings.backup_enabled:
            return
        while True:
            now = datetime.now(UTC).astimezone(zone(self._settings.timezone))
            due = next_run(now, self._settings.backup_time)
            await self._sleep((due - now).total_seconds())
            await self.run_claimed(f"daily_backup:{due.date().isoformat()}")

    async def run_claimed(self, key: str) -> Path | None:
        """The run `key` once across the replicas: back up if this replica wins the claim, or takes it over from
        one that died; return when the run is done by anyone (None unless this replica made it)."""
        sessions = self._sessions
        if sessions is None:
            return await self.run_once()
        while True:
            try:
                async with sessions() as session, session.begin():
                    if await job_claims.claim(session, key, self.owner, leases.lease_end()):
                        break
                    if await job_claims.is_done(session, key):
                        return None
            except SQLAlchemyError as exc:
                log.error("Ежедневная резервная копия: база недоступна (%s), попробую снова", exc)
            await self._sleep(leases.LEASE_SECONDS)  # another replica is at it: done, or its lease runs out
        holding = asyncio.create_task(leases.keep_lease(lambda: self._renew(sessions, key)))
        try:
            return await self.run_once()
        finally:
            holding.cancel()
            await self._finish(sessions, key)

    async def _renew(self, sessions: async_sessionmaker[AsyncSession], key: str) -> bool:
        async with sessions() as session, session.begin():
            return await job_claims.renew(session, key, self.owner, leases.lease_end())

    async def _finish(self, sessions: async_sessionmaker[AsyncSession], key: str) -> None:
        """Done for the day (even if it failed: the next try is tomorrow's, as with one process)."""
        try:
            async with sessions() as session, session.begin():
                await job_claims.finish(session, key, self.owner)
                await job_claims.forget_before(session, utcnow() - KEEP_CLAIMS)
        except SQLAlchemyError:
            log.exception("Ежедневная резервная копия: не удалось отметить, что она сделана")

    async def run_once(self) -> Path | None:
        """Take one daily backup now; the path, or None when it failed (logged)."""
        # Imported here, once a day: services/backup.py brings tarfile, YAML and the catalog export to start-up.
        from happykids.services.backup import BackupError, backups_dir, create_backup, prune, target_path

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
