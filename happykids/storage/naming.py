"""Safe, predictable archive paths for receipts.

``archive_path()`` builds ``<folder>/<YYYY-MM>/<YYYY-MM-DD>_<group>_<parent>_<id>.<ext>``.

Every path component is made safe for MEGA (which rejects ``" * / : < > ? \\ |``)
and for ordinary file systems: those characters and control characters are
replaced, whitespace is collapsed, Cyrillic and other letters are kept, and
the length is limited in UTF-8 bytes (ext4 allows 255 bytes per name, and a
Cyrillic letter takes two).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from pathlib import PurePosixPath

__all__ = [
    "ALLOWED_EXTENSIONS",
    "FALLBACK_EXTENSION",
    "NO_GROUP",
    "NO_NAME",
    "archive_path",
    "safe_component",
    "safe_extension",
    "safe_folder",
]

ALLOWED_EXTENSIONS = frozenset({"jpg", "jpeg", "png", "webp", "pdf"})
FALLBACK_EXTENSION = "bin"
NO_GROUP = "без-выбора"
NO_NAME = "без-имени"

# Byte budgets (UTF-8). The whole file name stays well under 255 bytes.
GROUP_MAX_BYTES = 60
PARENT_MAX_BYTES = 90
FOLDER_SEGMENT_MAX_BYTES = 100
FILENAME_MAX_BYTES = 200

_FORBIDDEN = re.compile(r'[/\\:*?"<>|]')
_WHITESPACE = re.compile(r"\s+")
_DASHES = re.compile(r"-{2,}")


def _truncate_utf8(text: str, max_bytes: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= max_bytes:
        return text
    # Cut on a character boundary.
    return encoded[:max_bytes].decode("utf-8", errors="ignore")


def safe_component(value: object, *, fallback: str = NO_NAME, max_bytes: int = PARENT_MAX_BYTES) -> str:
    """Make one path component safe: no separators, no reserved or control characters.

    Letters of any script (Cyrillic included), digits, spaces, dots, dashes and
    underscores survive; reserved characters become "-"; runs of whitespace
    become one space; leading/trailing spaces, dots and dashes are stripped
    (no hidden files, no "..", no trailing dots that Windows drops).
    Returns ``fallback`` when nothing is left.
    """
    text = unicodedata.normalize("NFC", str(value))
    chars: list[str] = []
    for ch in text:
        category = unicodedata.category(ch)
        if ch in "\t\n\r\v\f" or category in ("Zl", "Zp"):
            chars.append(" ")
        elif category.startswith("C"):  # Cc control, Cf format (zero-width, bidi), Cs, Co, Cn
            continue
        else:
            chars.append(ch)
    text = "".join(chars)
    text = _FORBIDDEN.sub("-", text)
    text = _WHITESPACE.sub(" ", text)
    text = _DASHES.sub("-", text)
    text = text.strip(" .-")
    text = _truncate_utf8(text, max_bytes).rstrip(" .-")
    return text or fallback


def safe_extension(ext: str | None) -> str:
    """Lower-cased extension without the dot, if whitelisted; otherwise ``"bin"``."""
    if not ext:
        return FALLBACK_EXTENSION
    cleaned = str(ext).strip().lstrip(".").strip().lower()
    return cleaned if cleaned in ALLOWED_EXTENSIONS else FALLBACK_EXTENSION


def safe_folder(folder: str | PurePosixPath | None) -> PurePosixPath:
    """Sanitise a configured folder such as ``"HappyKids/Чеки"`` segment by segment.

    Empty, ``.`` and ``..`` segments are dropped, so the result is always a
    relative path (possibly empty, i.e. ``PurePosixPath(".")``).
    """
    if folder is None:
        return PurePosixPath()
    segments = re.split(r"[/\\]+", str(folder))
    safe: list[str] = []
    for segment in segments:
        cleaned = safe_component(segment, fallback="", max_bytes=FOLDER_SEGMENT_MAX_BYTES)
        if cleaned and cleaned not in (".", ".."):
            safe.append(cleaned)
    return PurePosixPath(*safe)


def archive_path(
    folder: str,
    created_at: datetime,
    group: str | None,
    parent: str,
    receipt_id: int,
    ext: str,
) -> PurePosixPath:
    """``<folder>/<YYYY-MM>/<YYYY-MM-DD>_<group>_<parent>_<id>.<ext>``

    * ``folder`` — a sub-folder *inside the backend's root* (may be ``""``):
      backends place the result under their own root (``LocalArchive(root)``,
      ``MegaArchive(folder=...)``); ``MegaArchive`` does not add its folder
      again when the path already starts with it.
    * ``created_at`` — the date parts are taken as given: convert to the
      agency's time zone before calling.
    * ``group`` — ``None`` (or nothing printable) becomes ``"без-выбора"``.
    * ``ext`` — lower-cased; only jpg/jpeg/png/webp/pdf, anything else is ``"bin"``.
    """
    if isinstance(receipt_id, bool) or not isinstance(receipt_id, int) or receipt_id < 0:
        raise ValueError(f"receipt_id must be a non-negative int, got {receipt_id!r}")

    month = f"{created_at.year:04d}-{created_at.month:02d}"
    day = f"{month}-{created_at.day:02d}"
    group_part = NO_GROUP if group is None else safe_component(group, fallback=NO_GROUP, max_bytes=GROUP_MAX_BYTES)
    parent_part = safe_component(parent, fallback=NO_NAME, max_bytes=PARENT_MAX_BYTES)
    extension = safe_extension(ext)

    stem = f"{day}_{group_part}_{parent_part}_{receipt_id}"
    name = f"{stem}.{extension}"
    if len(name.encode("utf-8")) > FILENAME_MAX_BYTES:  # only reachable with absurd ids; keep the id intact
        budget = FILENAME_MAX_BYTES - len(f"_{receipt_id}.{extension}".encode())
        stem = _truncate_utf8(f"{day}_{group_part}_{parent_part}", budget).rstrip(" .-_") + f"_{receipt_id}"
        name = f"{stem}.{extension}"

    return safe_folder(folder) / month / name
