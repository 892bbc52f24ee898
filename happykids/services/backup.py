"""`happykids backup` and `happykids restore`: one archive with everything the agency would miss after a lost disk.

The database is copied first, through SQLite's online backup API (db/snapshot.py), while the bot keeps
running; the files of DATA_DIR follow. A receipt's file is written and fsynced before its row commits
(services/receipt_files.py), so every file the copied database names is already on disk when the files are
read: the archive is consistent, at worst with a newer file no row names yet. The manifest lists row counts and
each file's size and sha256; a restore checks every one of them before it puts anything in place.

The archive is a plain .tar.gz (the standard library's tarfile): an operator can open it with any tool.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath
from typing import IO

import yaml
from sqlalchemy.engine import make_url

from happykids.config import Settings
from happykids.db.engine import create_engine, create_session_factory
from happykids.db.migrate import current_revision
from happykids.db.repositories.catalog import export_spec
from happykids.db.repositories.ops import receipt_file_paths, table_counts
from happykids.db.repositories.texts import all_overrides
from happykids.db.snapshot import copy_database, forget_inbox, move_receipt_files, sqlite_path
from happykids.domain.backup_manifest import (
    CATALOG_MEMBER,
    DATA_PREFIX,
    DATABASE_MEMBER,
    MANIFEST,
    MANUAL_PREFIX,
    TEXTS_MEMBER,
    FileEntry,
    Manifest,
    ManifestError,
    backup_name,
    is_data_file,
    safe_member,
    to_prune,
)
from happykids.domain.catalog_yaml import dump_catalog_yaml
from happykids.domain.clock import zone
from happykids.domain.os_errors import os_reason
from happykids.domain.wording import count_of, plural

CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore cannot be done; the message is one sentence for the operator."""


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    manifest: Manifest

    def summary(self) -> str:
        counts = self.manifest.counts
        text = (f"Резервная копия записана в {self.path}: {_receipts(counts)}, "
                f"{_files(len(self.manifest.data_files))}, {_overrides(counts)}, {_links(counts)}, "
                f"{_dialogs(counts)}.")
        if not self.manifest.database_included:
            text += (f" Базы {self.manifest.database} в копии нет: сохраните её через pg_dump "
                     "(docs/operations.md).")
        if self.manifest.receipt_files_missing:
            text += f" Файлов чеков нет на диске: {', '.join(self.manifest.receipt_files_missing[:5])}."
        return text


def _receipts(counts: dict[str, int]) -> str:
    return count_of(counts.get("receipts", 0), "чек", "чека", "чеков")


def _files(number: int) -> str:
    return count_of(number, "файл", "файла", "файлов")


def _overrides(counts: dict[str, int]) -> str:
    return count_of(counts.get("text_overrides", 0), "изменённый текст", "изменённых текста", "изменённых текстов")


def _dialogs(counts: dict[str, int]) -> str:
    return count_of(counts.get("fsm_records", 0), "незаконченный диалог", "незаконченных диалога",
                    "незаконченных диалогов")


def _links(counts: dict[str, int]) -> str:
    return count_of(counts.get("payment_links", 0), "ссылка", "ссылки", "ссылок")


def backups_dir(settings: Settings) -> Path:
    return settings.data_dir / "backups"


def target_path(settings: Settings, path: Path | None, prefix: str = MANUAL_PREFIX) -> Path:
    """PATH as given: a file name, or a directory to put a dated file into; none: DATA_DIR/backups."""
    name = backup_name(prefix, datetime.now(UTC).astimezone(zone(settings.timezone)))
    if path is None:
        return backups_dir(settings) / name
    if path.is_dir() or str(path).endswith(os.sep):
        return path / name
    return path


async def create_backup(settings: Settings, target: Path) -> BackupResult:
    url = settings.resolved_database_url
    database = sqlite_path(url)
    if database is not None and not database.exists():
        raise BackupError(f"Файла базы {database} нет, и копировать нечего: проверьте DATA_DIR (бот хоть раз "
                          "запускался с ним?).")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".backup-", dir=target.parent) as work:
        snapshot = Path(work) / "happykids.sqlite3"
        if database is not None:
            await asyncio.to_thread(copy_database, database, snapshot)
            await asyncio.to_thread(forget_inbox, snapshot)  # updates in flight are the running bot's to finish
            url = f"sqlite+aiosqlite:///{snapshot}"
        manifest, exports = await _describe(url, database is not None)
        await asyncio.to_thread(_write_archive, settings.data_dir, snapshot if database else None, manifest,
                                exports, target)
    return BackupResult(target, manifest)


async def _describe(url: str, included: bool) -> tuple[Manifest, dict[str, bytes]]:
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            counts = await table_counts(session)
            catalog = dump_catalog_yaml(await export_spec(session))
            overrides = await all_overrides(session)
            referenced = await receipt_file_paths(session)
    finally:
        await engine.dispose()
    manifest = Manifest(
        created_at=datetime.now(UTC).isoformat(timespec="seconds"), app_version=_app_version(),
        schema_revision=await current_revision(url), database=make_url(url).get_backend_name(),
        database_included=included, counts=counts,
        receipt_files_referenced=len(referenced),
        receipt_files_missing=[_member_of_receipt(p) for p in referenced],  # pruned when the files are read
    )
    texts = yaml.safe_dump(overrides, allow_unicode=True, sort_keys=True, width=1000)
    return manifest, {CATALOG_MEMBER: catalog.encode(), TEXTS_MEMBER: texts.encode()}


def _member_of_receipt(file_path: str) -> str:
    """The archive name of a receipt's file: data/receipts/<month>/<name>, wherever DATA_DIR was."""
    parts = Path(file_path).parts
    return f"{DATA_PREFIX}receipts/{'/'.join(parts[-2:])}"


def _write_archive(data_dir: Path, database: Path | None, manifest: Manifest, exports: dict[str, bytes],
                   target: Path) -> None:
    partial = target.with_name(f".{target.name}.part")
    try:
        with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
            if database is not None:
                manifest.files.append(_add_file(tar, database, DATABASE_MEMBER))
            # Not the backup being written, nor its working copy (PATH may lie inside DATA_DIR).
            own = {target.parent.resolve() / n for n in (target.name, partial.name)}
            work = database.parent.resolve() if database is not None else None
            for path in sorted(data_dir.rglob("*")):
                relative = PurePosixPath(path.relative_to(data_dir).as_posix())
                resolved = path.resolve()
                if resolved in own or (work is not None and work in resolved.parents):
                    continue
                if path.is_file() and not path.is_symlink() and is_data_file(relative):
                    manifest.files.append(_add_file(tar, path, f"{DATA_PREFIX}{relative}"))
            for name, content in exports.items():
                manifest.files.append(_add_bytes(tar, name, content))
            present = {f.name for f in manifest.files}
            manifest.receipt_files_missing = [m for m in manifest.receipt_files_missing if m not in present]
            _add_bytes(tar, MANIFEST, manifest.to_json().encode())
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


class _Hashing(io.RawIOBase):
    def __init__(self, handle: IO[bytes]):
        self.handle, self.sha = handle, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size)
        self.sha.update(chunk)
        return chunk


def _add_file(tar: tarfile.TarFile, path: Path, name: str) -> FileEntry:
    with path.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = size, int(path.stat().st_mtime), 0o600
        reader = _Hashing(handle)
        tar.addfile(info, reader)
    return FileEntry(name, size, reader.sha.hexdigest())


def _add_bytes(tar: tarfile.TarFile, name: str, content: bytes) -> FileEntry:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(content), int(datetime.now(UTC).timestamp()), 0o600
    tar.addfile(info, io.BytesIO(content))
    return FileEntry(name, len(content), hashlib.sha256(content).hexdigest())


def prune(directory: Path, keep: int) -> list[Path]:
    """Delete the daily backups beyond the newest `keep`; return what went."""
    gone = [directory / name for name in to_prune([p.name for p in directory.glob("*")], keep)]
    for path in gone:
        path.unlink(missing_ok=True)
    return gone


def _app_version() -> str:
    try:
        return version("happykids-bot")
    except PackageNotFoundError:
        return "unknown"


# --- restore -----------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RestoreResult:
    data_dir: Path
    manifest: Manifest
    files: int
    database_restored: bool

    def summary(self) -> str:
        counts = self.manifest.counts
        if not self.database_restored:
            return (f"Восстановлено в {self.data_dir}: {_files(self.files)}; все контрольные суммы совпадают с "
                    "описью. Базу не восстанавливали (DATABASE_URL — не SQLite): загрузите её из своего pg_dump "
                    "(docs/operations.md).")
        return (f"Восстановлено в {self.data_dir}: {_receipts(counts)}, {_files(self.files)}, {_overrides(counts)}, "
                f"{_links(counts)}; все контрольные суммы и числа строк совпадают с описью.")


async def restore_backup(settings: Settings, archive: Path) -> RestoreResult:
    data_dir = settings.data_dir
    database = sqlite_path(settings.resolved_database_url)
    await asyncio.to_thread(_check_target, data_dir, archive, database)
    # Staged inside DATA_DIR itself: the bot's user may own only that directory, not its parent (/var/lib).
    await asyncio.to_thread(data_dir.mkdir, parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=data_dir))
    try:
        manifest, files = await asyncio.to_thread(_extract, archive, staging)
        restored = database is not None and manifest.database_included
        if restored:
            await asyncio.to_thread(move_receipt_files, staging / DATABASE_MEMBER, data_dir)
            await _check_counts(staging / DATABASE_MEMBER, manifest)
        await asyncio.to_thread(_put_in_place, staging, data_dir, database if restored else None)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return RestoreResult(data_dir, manifest, files, restored)


def _check_target(data_dir: Path, archive: Path, database: Path | None) -> None:
    if data_dir.exists() and (not data_dir.is_dir() or any(data_dir.iterdir())):
        raise BackupError(f"Папка DATA_DIR={data_dir} не пуста: восстанавливать можно только в пустую или новую "
                          f"папку (старую сначала переименуйте, например `mv {data_dir} {data_dir}.old`).")
    if not archive.is_file():
        raise BackupError(f"Файла резервной копии {archive} нет: проверьте путь.")
    if database is not None and database.exists():
        raise BackupError(f"Файл базы {database} уже есть: восстанавливать можно только туда, где базы ещё нет "
                          "(старую сначала переименуйте).")


def _extract(archive: Path, staging: Path) -> tuple[Manifest, int]:
    try:
        with tarfile.open(archive, "r:*") as tar:
            manifest_file = tar.extractfile(MANIFEST)
            if manifest_file is None:
                raise ManifestError(f"в архиве нет {MANIFEST}")
            manifest = Manifest.from_json(manifest_file.read().decode("utf-8"))
            seen = 0
            for member in tar:
                if member.name == MANIFEST or not member.isfile():
                    continue
                entry = manifest.entry(member.name)
                if entry is None:
                    raise ManifestError(f"{member.name} нет в описи {MANIFEST}")
                target = staging.joinpath(*safe_member(member.name).parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                if source is None:
                    raise ManifestError(f"{member.name} не читается")
                sha, size = hashlib.sha256(), 0
                with target.open("wb") as out:
                    while chunk := source.read(CHUNK):
                        sha.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                if (size, sha.hexdigest()) != (entry.size, entry.sha256):
                    raise ManifestError(f"{member.name} не совпадает со своей контрольной суммой, архив "
                                        "повреждён")
                seen += 1
    except (tarfile.TarError, KeyError, OSError, EOFError) as exc:
        raise BackupError(f"{archive} не читается как резервная копия ({_unreadable(exc)}): проверьте, что это файл от "
                          "`happykids backup` и он скопирован целиком.") from None
    except ManifestError as exc:
        raise BackupError(f"{archive} нельзя восстановить: {exc}; возьмите другую копию.") from None
    if seen != len(manifest.files):
        listed = len(manifest.files)
        raise BackupError(f"{archive} нельзя восстановить: в нём {seen} из {listed} "
                          f"{plural(listed, 'файла', 'файлов', 'файлов')} описи; возьмите другую копию.")
    return manifest, len(manifest.data_files)


def _unreadable(exc: BaseException) -> str:
    """Why an archive cannot be read, in a few words (tarfile's own text runs over several lines)."""
    if isinstance(exc, OSError) and exc.errno is not None:  # not gzip's BadGzipFile: that is a damaged archive
        return os_reason(exc)
    if isinstance(exc, (EOFError, KeyError)):
        return "архив обрывается на середине"
    return "это не архив .tar.gz или он повреждён"


async def _check_counts(database: Path, manifest: Manifest) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    try:
        async with create_session_factory(engine)() as session:
            counts = await table_counts(session)
    finally:
        await engine.dispose()
    wrong = {t: (n, counts.get(t)) for t, n in manifest.counts.items() if counts.get(t) != n}
    if wrong:
        raise BackupError(f"Восстановленная база не совпадает с описью (таблица: ожидалось, найдено): {wrong}; "
                          "возьмите другую копию.")


def _put_in_place(staging: Path, data_dir: Path, database: Path | None) -> None:
    data = staging / DATA_PREFIX.rstrip("/")
    data.mkdir(exist_ok=True)
    if database is not None:
        if database.parent.resolve() == data_dir.resolve():
            (staging / DATABASE_MEMBER).replace(data / database.name)
        else:
            database.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(staging / DATABASE_MEMBER, database)
    for entry in data.iterdir():  # DATA_DIR holds only the staging directory: nothing is overwritten
        entry.replace(data_dir / entry.name)
