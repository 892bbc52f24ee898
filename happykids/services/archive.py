"""Which archive receives receipts (MEGA when it is configured, otherwise a folder in DATA_DIR), and how it fares.

Wrong MEGA credentials used to go unnoticed: the log said receipts were archived to MEGA before any login, and
the outbox quietly retried for ever. Now every store() is recorded (`RecordingArchive`: the last upload, the
last error), the login is checked at start-up (`check_login`, run in the background by app/archive_watch.py),
and `archive_state(session)` reads it all back with the queue length for the panel and `happykids health`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from happykids.config import Settings
from happykids.db.base import utcnow
from happykids.db.repositories import archive as repo
from happykids.db.repositories import job_claims
from happykids.domain.archive import ArchiveErrorKind
from happykids.storage.base import ArchiveBackend, ArchiveError, LoginRefused, RetryPolicy
from happykids.storage.local import LocalArchive

log = logging.getLogger(__name__)

# A store() gives MEGA a few quick tries; longer outages are the outbox's job (it retries with back-off,
# across restarts), so one archive task never holds the queue for minutes.
MEGA_RETRY = RetryPolicy(attempts=3, initial_delay=1.0, max_delay=10.0, attempt_timeout=300.0)


@dataclass(frozen=True, slots=True)
class ArchiveState:
    """The archive at a glance. Times are UTC (naive, as stored); `backend` is "" before the first start."""

    backend: str  # "mega" | "local": what the last start used
    last_upload_at: datetime | None  # the last file that reached the archive
    backlog: int  # receipts waiting to be archived (pending archive tasks in the outbox)
    last_error: str | None  # None once the archive works again
    last_error_kind: ArchiveErrorKind | None
    last_error_at: datetime | None
    login_checked_at: datetime | None  # MEGA only: the last login check at start-up

    @property
    def working(self) -> bool:
        return self.last_error is None


async def archive_state(session: AsyncSession) -> ArchiveState:
    row = await repo.status(session)
    backlog = await repo.backlog(session)
    if row is None:
        return ArchiveState("", None, backlog, None, None, None, None)
    kind = ArchiveErrorKind(row.last_error_kind) if row.last_error_kind in set(ArchiveErrorKind) else None
    return ArchiveState(row.backend, row.last_upload_at, backlog, row.last_error, kind, row.last_error_at,
                        row.login_checked_at)


class RecordingArchive:
    """An archive backend that writes each outcome of store() to the database (its own short transaction).

    `on_login_refused(error)` is called when an upload finds MEGA refusing the login (the password changed
    while the bot ran, or the start-up check could not reach MEGA): app/archive_watch.py tells the admins.
    """

    def __init__(self, inner: ArchiveBackend, sessions: async_sessionmaker[AsyncSession]):
        self.inner = inner
        self.name = inner.name
        self.sessions = sessions
        self.on_login_refused: Callable[[str], None] | None = None

    async def store(self, local_path: Path, remote_path: PurePosixPath) -> str:
        try:
            where = await self.inner.store(local_path, remote_path)
        except ArchiveError as exc:
            refused = isinstance(exc, LoginRefused)
            await self._record_error(ArchiveErrorKind.LOGIN if refused else ArchiveErrorKind.UPLOAD, str(exc))
            if refused and self.on_login_refused is not None:
                self.on_login_refused(str(exc))
            raise
        try:
            async with self.sessions() as session, session.begin():
                await repo.record_upload(session, self.name)
        except Exception:  # the file is archived; a missed note must not make the task retry
            log.warning("Архив: файл %s отправлен, но записать это в базу не удалось", remote_path, exc_info=True)
        return where

    async def _record_error(self, kind: ArchiveErrorKind, error: str, *, login_check: bool = False) -> None:
        try:
            async with self.sessions() as session, session.begin():
                await repo.record_error(session, self.name, kind, error, login_check=login_check)
        except Exception:  # the store's own error is what matters to the caller
            log.warning("Архив: не удалось записать ошибку в базу", exc_info=True)

    async def close(self) -> None:
        await self.inner.close()


@dataclass(frozen=True, slots=True)
class LoginCheck:
    ok: bool
    error: str | None = None
    refused: bool = False  # MEGA refused the credentials: waiting does not help, a human must fix .env


async def check_login(archive: RecordingArchive) -> LoginCheck:
    """Log in to MEGA once (no-op for the local folder) and record the outcome."""
    inner = archive.inner
    sessions = archive.sessions
    verify_login = getattr(inner, "verify_login", None)  # MEGA's; not isinstance: that would import the client
    if verify_login is None:
        async with sessions() as session, session.begin():
            await repo.record_backend(session, archive.name)
        return LoginCheck(ok=True)
    try:
        await verify_login()
    except ArchiveError as exc:
        refused = isinstance(exc, LoginRefused)
        kind = ArchiveErrorKind.LOGIN if refused else ArchiveErrorKind.UNREACHABLE
        async with sessions() as session, session.begin():
            await repo.record_error(session, archive.name, kind, str(exc), login_check=True)
        return LoginCheck(ok=False, error=str(exc), refused=refused)
    async with sessions() as session, session.begin():
        await repo.record_login_ok(session, archive.name)
        hurried = await repo.hurry_pending(session)
    if hurried:
        log.info("MEGA работает: чеки из очереди архива (%d) отправляются сейчас", hurried)
    return LoginCheck(ok=True)


async def admins_were_told(sessions: async_sessionmaker[AsyncSession], error: str) -> bool:
    """Whether the admins already heard about exactly this error (and nothing worked since)."""
    async with sessions() as session:
        row = await repo.status(session)
    return row is not None and row.told_admins == error


async def claim_telling(sessions: async_sessionmaker[AsyncSession], error: str, owner: str, lease: timedelta) -> bool:
    """Replicas start together and see the same refused login: only the one that claims this error tells the
    admins (a claim in job_claims, keyed by the error; it lapses after `lease` if that replica dies first)."""
    key = "mega_login_refused:" + hashlib.sha1(error.encode(), usedforsecurity=False).hexdigest()[:16]
    async with sessions() as session, session.begin():
        return await job_claims.claim(session, key, owner, utcnow() + lease)


async def admins_told(sessions: async_sessionmaker[AsyncSession], error: str) -> None:
    """Remember that the admins heard about `error`, so a restart with the same error stays quiet."""
    async with sessions() as session, session.begin():
        await repo.record_told(session, error)


def build_archive(settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> RecordingArchive:
    if settings.mega_enabled:
        from happykids.storage.mega import MegaArchive  # only with MEGA: the client is a slow, large import

        # Not "archived to MEGA" yet: nobody has logged in. app/archive_watch.py says how the login went.
        log.info("MEGA настроена (%s, папка «%s»): вход проверяется в фоне; чеки хранятся в DATA_DIR и уйдут в "
                 "MEGA, когда вход заработает", settings.mega_email, settings.mega_folder)
        return RecordingArchive(MegaArchive(settings.mega_email or "", settings.mega_password or "",
                                            settings.mega_folder, retry=MEGA_RETRY), sessions)
    root = settings.data_dir / "archive"
    log.info("MEGA не настроена: чеки хранятся только в DATA_DIR (копии с понятными именами — в %s)", root)
    return RecordingArchive(LocalArchive(root), sessions)
