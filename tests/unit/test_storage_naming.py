from __future__ import annotations

from datetime import datetime
from pathlib import PurePosixPath

import pytest
from mega.errors import InvalidNameError

from happykids.storage.naming import (
    FILENAME_MAX_BYTES,
    NO_GROUP,
    NO_NAME,
    archive_path,
    safe_component,
    safe_extension,
    safe_folder,
)

WHEN = datetime(2026, 11, 5, 23, 59)


def test_layout():
    path = archive_path("HappyKids/Чеки", WHEN, "Младшая группа", "Иванова Анна", 42, "jpg")
    assert path == PurePosixPath("HappyKids/Чеки/2026-11/2026-11-05_Младшая группа_Иванова Анна_42.jpg")


def test_empty_folder_gives_a_relative_month_path():
    assert archive_path("", WHEN, "Г", "Р", 1, "png") == PurePosixPath("2026-11/2026-11-05_Г_Р_1.png")


def test_zero_padded_dates():
    assert archive_path("", datetime(2027, 1, 2), "g", "p", 7, "pdf").as_posix() == "2027-01/2027-01-02_g_p_7.pdf"


def test_no_group():
    assert archive_path("", WHEN, None, "Петров", 3, "jpg").name == f"2026-11-05_{NO_GROUP}_Петров_3.jpg"
    assert archive_path("", WHEN, "  \t ", "Петров", 3, "jpg").name == f"2026-11-05_{NO_GROUP}_Петров_3.jpg"


def test_empty_parent():
    assert archive_path("", WHEN, "g", "///", 3, "jpg").name == f"2026-11-05_g_{NO_NAME}_3.jpg"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('a/b\\c:d*e?f"g<h>i|j', "a-b-c-d-e-f-g-h-i-j"),
        ("  Иванова \n\t  Анна  ", "Иванова Анна"),
        ("Мария\x00\x07\x1b[31m", "Мария[31m"),
        ("zero\u200bwidth\u202eRLO", "zerowidthRLO"),
        ("..hidden", "hidden"),
        ("..", NO_NAME),
        ("ends with dot.", "ends with dot"),
        ("a//b", "a-b"),
        ("Ёжик ёлка", "Ёжик ёлка"),
        ("e\u0301", "é"),  # NFC
    ],
)
def test_safe_component(raw, expected):
    assert safe_component(raw) == expected


def test_every_name_is_accepted_by_mega():
    nasty = 'a/b\\c:d*e?f"g<h>i|j\x00\n..'
    path = archive_path(nasty, WHEN, nasty, nasty, 9, "JPG")
    for part in path.parts:
        InvalidNameError.check(part)  # raises if MEGA would refuse it
        assert part not in (".", "..") and part == part.strip()


@pytest.mark.parametrize(
    ("ext", "expected"),
    [
        ("JPG", "jpg"),
        (".jpeg", "jpeg"),
        ("png", "png"),
        ("WebP", "webp"),
        ("pdf", "pdf"),
        ("exe", "bin"),
        ("jpg/../x", "bin"),
        ("", "bin"),
        (None, "bin"),
        ("heic", "bin"),
    ],
)
def test_extension_whitelist(ext, expected):
    assert safe_extension(ext) == expected
    assert archive_path("", WHEN, "g", "p", 1, ext).suffix == f".{expected}"


def test_length_is_limited_in_bytes_and_keeps_the_id():
    long_cyr = "Щ" * 500
    path = archive_path("", WHEN, long_cyr, long_cyr, 123456789, "jpeg")
    assert len(path.name.encode("utf-8")) <= FILENAME_MAX_BYTES
    assert path.name.endswith("_123456789.jpeg")
    assert path.name.startswith("2026-11-05_Щ")
    path.name.encode("utf-8").decode("utf-8")  # not cut in the middle of a character


def test_huge_id_still_fits():
    path = archive_path("", WHEN, "g" * 300, "p" * 300, 10**60, "pdf")
    assert len(path.name.encode()) <= FILENAME_MAX_BYTES
    assert path.name.endswith(f"_{10**60}.pdf")


@pytest.mark.parametrize("bad", [-1, True, "5", 1.0])
def test_receipt_id_must_be_a_non_negative_int(bad):
    with pytest.raises(ValueError):
        archive_path("", WHEN, "g", "p", bad, "jpg")


@pytest.mark.parametrize(
    ("folder", "expected"),
    [
        ("HappyKids/Чеки", "HappyKids/Чеки"),
        ("/HappyKids//Чеки/", "HappyKids/Чеки"),
        ("../../etc", "etc"),
        ("a\\b", "a/b"),
        ("", "."),
        ("Чеки: 2026", "Чеки- 2026"),
    ],
)
def test_safe_folder(folder, expected):
    assert safe_folder(folder) == PurePosixPath(expected)
    assert not safe_folder(folder).is_absolute()
