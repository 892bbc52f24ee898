"""The receipt-archive interface shared by the local and the MEGA backends, and MEGA's retry policy.

RetryPolicy lives here, not in mega.py, so that services/archive.py can name MEGA's policy without importing
the MEGA client (async-mega-py, tenacity, rich, pycryptodome: a slow import and megabytes of memory that a bot
without MEGA never needs).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path, PurePosixPath
from typing import Protocol, runtime_checkable

__all__ = ["ArchiveBackend", "ArchiveError", "LoginRefused", "RetryPolicy", "normalize_remote_path"]


class ArchiveError(Exception):
    """Storing a file failed (after the backend's own retries).

    ``permanent`` is True when retrying cannot help without a change by a human
    (bad credentials, an unsafe path, a missing local file); the outbox worker
    may then stop retrying or alert. Otherwise retry later.
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class LoginRefused(ArchiveError):
    """The archive refused the credentials (MEGA's e-mail or password): only a human can fix it."""

    def __init__(self, message: str) -> None:
        super().__init__(message, permanent=True)


@runtime_checkable
class ArchiveBackend(Protocol):
    """Somewhere receipts are archived.

    ``store()`` is idempotent per ``remote_path``: storing the same
    ``remote_path`` again does not create a second copy and returns the same
    location. ``remote_path`` is relative to the backend's root.
    """

    name: str

    async def store(self, local_path: Path, remote_path: PurePosixPath) -> str:
        """Archive ``local_path`` at ``remote_path``; return where it went.

        Raises ``ArchiveError`` on failure.
        """
        ...

    async def close(self) -> None: ...


def normalize_remote_path(remote_path: PurePosixPath | str) -> PurePosixPath:
    """Validate a backend-relative path: relative, no empty/``.``/``..`` parts.

    Raises ``ArchiveError(permanent=True)`` for anything else.
    """
    raw = str(remote_path)
    if not raw or raw.startswith("/") or "\\" in raw or "\x00" in raw:
        raise ArchiveError(f"недопустимый путь в архиве: {raw!r}", permanent=True)
    path = PurePosixPath(raw)
    parts = path.parts
    if not parts or any(part in ("", ".", "..") for part in parts) or any(p != p.strip() for p in parts):
        raise ArchiveError(f"недопустимый путь в архиве: {raw!r}", permanent=True)
    return path


@dataclasses.dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Retry of one ``store()``: ``attempts`` tries in all, sleeping
    ``initial_delay * exp_base**n`` (capped at ``max_delay``) plus up to
    ``jitter`` seconds between them; each try is cut after ``attempt_timeout``."""

    attempts: int = 6
    initial_delay: float = 1.0
    max_delay: float = 60.0
    exp_base: float = 2.0
    jitter: float = 1.0
    attempt_timeout: float = 300.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be >= 1")
