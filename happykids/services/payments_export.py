"""Payments for the director: search by parent, and export as XLSX / CSV.

Free of aiogram on purpose (the handler in handlers/admin/payments.py only sends what this builds),
so the data logic is unit-tested on its own; the queries are in db/repositories/payments.py.

Dates are stored in UTC; the director thinks in the agency's local time, so months and the dates in the
files are local (`agency_tz`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.models import Receipt
from happykids.db.repositories import payments
from happykids.db.repositories.parents import all_names
from happykids.domain.clock import agency_zone, to_local, to_utc, zone
from happykids.domain.receipts import ReceiptStatus
from happykids.domain.telegram_payments import PaymentMethod

__all__ = ["agency_tz", "to_local", "to_utc"]  # callers take the time helpers from here too


STATUS_TITLES: dict[str, str] = {ReceiptStatus.PENDING: "на проверке", ReceiptStatus.APPROVED: "подтверждён",
                 ReceiptStatus.REJECTED: "отклонён"}
STATUS_ICONS: dict[str, str] = {ReceiptStatus.PENDING: "⏳", ReceiptStatus.APPROVED: "✅", ReceiptStatus.REJECTED: "❌"}
# How it was paid (issue #13), after the columns the director already knows.
METHOD_COLUMNS = ("Способ оплаты", "Платёж Telegram", "Платёж у провайдера")
COLUMNS: tuple[str, ...] = ("Дата", "Родитель", "Username", "Группа", "Период", "Дети", "Сумма, ₽", "Статус",
                            "Кто решил", "Архив", *METHOD_COLUMNS)
METHOD_TITLES: dict[str, str] = {PaymentMethod.LINK: "ссылка + чек", PaymentMethod.TELEGRAM: "в Telegram"}
ARCHIVE_COLUMN = COLUMNS.index("Архив") + 1
MONTHS = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
          "ноябрь", "декабрь")
MONTHS_IN = ("январе", "феврале", "марте", "апреле", "мае", "июне", "июле", "августе", "сентябре", "октябре",
             "ноябре", "декабре")  # "в ноябре"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run such a cell as a formula


def agency_tz(settings: object | None = None) -> tzinfo:
    """The zone the director thinks in (TIMEZONE; validated when the settings are read)."""
    name = getattr(settings, "timezone", None)
    return zone(name) if name else agency_zone()


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, key: str) -> Month:
        year, _, month = key.partition("-")
        value = cls(int(year), int(month))
        if not 1 <= value.month <= 12 or not 2000 <= value.year <= 2100:
            raise ValueError(key)
        return value

    @classmethod
    def of(cls, moment: datetime) -> Month:
        return cls(moment.year, moment.month)

    @classmethod
    def current(cls, tz: tzinfo, now: datetime | None = None) -> Month:
        now = now or datetime.now(UTC).replace(tzinfo=None)
        return cls.of(to_local(now, tz))

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def title(self) -> str:
        return f"{MONTHS[self.month - 1]} {self.year}"

    @property
    def title_in(self) -> str:
        """For "в …": "ноябре"."""
        return MONTHS_IN[self.month - 1]

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def bounds_utc(self, tz: tzinfo) -> tuple[datetime, datetime]:
        """[start, end) of the local month, as naive UTC for queries."""
        start = datetime(self.year, self.month, 1)
        following = self.next()
        end = datetime(following.year, following.month, 1)
        return to_utc(start, tz), to_utc(end, tz)


@dataclass(frozen=True)
class PaymentRow:
    id: int
    user_id: int
    created_at: datetime  # local, naive
    parent: str
    username: str  # "@name" or ""
    group: str
    period: str
    children: str
    amount: int | None
    status: str  # pending | approved | rejected (raw)
    decided_by: str
    archive: str
    method: str = PaymentMethod.LINK.value  # PaymentMethod
    telegram_charge: str = ""
    provider_charge: str = ""

    @property
    def status_title(self) -> str:
        return STATUS_TITLES.get(self.status, self.status)

    @property
    def method_title(self) -> str:
        return METHOD_TITLES.get(self.method, self.method)

    def cells(self) -> list[datetime | str | int | None]:
        return [self.created_at, self.parent, self.username, self.group, self.period, self.children,
                self.amount, self.status_title, self.decided_by, self.archive,
                self.method_title, self.telegram_charge, self.provider_charge]


def _row(receipt: Receipt, tz: tzinfo, fallback_name: str = "") -> PaymentRow:
    return PaymentRow(
        id=receipt.id, user_id=receipt.user_id, created_at=to_local(receipt.created_at, tz),
        parent=receipt.parent_name or fallback_name, username=f"@{receipt.username}" if receipt.username else "",
        group=receipt.group_title or receipt.group_code or "", period=receipt.period_title or "",
        children=receipt.children_title or "", amount=receipt.amount, status=receipt.status,
        decided_by=receipt.decided_by_name or ("" if receipt.decided_by is None else str(receipt.decided_by)),
        archive=receipt.archive_location or "", method=receipt.method or PaymentMethod.LINK.value,
        telegram_charge=receipt.telegram_charge_id or "", provider_charge=receipt.provider_charge_id or "",
    )


async def load_payments(session: AsyncSession, tz: tzinfo, month: Month | None = None) -> list[PaymentRow]:
    """Every receipt (or one local month's), oldest first."""
    start, end = month.bounds_utc(tz) if month is not None else (None, None)
    return [_row(r, tz) for r in await payments.receipts_between(session, start, end)]


async def months_with_payments(session: AsyncSession, tz: tzinfo, limit: int = 12) -> list[Month]:
    """Local months that have receipts, newest first (at most `limit`)."""
    moments = await payments.receipt_times(session)
    months = sorted({Month.of(to_local(moment, tz)) for moment in moments}, reverse=True)
    return months[:limit]


@dataclass(frozen=True)
class Overview:
    """The top of «Платежи»: receipts by status, and what was approved this local month."""

    statuses: dict[str, int]
    month: Month
    month_count: int
    month_sum: int

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    def count(self, status: str) -> int:
        return self.statuses.get(status, 0)


async def overview(session: AsyncSession, tz: tzinfo) -> Overview:
    month = Month.current(tz)
    count, total = await payments.approved_between(session, *month.bounds_utc(tz))
    return Overview(await payments.status_counts(session), month, count, total)


# --- files ------------------------------------------------------------------------------------------

def export_filename(month: Month | None, ext: str, today: date | None = None) -> str:
    part = month.key if month else f"all-{(today or date.today()).isoformat()}"
    return f"happykids-payments-{part}.{ext}"


def _safe_text(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def to_csv(rows: list[PaymentRow]) -> bytes:
    """UTF-8 with BOM and ';' between columns: what Excel with Russian settings opens correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        cells: list[object] = []
        for value in row.cells():
            if isinstance(value, datetime):
                cells.append(value.strftime("%d.%m.%Y %H:%M"))
            elif value is None:
                cells.append("")
            elif isinstance(value, str):
                cells.append(_safe_text(value))
            else:
                cells.append(value)
        writer.writerow(cells)
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(rows: list[PaymentRow], title: str = "Платежи") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    workbook = Workbook()
    sheet = workbook.active
    if not isinstance(sheet, Worksheet):  # a new workbook starts with one worksheet
        raise TypeError("openpyxl gave a new workbook without a worksheet")
    sheet.title = title[:31]
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row_index, row in enumerate(rows, start=2):
        for col_index, value in enumerate(row.cells(), start=1):
            cell = sheet.cell(row=row_index, column=col_index)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever a parent put into their name
                if col_index == ARCHIVE_COLUMN and value.startswith(("http://", "https://")):
                    cell.hyperlink = value
            elif isinstance(value, datetime):
                cell.number_format = "DD.MM.YYYY HH:MM"
            elif isinstance(value, int):
                cell.number_format = "#,##0"
    widths = (17, 24, 18, 22, 14, 12, 11, 14, 18, 40, 14, 30, 30)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    if rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(rows) + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def summary(rows: list[PaymentRow]) -> dict[str, int]:
    """Counts and the approved total, for the caption of the exported file."""
    result = {"total": len(rows), "approved_sum": 0}
    for status in STATUS_TITLES:
        result[status] = 0
    for row in rows:
        result[row.status] = result.get(row.status, 0) + 1
        if row.status == ReceiptStatus.APPROVED and row.amount:
            result["approved_sum"] += row.amount
    return result


# --- search -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ParentMatch:
    user_id: int
    name: str
    username: str  # "@name" or ""
    receipts: list[PaymentRow]  # newest first
    total_receipts: int


def _norm(text: str | None) -> str:
    return (text or "").casefold().replace("ё", "е").strip()


def _person(first: str | None, last: str | None) -> str:
    return " ".join(part for part in (first, last) if part)


async def search_parents(session: AsyncSession, query: str, tz: tzinfo, *, limit: int = 5,
                         receipts_per_parent: int = 5) -> tuple[list[ParentMatch], int]:
    """Parents matching `query` (an id, @username or part of a name) with their latest receipts.

    Returns the first `limit` matches (those with the newest receipts first) and how many matched in all.
    Matching happens in Python: SQLite cannot compare Cyrillic case-insensitively.
    """
    raw = query.strip()
    if not raw:
        return [], 0
    names: dict[int, set[str]] = {}
    usernames: dict[int, set[str]] = {}
    display: dict[int, tuple[str, str]] = {}
    for user_id, first, last, username in await all_names(session):
        names.setdefault(user_id, set()).add(_norm(_person(first, last)))
        if username:
            usernames.setdefault(user_id, set()).add(_norm(username))
        display[user_id] = (_person(first, last), f"@{username}" if username else "")
    for user_id, name, username in await payments.sender_names(session):
        names.setdefault(user_id, set()).add(_norm(name))
        if username:
            usernames.setdefault(user_id, set()).add(_norm(username))
        if user_id not in display or not display[user_id][0]:
            display[user_id] = (name or "", f"@{username}" if username else "")

    needle = _norm(raw)
    matched: set[int] = set()
    digits = needle.removeprefix("id").strip()
    if digits.lstrip("-").isdigit():
        wanted = int(digits)
        matched = {uid for uid in names if uid == wanted}
    elif needle.startswith("@"):
        handle = needle[1:]
        matched = {uid for uid, handles in usernames.items() if any(h.startswith(handle) for h in handles)} \
            if handle else set()
    else:
        words = needle.split()
        for uid, variants in names.items():
            haystacks = variants | usernames.get(uid, set())
            if any(all(word in hay for word in words) for hay in haystacks):
                matched.add(uid)
    if not matched:
        return [], 0

    counts = await payments.counts_by_sender(session, matched)
    latest = await payments.latest_by_sender(session, matched)
    oldest = datetime.min
    order = sorted(matched, key=lambda uid: (latest.get(uid) or oldest, uid), reverse=True)
    result = []
    for uid in order[:limit]:
        receipts = await payments.newest_of(session, uid, receipts_per_parent)
        name, username = display.get(uid, ("", ""))
        result.append(ParentMatch(uid, name, username, [_row(r, tz, name) for r in receipts], counts.get(uid, 0)))
    return result, len(matched)

