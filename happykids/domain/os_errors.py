"""What an operating-system error means, in the Russian the operator reads (the OS's own text is English on a server).

Pure: only the errno is looked at. Used where a file or folder the operator named cannot be used (DATA_DIR, a
backup path, a catalog file); an errno not listed keeps the system's own words, which are still accurate.
"""

from __future__ import annotations

import errno

_REASONS = {
    errno.EACCES: "нет доступа",
    errno.EPERM: "нет разрешения",
    errno.EROFS: "файловая система только для чтения",
    errno.ENOENT: "нет такого файла или папки",
    errno.ENOSPC: "на диске нет места",
    errno.EISDIR: "это папка, а не файл",
    errno.ENOTDIR: "это не папка",
    errno.EEXIST: "такой файл уже есть",
}


def os_reason(exc: OSError) -> str:
    """«нет доступа» for EACCES and the like; the system's own text for anything else."""
    return _REASONS.get(exc.errno or 0) or exc.strerror or type(exc).__name__
