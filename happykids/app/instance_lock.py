"""One running bot per SQLite database: two processes on one SQLite file race on its single writer and on the
files of DATA_DIR, and the dialog-state cache (db/fsm_storage.py) assumes it is the only writer.

Several copies of the bot (replicas) work together only on PostgreSQL (with dialog state in Redis): there every
background job and every update is claimed in the database (workers/leases.py, db/unit_of_work.py). So on
PostgreSQL a second copy with the same DATA_DIR goes on without the lock (the first keeps the pid file that
`happykids health` reads); on SQLite it is refused with one sentence that says to use PostgreSQL.
"""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path

from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)


class AlreadyRunning(Exception):
    pass


class InstanceLock:
    def __init__(self, data_dir: Path, database_url: str | None = None):
        """`database_url`: the resolved DATABASE_URL; None or SQLite means one process only."""
        self.path = data_dir / "happykids.lock"
        self.shared = database_url is not None and make_url(database_url).get_backend_name() != "sqlite"
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            owner = self.path.read_text().strip() or "неизвестен"
            if self.shared:
                log.info("Another copy of the bot (pid %s) shares DATA_DIR=%s on PostgreSQL: working as a replica",
                         owner, self.path.parent)
                return
            raise AlreadyRunning(
                f"С DATA_DIR={self.path.parent} уже работает другая копия бота (pid {owner}), а на SQLite бот "
                "работает только в одной копии: остановите её или, чтобы запустить несколько копий, перейдите "
                "на PostgreSQL (DATABASE_URL) и Redis (FSM_STORAGE_URL)."
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
