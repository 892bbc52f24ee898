"""Receipt archive backends: the local disk and MEGA.

from happykids.storage import MegaArchive, LocalArchive, ArchiveError, archive_path

path = archive_path("", created_at, group, parent, receipt_id, "jpg")  # 2026-11/2026-11-05_<group>_<parent>_42.jpg
where = await backend.store(local_file, path)  # "mega:/HappyKids/Чеки/2026-11/..." or a local path
"""

from happykids.storage.base import ArchiveBackend, ArchiveError, normalize_remote_path
from happykids.storage.local import LocalArchive
from happykids.storage.mega import MegaArchive, MegaHTTPError, RetryPolicy
from happykids.storage.naming import archive_path, safe_component, safe_extension, safe_folder

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
