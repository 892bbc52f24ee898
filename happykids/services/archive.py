"""Which archive receives receipts: MEGA when it is configured, otherwise a folder in DATA_DIR."""

from __future__ import annotations

import logging

from happykids.config import Settings
from happykids.storage.base import ArchiveBackend
from happykids.storage.local import LocalArchive
from happykids.storage.mega import MegaArchive, RetryPolicy

log = logging.getLogger(__name__)

# A store() gives MEGA a few quick tries; longer outages are the outbox's job (it retries with back-off,
# across restarts), so one archive task never holds the queue for minutes.
MEGA_RETRY = RetryPolicy(attempts=3, initial_delay=1.0, max_delay=10.0, attempt_timeout=300.0)


def build_archive(settings: Settings) -> ArchiveBackend:
    if settings.mega_enabled:
        log.info("Receipts are archived to MEGA (%s, folder %r) and kept in DATA_DIR",
                 settings.mega_email, settings.mega_folder)
        return MegaArchive(settings.mega_email or "", settings.mega_password or "", settings.mega_folder,
                           retry=MEGA_RETRY)
    root = settings.data_dir / "archive"
    log.info("MEGA not configured: receipts are kept in DATA_DIR only (copies named for people in %s)", root)
    return LocalArchive(root)
