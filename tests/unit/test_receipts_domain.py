"""Receipt rules without Telegram or a database: what is accepted, who decides and when, how it reads."""

from __future__ import annotations

from datetime import datetime
from pathlib import PurePosixPath

import pytest

from happykids.domain.receipts import (
    MAX_DOWNLOAD_BYTES,
    AlreadyDecided,
    ChoiceSnapshot,
    Decision,
    IncomingMedia,
    MediaKind,
    NotAllowed,
    ReceiptStatus,
    Verdict,
    clean_reason,
    decide,
    display_name,
    file_extension,
    fits_caption,
    format_amount,
    format_when,
    is_final,
    judge,
    page_path,
    paginate,
    shorten,
    source_key,
    visible_length,
)
from happykids.workers.outbox import retry_delay

PHOTO = IncomingMedia(MediaKind.PHOTO, "image/jpeg", None, 80_000)


def doc(mime: str | None, name: str | None, size: int | None = 1000) -> IncomingMedia:
    return IncomingMedia(MediaKind.DOCUMENT, mime, name, size)


@pytest.mark.parametrize("media", [
    PHOTO,
    doc("application/pdf", "чек.pdf"),
    doc("image/png", "screenshot.png"),
    doc("image/heic", "IMG_0001.HEIC"),
    doc(None, "receipt.PDF"),  # no mime from an old client: the name decides
    doc("application/octet-stream", "check.jpeg"),
    doc("application/pdf", "big.pdf", MAX_DOWNLOAD_BYTES),  # exactly 20 MB still downloads
])
def test_accepted(media):
    assert judge(media) is Verdict.ACCEPT


@pytest.mark.parametrize("media", [
    IncomingMedia(MediaKind.OTHER),
    doc("application/x-msdownload", "setup.exe"),
    doc("image/jpeg", "photo.jpg.exe"),  # a picture's mime does not excuse an executable name
    doc("image/svg+xml", "logo.svg"),
    doc("application/zip", "docs.zip"),
    doc("text/plain", "receipt.txt"),
    doc("application/octet-stream", "noextension"),
    doc("video/mp4", "clip.mp4"),
])
def test_unsupported(media):
    assert judge(media) is Verdict.UNSUPPORTED


def test_too_big_is_checked_before_downloading():
    assert judge(doc("application/pdf", "scan.pdf", 30 * 1024 * 1024)) is Verdict.TOO_BIG
    assert judge(IncomingMedia(MediaKind.PHOTO, "image/jpeg", None, MAX_DOWNLOAD_BYTES + 1)) is Verdict.TOO_BIG
    assert judge(doc("application/x-msdownload", "big.exe", 30 * 1024 * 1024)) is Verdict.UNSUPPORTED


def test_file_extension():
    assert file_extension(PHOTO) == "jpg"
    assert file_extension(doc("application/pdf", "x")) == "pdf"
    assert file_extension(doc("image/jpeg", "x.jpeg")) == "jpg"
    assert file_extension(doc(None, "scan.PNG")) == "png"
    assert file_extension(doc("image/x-unknown", "scan")) == "bin"


def test_source_key_is_the_album_or_the_file():
    assert source_key("AQAD1", None) == "file:AQAD1"
    assert source_key("AQAD1", "1300") == source_key("AQAD2", "1300") == "album:1300"


def test_choice_snapshot_from_dialog_data():
    confirmed = {"group_code": "kids", "group": "Малыши", "period": "1 месяц", "children": "1 ребёнок",
                 "amount": 6000, "url": "https://pay.example.com/x"}
    choice = ChoiceSnapshot.from_dialog(confirmed)
    assert (choice.group_code, choice.group, choice.amount) == ("kids", "Малыши", 6000)
    assert ChoiceSnapshot.from_dialog({**confirmed, "amount": None}).amount is None
    assert ChoiceSnapshot.from_dialog({**confirmed, "amount": True}).amount is None
    assert ChoiceSnapshot.from_dialog(None) is None
    assert ChoiceSnapshot.from_dialog({}) is None
    assert ChoiceSnapshot.from_dialog("garbage") is None


@pytest.mark.parametrize("decision, result", [(Decision.APPROVE, ReceiptStatus.APPROVED),
                                              (Decision.REJECT, ReceiptStatus.REJECTED)])
def test_pending_receipt_is_decided_once_by_an_admin(decision, result):
    assert decide("pending", decision, by_admin=True) is result
    assert is_final(result) and not is_final(ReceiptStatus.PENDING)


@pytest.mark.parametrize("status", ["approved", "rejected"])
@pytest.mark.parametrize("decision", list(Decision))
def test_a_decided_receipt_stays_decided(status, decision):
    with pytest.raises(AlreadyDecided) as info:
        decide(status, decision, by_admin=True)
    assert info.value.status == status


def test_only_admins_decide():
    with pytest.raises(NotAllowed):
        decide("pending", Decision.APPROVE, by_admin=False)
    with pytest.raises(NotAllowed):  # checked first: a non-admin learns nothing about the receipt
        decide("approved", Decision.REJECT, by_admin=False)


def test_reason_is_trimmed_bounded_or_none():
    assert clean_reason("  не та сумма \n") == "не та сумма"
    assert clean_reason("   ") is None and clean_reason(None) is None
    long = clean_reason("х" * 5000)
    assert len(long) == 1000 and long.endswith("…")


def test_formatting_helpers():
    assert format_amount(6000) == "6 000 ₽" and format_amount(None) is None
    assert format_when(datetime(2026, 11, 25, 21, 30)) == "26.11.2026 02:30"  # Yekaterinburg: UTC+5
    assert display_name(" Анна ", "Петрова") == "Анна Петрова" and display_name("", None) == "Без имени"
    assert shorten("абвгд", 3) == "аб…" and shorten("аб", 3) == "аб"


def test_visible_length_counts_what_telegram_counts():
    assert visible_length("<b>Чек</b> &amp; <a href=\"tg://user?id=1\">написать</a>") == len("Чек & написать")
    assert visible_length("👍") == 2  # UTF-16 code units
    assert fits_caption("x" * 1024) and not fits_caption("x" * 1025)
    assert fits_caption("<b>" + "x" * 1024 + "</b>")


def test_album_pages_get_numbered_names():
    base = PurePosixPath("2026-11/2026-11-26_Малыши_Анна_7.jpg")
    assert page_path(base, 1, 1) == base
    assert page_path(base, 2, 3) == PurePosixPath("2026-11/2026-11-26_Малыши_Анна_7-2.jpg")


def test_paginate_clamps_to_existing_pages():
    assert paginate(12, 1, 5) == paginate(12, 0, 5)
    page = paginate(12, 3, 5)
    assert (page.number, page.pages, page.offset, page.limit) == (3, 3, 10, 5)
    assert paginate(12, 9, 5).number == 3  # a stale "more" button after receipts were decided
    assert paginate(0, 1, 5).pages == 1


def test_outbox_backoff_doubles_up_to_a_cap():
    assert [retry_delay(n, base=2, cap=300) for n in (1, 2, 3, 4)] == [2, 4, 8, 16]
    assert retry_delay(20, base=2, cap=300) == 300
