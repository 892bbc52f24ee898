"""Gathers the facts `happykids health` and `GET /healthz` judge (domain/health.py): the same for both.

- the bot's process: the pid in DATA_DIR/happykids.lock, alive (a signal-0 probe, so the check never takes
  the lock itself and cannot make a starting bot think another copy runs);
- the last successful getUpdates: DATA_DIR/heartbeat.json, written by the running bot (app/heartbeat.py) and
  counted only when it was written by that same process (a file left by an earlier run says nothing);
- the database: one query; the receipt archive queue: how many wait and since when, and the last error;
  whether MEGA refuses the login, from the archive's own record (services/archive.py `archive_state`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from happykids.config import Settings
from happykids.db.engine import create_engine, create_session_factory
from happykids.db.repositories.ops import ArchiveQueue, archive_queue, ping
from happykids.domain.archive import ArchiveErrorKind
from happykids.domain.health import HEARTBEAT_FILE, HealthFacts, HealthLimits, HealthReport, evaluate
from happykids.services.archive import archive_state

LOCK_FILE = "happykids.lock"  # app/instance_lock.py writes the owner's pid into it
DB_TIMEOUT_SECONDS = 10.0


async def check_health(settings: Settings, sessions: async_sessionmaker[AsyncSession] | None = None
                       ) -> HealthReport:
    """`sessions`: the running bot's own (the /healthz server); None opens a short-lived engine (the CLI)."""
    pid = await asyncio.to_thread(_live_pid, settings.data_dir / LOCK_FILE)
    last_poll, via_webhook = await asyncio.to_thread(_last_poll, settings.data_dir / HEARTBEAT_FILE, pid)
    database_error, queue, login_refused = await _database(settings, sessions)
    facts = HealthFacts(
        now=datetime.now(UTC).replace(tzinfo=None), bot_pid=pid, last_poll=last_poll, via_webhook=via_webhook,
        database_error=database_error, archive_waiting=queue.waiting, archive_oldest=queue.oldest,
        archive_last_error=queue.last_error, mega_enabled=settings.mega_enabled, mega_login_refused=login_refused,
    )
    limits = HealthLimits(max_poll_age=timedelta(seconds=settings.health_max_poll_age),
                          archive_stuck_after=timedelta(minutes=settings.health_archive_stuck_minutes))
    return evaluate(facts, limits)


async def _database(settings: Settings, sessions: async_sessionmaker[AsyncSession] | None
                    ) -> tuple[str | None, ArchiveQueue, bool]:
    empty = ArchiveQueue(0, None, None)
    url = settings.resolved_database_url
    engine = None
    if sessions is None:
        database = make_url(url).database
        if (make_url(url).get_backend_name() == "sqlite" and database
                and not await asyncio.to_thread(Path(database).exists)):
            return f"файла базы {database} нет, бот ни разу не запускался с этим DATA_DIR", empty, False
        engine = create_engine(url)
        sessions = create_session_factory(engine)
    try:
        async with asyncio.timeout(DB_TIMEOUT_SECONDS), sessions() as session:
            await ping(session)
            state = await archive_state(session)  # the archive's own record of its last error (MEGA login)
            return None, await archive_queue(session), state.last_error_kind is ArchiveErrorKind.LOGIN
    except TimeoutError:
        return f"нет ответа за {DB_TIMEOUT_SECONDS:.0f} с", empty, False
    except (SQLAlchemyError, OSError) as exc:
        return _one_line(exc), empty, False
    finally:
        if engine is not None:
            await engine.dispose()


def _live_pid(lock: Path) -> int | None:
    try:
        pid = int(lock.read_text().strip() or 0)
    except (OSError, ValueError):
        return None
    if pid <= 0:
        return None
    try:
        os.kill(pid, 0)
    except PermissionError:  # alive, owned by another user (e.g. health run as root beside the service)
        return pid
    except OSError:
        return None
    return pid


def _last_poll(path: Path, pid: int | None) -> tuple[datetime | None, bool]:
    """When the running bot last heard from Telegram, and whether by webhook (else by getUpdates)."""
    try:
        beat = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, False
    if pid is None or beat.get("pid") != pid:
        return None, False
    with contextlib.suppress(TypeError, ValueError):
        return datetime.fromisoformat(beat["last_get_updates"]), bool(beat.get("webhook"))
    return None, False


def _one_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
