"""What a backup archive holds and how it is checked: the manifest, the names inside, which files go in.

Pure rules, so the backup service, the restore and the tests agree on one layout:

    manifest.json                  format, versions, row counts per table, every file with size and sha256
    database/happykids.sqlite3     the SQLite database (absent for PostgreSQL: pg_dump it, see the guide)
    data/...                       DATA_DIR's files: receipts/<month>/..., archive/... (no lock, heartbeat, backups)
    export/catalog.yaml            the catalog in `happykids catalog import` format
    export/texts.yaml              the director's text overrides (key: text)
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, time, timedelta
from pathlib import PurePosixPath
from typing import Any

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_MEMBER = "database/happykids.sqlite3"
DATA_PREFIX = "data/"
CATALOG_MEMBER = "export/catalog.yaml"
TEXTS_MEMBER = "export/texts.yaml"
DATABASE_FILE = "happykids.sqlite3"
MANUAL_PREFIX = "happykids-backup-"
DAILY_PREFIX = "happykids-daily-"
SUFFIX = ".tar.gz"

# DATA_DIR entries that are not data: the live database (copied through the backup API instead), the running
# bot's lock and heartbeat, backups themselves (no backup inside a backup), the demo's own playground.
_SKIPPED_TOP = {DATABASE_FILE, f"{DATABASE_FILE}-wal", f"{DATABASE_FILE}-shm", f"{DATABASE_FILE}-journal",
                "happykids.lock", "heartbeat.json", "backups", "demo"}


class ManifestError(Exception):
    """The archive is not a backup of this bot, or it is damaged; the message says which file."""


@dataclass(frozen=True, slots=True)
class FileEntry:
    name: str  # member name in the archive
    size: int
    sha256: str


@dataclass(slots=True)
class Manifest:
    created_at: str  # ISO, UTC
    app_version: str
    schema_revision: str | None
    database: str  # "sqlite" (included) or the backend name (not included)
    database_included: bool
    counts: dict[str, int] = field(default_factory=dict)
    files: list[FileEntry] = field(default_factory=list)
    receipt_files_referenced: int = 0
    receipt_files_missing: list[str] = field(default_factory=list)
    format: int = FORMAT

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        try:
            raw: dict[str, Any] = json.loads(text)
            if raw.get("format") != FORMAT:
                raise ManifestError(f"{MANIFEST}: неизвестный формат {raw.get('format')!r} (эта версия читает "
                                    f"{FORMAT})")
            raw["files"] = [FileEntry(**entry) for entry in raw.get("files", [])]
            return cls(**raw)
        except (ValueError, TypeError, KeyError) as exc:
            raise ManifestError(f"{MANIFEST} повреждён: {exc}") from None

    def entry(self, name: str) -> FileEntry | None:
        return next((f for f in self.files if f.name == name), None)

    @property
    def data_files(self) -> list[FileEntry]:
        return [f for f in self.files if f.name.startswith(DATA_PREFIX)]


def is_data_file(relative: PurePosixPath) -> bool:
    """Whether a file under DATA_DIR (path relative to it) belongs in a backup."""
    parts = relative.parts
    if not parts or parts[0] in _SKIPPED_TOP:
        return False
    name = parts[-1]
    if name.endswith(SUFFIX) and name.startswith((MANUAL_PREFIX, DAILY_PREFIX)):
        return False  # an earlier backup written elsewhere in DATA_DIR
    return not (name.startswith(".") and name.endswith(".part"))  # a download still being written


def safe_member(name: str) -> PurePosixPath:
    """A member name that stays inside the directory it is extracted to."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ManifestError(f"небезопасное имя в архиве: {name!r}")
    return path


def backup_name(prefix: str, local_now: datetime) -> str:
    return f"{prefix}{local_now:%Y%m%d-%H%M%S}{SUFFIX}"


def to_prune(names: list[str], keep: int) -> list[str]:
    """The daily backups beyond the newest `keep` (names sort by time); manual ones are never pruned."""
    daily = sorted(n for n in names if n.startswith(DAILY_PREFIX) and n.endswith(SUFFIX))
    return daily[:-keep] if keep > 0 else daily


def next_run(local_now: datetime, at: str) -> datetime:
    """The next moment the clock shows `at` (HH:MM), strictly after `local_now` (same tzinfo as local_now)."""
    hours, minutes = (int(x) for x in at.split(":"))
    candidate = datetime.combine(local_now.date(), time(hours, minutes), tzinfo=local_now.tzinfo)
    if candidate <= local_now:
        candidate = datetime.combine(local_now.date() + timedelta(days=1), time(hours, minutes),
                                     tzinfo=local_now.tzinfo)
    return candidate
