"""The "archive is the local disk" backend."""

from __future__ import annotations

import asyncio
import filecmp
import logging
import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath

from happykids.storage.base import ArchiveError, normalize_remote_path

__all__ = ["LocalArchive"]

logger = logging.getLogger(__name__)


class LocalArchive:
    """Copies files under ``root/remote_path`` and returns that path as a string.

    Idempotent: storing the same content at the same ``remote_path`` again is
    a no-op; different content replaces the old copy atomically (write to a
    temporary file in the same directory, then ``os.replace``), so a reader
    never sees a half-written file.
    """

    name = "local"

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"LocalArchive(root={str(self.root)!r})"

    def _target(self, remote_path: PurePosixPath | str) -> Path:
        rel = normalize_remote_path(remote_path)
        return self.root.joinpath(*rel.parts)

    async def store(self, local_path: Path, remote_path: PurePosixPath) -> str:
        target = self._target(remote_path)
        try:
            return await asyncio.to_thread(self._store_sync, Path(local_path), target)
        except ArchiveError:
            raise
        except FileNotFoundError as exc:
            if not await asyncio.to_thread(Path(local_path).is_file):
                raise ArchiveError(f"файла для архива нет: {local_path}", permanent=True) from exc
            raise ArchiveError(f"не удалось записать файл в папку архива ({exc})") from exc
        except OSError as exc:
            raise ArchiveError(f"не удалось записать файл в папку архива ({exc})") from exc

    def _store_sync(self, source: Path, target: Path) -> str:
        if not source.is_file():
            raise ArchiveError(f"файла для архива нет: {source}", permanent=True)
        if source.resolve() == target.resolve():
            return str(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        # ".." is already refused; this also catches a symlink inside the root pointing out of it.
        if not target.parent.resolve().is_relative_to(self.root.resolve()):
            raise ArchiveError(f"путь ведёт за пределы папки архива: {target}", permanent=True)
        if target.is_file() and filecmp.cmp(source, target, shallow=False):
            return str(target)

        fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", suffix=".part", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as out, source.open("rb") as src:
                shutil.copyfileobj(src, out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        logger.debug("archived %s -> %s", source, target)
        return str(target)

    async def close(self) -> None:
        return None
