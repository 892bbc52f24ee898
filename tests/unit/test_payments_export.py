"""Payments export and search, on a real (migrated) SQLite database."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from openpyxl import load_workbook

from happykids.db.engine import create_engine, create_session_factory
from happykids.db.models import Parent, Receipt
from happykids.services.payments_export import (
    COLUMNS,
    Month,
    agency_tz,
    export_filename,
    load_payments,
    months_with_payments,
    search_parents,
    summary,
    to_csv,
    to_xlsx,
)
from tests.schema import migrated_sqlite_url

TZ = agency_tz()  # Asia/Yekaterinburg, UTC+5


@pytest.fixture
async def sessions(tmp_path):
    url = await migrated_sqlite_url(tmp_path)  # the schema without running the migrations again (tests/schema.py)
    engine = create_engine(url)
    factory = create_session_factory(engine)
    async with factory() as session, session.begin():
        session.add_all([
            Parent(user_id=501, first_name="Анна", last_name="Смирнова", username="anna_s"),
            Parent(user_id=502, first_name="Ольга", last_name=None, username=None),
            Parent(user_id=503, first_name="=HYPERLINK(\"x\")", username="evil"),
            Parent(user_id=504, first_name="Алёна", username="alena"),
        ])
        session.add_all([
            receipt(1, 501, "Анна Смирнова", "anna_s", datetime(2026, 10, 31, 19, 30), "approved", 6000),  # Nov 1 local
            receipt(2, 501, "Анна Смирнова", "anna_s", datetime(2026, 11, 15, 9, 0), "pending", 6000),
            receipt(3, 502, "Ольга", None, datetime(2026, 10, 10, 9, 0), "rejected", None),
            receipt(4, 503, "=HYPERLINK(\"x\")", "evil", datetime(2026, 11, 2, 9, 0), "approved", 12000,
                    archive="https://mega.nz/file/abc"),
        ])
    yield factory
    await engine.dispose()


def receipt(rid, user_id, name, username, created, status, amount, archive=None):
    return Receipt(
        id=rid, source_key=f"k{rid}", user_id=user_id, parent_name=name, username=username, group_code="kids",
        group_title="Малыши (4–6 лет)", period_title="1 месяц", children_title="1 ребёнок", amount=amount,
        status=status, decided_by_name=None if status == "pending" else "Директор", created_at=created,
        archive_location=archive,
    )


def test_month_bounds_are_local():
    start, end = Month(2026, 11).bounds_utc(TZ)
    assert start == datetime(2026, 10, 31, 19, 0) and end == datetime(2026, 11, 30, 19, 0)
    assert Month(2026, 12).next() == Month(2027, 1)
    assert Month.parse("2026-03") == Month(2026, 3) and Month(2026, 3).title == "март 2026"
    assert Month(2026, 11).title_in == "ноябре"
    with pytest.raises(ValueError):
        Month.parse("2026-13")
    assert export_filename(Month(2026, 11), "xlsx") == "happykids-payments-2026-11.xlsx"


async def test_load_all_and_one_month(sessions):
    async with sessions() as session:
        everything = await load_payments(session, TZ)
        november = await load_payments(session, TZ, Month(2026, 11))
        months = await months_with_payments(session, TZ)
    assert [r.id for r in everything] == [3, 1, 4, 2], "oldest first"
    assert [r.id for r in november] == [1, 4, 2], "receipt 1 is Nov 1 in local time"
    assert everything[1].created_at == datetime(2026, 11, 1, 0, 30)
    assert months == [Month(2026, 11), Month(2026, 10)]
    assert summary(november) == {"total": 3, "pending": 1, "approved": 2, "rejected": 0, "approved_sum": 18000}


async def test_xlsx_has_the_columns_and_rows(sessions):
    async with sessions() as session:
        rows = await load_payments(session, TZ, Month(2026, 11))
    sheet = load_workbook(io.BytesIO(to_xlsx(rows))).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == COLUMNS
    assert values[1] == (datetime(2026, 11, 1, 0, 30), "Анна Смирнова", "@anna_s", "Малыши (4–6 лет)", "1 месяц",
                         "1 ребёнок", 6000, "подтверждён", "Директор", None, "ссылка + чек", None, None)
    assert values[2][1] == '=HYPERLINK("x")' and sheet.cell(row=3, column=2).data_type == "s", "never a formula"
    assert values[2][9] == "https://mega.nz/file/abc" and sheet.cell(row=3, column=10).hyperlink is not None
    assert values[3][7] == "на проверке" and values[3][8] is None
    assert len(values) == 4


async def test_csv_opens_in_excel_and_is_safe(sessions):
    async with sessions() as session:
        rows = await load_payments(session, TZ)
    data = to_csv(rows)
    assert data.startswith(b"\xef\xbb\xbf"), "BOM, so Excel reads UTF-8"
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert table[0] == list(COLUMNS)
    assert table[1] == ["10.10.2026 14:00", "Ольга", "", "Малыши (4–6 лет)", "1 месяц", "1 ребёнок", "",
                        "отклонён", "Директор", "", "ссылка + чек", "", ""]
    assert table[3][1] == "'=HYPERLINK(\"x\")", "formula injection neutralised"
    assert len(table) == 5


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("анна", [501]), ("СМИРНОВА", [501]), ("анна смирнова", [501]), ("@anna", [501]), ("@ANNA_S", [501]),
        ("501", [501]), ("id 502", [502]), ("ольга", [502]), ("алена", [504]), ("evil", [503]), ("@nobody", []),
        ("999", []), ("", []),
    ],
)
async def test_search(sessions, query, expected):
    async with sessions() as session:
        matches, total = await search_parents(session, query, TZ)
    assert [m.user_id for m in matches] == expected and total == len(expected)


async def test_search_shows_receipts_newest_first_and_limits(sessions):
    async with sessions() as session:
        (anna,), _ = await search_parents(session, "anna", TZ)
        limited, total = await search_parents(session, "а", TZ, limit=2)
    assert anna.name == "Анна Смирнова" and anna.username == "@anna_s" and anna.total_receipts == 2
    assert [r.id for r in anna.receipts] == [2, 1] and anna.receipts[0].status_title == "на проверке"
    assert total == 3 and len(limited) == 2  # Анна, Ольга, Алёна
    assert limited[0].user_id == 501, "the parent with the newest receipt first"
