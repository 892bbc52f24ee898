"""Receipt rules, free of Telegram and the database: what is accepted, who decides, how it reads.

The handlers and background tasks ask these functions; the tests check them directly.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import PurePosixPath
from typing import Any

from happykids.domain.clock import agency_zone

# --- intake -------------------------------------------------------------------------------------------

# Bots can't download files over 20 MB (getFile refuses), so such a file is refused before trying.
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
CAPTION_LIMIT = 1024  # visible characters in a media caption
TEXT_LIMIT = 4096  # visible characters in a message
ALBUM_QUIET_SECONDS = 1.0  # an album is complete when no part came for this long

# Names a receipt never has, whatever mime type the sender's app claims.
_REFUSED_EXTENSIONS = frozenset({
    "exe", "msi", "bat", "cmd", "com", "scr", "js", "vbs", "ps1", "sh", "apk", "jar", "dll", "svg", "html", "htm",
})
_DOCUMENT_EXTENSIONS = {"pdf": "pdf", "jpg": "jpg", "jpeg": "jpg", "png": "png", "webp": "webp", "heic": "heic",
                        "heif": "heif", "gif": "gif", "bmp": "bmp", "tif": "tif", "tiff": "tif"}
_MIME_EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/jpg": "jpg", "image/png": "png",
                    "image/webp": "webp", "image/heic": "heic", "image/heif": "heif", "image/gif": "gif",
                    "image/bmp": "bmp", "image/tiff": "tif"}


class MediaKind(StrEnum):
    PHOTO = "photo"
    DOCUMENT = "document"
    OTHER = "other"  # sticker, voice, video, ...: never a receipt


class Verdict(StrEnum):
    ACCEPT = "accept"
    TOO_BIG = "too_big"
    UNSUPPORTED = "unsupported"


@dataclass(frozen=True, slots=True)
class IncomingMedia:
    kind: MediaKind
    mime_type: str | None = None
    file_name: str | None = None
    file_size: int | None = None


def _extension_of(file_name: str | None) -> str:
    if not file_name or "." not in file_name:
        return ""
    return file_name.rsplit(".", 1)[1].strip().lower()


def judge(media: IncomingMedia) -> Verdict:
    """A photo, an image sent as a file, or a PDF, no bigger than Telegram lets a bot download."""
    if media.kind is MediaKind.OTHER:
        return Verdict.UNSUPPORTED
    if media.kind is MediaKind.DOCUMENT:
        mime = (media.mime_type or "").lower()
        extension = _extension_of(media.file_name)
        if extension in _REFUSED_EXTENSIONS or mime == "image/svg+xml":
            return Verdict.UNSUPPORTED
        unknown_mime = mime in ("", "application/octet-stream")
        looks_right = (mime == "application/pdf" or mime.startswith("image/")
                       or (unknown_mime and extension in _DOCUMENT_EXTENSIONS))
        if not looks_right:
            return Verdict.UNSUPPORTED
    if media.file_size is not None and media.file_size > MAX_DOWNLOAD_BYTES:
        return Verdict.TOO_BIG
    return Verdict.ACCEPT


def file_extension(media: IncomingMedia) -> str:
    """Extension for the stored copy (Telegram serves photos as JPEG)."""
    if media.kind is MediaKind.PHOTO:
        return "jpg"
    mime = (media.mime_type or "").lower()
    if mime in _MIME_EXTENSIONS:
        return _MIME_EXTENSIONS[mime]
    return _DOCUMENT_EXTENSIONS.get(_extension_of(media.file_name), "bin")


def source_key(file_unique_id: str, media_group_id: str | None) -> str:
    """What makes a receipt unique: the album, or else the file itself (a redelivered update hits it)."""
    return f"album:{media_group_id}" if media_group_id else f"file:{file_unique_id}"


# --- the parent's choice ---------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ChoiceSnapshot:
    """The payment the parent confirmed in the dialog, copied onto the receipt as it was then."""

    group_code: str | None
    group: str
    period: str
    children: str
    amount: int | None
    url: str | None

    @classmethod
    def from_dialog(cls, confirmed: Any) -> ChoiceSnapshot | None:
        """From the dialog's FSM data key "confirmed"; None when there is no (usable) choice."""
        if not isinstance(confirmed, dict) or not confirmed.get("group"):
            return None
        amount = confirmed.get("amount")
        return cls(
            group_code=confirmed.get("group_code"), group=str(confirmed["group"]),
            period=str(confirmed.get("period") or ""), children=str(confirmed.get("children") or ""),
            amount=amount if isinstance(amount, int) and not isinstance(amount, bool) else None,
            url=confirmed.get("url"),
        )


# --- the review ----------------------------------------------------------------------------------------

class ReceiptStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


DECISION_RESULT = {Decision.APPROVE: ReceiptStatus.APPROVED, Decision.REJECT: ReceiptStatus.REJECTED}


class NotAllowed(Exception):
    """Someone who is not an admin tried to decide."""


class AlreadyDecided(Exception):
    """The receipt has its final status; a second decision changes nothing."""

    def __init__(self, status: ReceiptStatus):
        super().__init__(f"receipt is already {status}")
        self.status = status


@dataclass(frozen=True, slots=True)
class CardRef:
    """The message an admin pressed a review button on: a card, on record or not (sent before a crash)."""

    chat_id: int
    message_id: int
    card_in: str  # caption | text: how the card is edited


def is_final(status: str) -> bool:
    return status != ReceiptStatus.PENDING


def decide(status: str, decision: Decision, *, by_admin: bool) -> ReceiptStatus:
    """The status after `decision`. Only an admin decides, and only once: pending -> approved | rejected.

    The database repeats the "only once" check atomically (UPDATE ... WHERE status='pending'), because
    two admins may press at the same moment; this function is the rule, that UPDATE is the lock.
    """
    if not by_admin:
        raise NotAllowed
    current = ReceiptStatus(status)
    if current is not ReceiptStatus.PENDING:
        raise AlreadyDecided(current)
    return DECISION_RESULT[decision]


MAX_REASON_CHARS = 1000  # what the parent gets; the review card shows a shorter excerpt
CARD_REASON_CHARS = 300


def clean_reason(text: str | None) -> str | None:
    """The admin's reason as the parent will read it: trimmed, bounded, None when empty."""
    if text is None:
        return None
    text = text.strip()
    return shorten(text, MAX_REASON_CHARS) if text else None


# --- formatting --------------------------------------------------------------------------------------------

def local_time(utc_naive: datetime) -> datetime:
    """The database keeps naive UTC; people and archive names use the agency's local time."""
    return utc_naive.replace(tzinfo=UTC).astimezone(agency_zone())


def format_when(utc_naive: datetime) -> str:
    return f"{local_time(utc_naive):%d.%m.%Y %H:%M}"


def format_amount(amount: int | None) -> str | None:
    if amount is None:
        return None
    return f"{amount:,} ₽".replace(",", " ")  # as the dialog shows it


def shorten(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


def display_name(first_name: str | None, last_name: str | None = None) -> str:
    name = " ".join(part.strip() for part in (first_name, last_name) if part and part.strip())
    return shorten(name, 64) if name else "Без имени"


_TAG = re.compile(r"<[^>]+>")


def visible_length(html_text: str) -> int:
    """Characters Telegram counts against a limit: tags removed, entities decoded (UTF-16 units)."""
    plain = html.unescape(_TAG.sub("", html_text))
    return len(plain.encode("utf-16-le")) // 2


def fits_caption(html_text: str) -> bool:
    return visible_length(html_text) <= CAPTION_LIMIT


def page_path(base: PurePosixPath, page: int, pages: int) -> PurePosixPath:
    """An album's pages share the receipt's archive name: add "-1", "-2", ... when there are several."""
    if pages <= 1:
        return base
    return base.with_name(f"{base.stem}-{page}{base.suffix}")


@dataclass(frozen=True, slots=True)
class Page:
    number: int  # 1-based
    pages: int
    offset: int
    limit: int


def paginate(total: int, page: int, per_page: int) -> Page:
    """Clamp `page` into range (a stale "next" button after receipts were decided still works)."""
    pages = max(1, -(-total // per_page))
    number = min(max(page, 1), pages)
    return Page(number, pages, (number - 1) * per_page, per_page)
