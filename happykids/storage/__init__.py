"""Receipt archive backends: the local disk and MEGA.

from happykids.storage import MegaArchive, LocalArchive, ArchiveError, archive_path

path = archive_path("", created_at, group, parent, receipt_id, "jpg")  # 2026-11/2026-11-05_<group>_<parent>_42.jpg
where = await backend.store(local_file, path)  # "mega:/HappyKids/Чеки/2026-11/..." or a local path

Importing this package (or any module in it) does not import the MEGA client: MegaArchive and MegaHTTPError
are loaded on first use (module __getattr__), since most bots run without MEGA and the import is slow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from happykids.storage.base import ArchiveBackend, ArchiveError, RetryPolicy, normalize_remote_path
from happykids.storage.local import LocalArchive
from happykids.storage.naming import archive_path, safe_component, safe_extension, safe_folder

if TYPE_CHECKING:
    from happykids.storage.mega import MegaArchive, MegaHTTPError

__all__ = [
    "ArchiveBackend",
    "ArchiveError",
    "LocalArchive",
    "MegaArchive",
    "MegaHTTPError",
    "RetryPolicy",
    "archive_path",
    "normalize_remote_path",
    "safe_component",
    "safe_extension",
    "safe_folder",
]


def __getattr__(name: str) -> Any:
    if name in ("MegaArchive", "MegaHTTPError"):
        from happykids.storage import mega  # on first use only: see the module's docstring

        return getattr(mega, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
