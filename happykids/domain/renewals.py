"""Renewals and reminders as pure rules: how long a paid period lasts, when a family is reminded, quiet hours.

Dates here are the agency's calendar days (a family paid "until 31 December" in Yekaterinburg); moments are
naive datetimes, local or UTC as each function says. No aiogram, no SQLAlchemy.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from happykids.domain.wording import count_of

QUIET_START = time(21, 0)  # no reminder from 21:00 ...
QUIET_END = time(9, 0)  # ... until 09:00, agency time: it waits for the morning
REMIND_AT = time(10, 0)  # renewal reminders go out on their day at 10:00 local
DEFAULT_DAYS_BEFORE = 3
DEFAULT_FOLLOWUP_HOURS = 24
ENDING_WINDOW_DAYS = 7  # the panel's «Заканчивается оплата» looks this far ahead
MAX_LENGTH_MONTHS = 36
MAX_LENGTH_DAYS = 1000


class ReminderKind(StrEnum):
    """Kinds of scheduled message; each names an executor in workers/reminders.py. Stored as text."""

    RENEWAL_SOON = "renewal.soon"  # «оплата заканчивается через 3 дня»
    RENEWAL_OVER = "renewal.over"  # «оплаченный период закончился»
    RENEWAL_MANUAL = "renewal.manual"  # the director pressed «Напомнить» in the panel
    FOLLOWUP = "payment.followup"  # a link was given, no receipt came
    PROJECT_DAY_BEFORE = "project.day_before"  # a project tomorrow: time and place (services/project_reminders.py)


class ReminderStatus(StrEnum):
    SCHEDULED = "scheduled"  # waits for its time
    SENDING = "sending"  # claimed: the intent is on record, the Bot API call is (or was) under way
    SENT = "sent"
    SKIPPED = "skipped"  # no longer relevant when its time came (paid again, stopped, blocked...)
    CANCELLED = "cancelled"  # withdrawn by the change that made it pointless
    FAILED = "failed"  # Telegram refused it (blocked the bot) or it kept failing
    UNCERTAIN = "uncertain"  # was being sent when the process died: may have gone out, never sent again


FINAL = frozenset({ReminderStatus.SENT, ReminderStatus.SKIPPED, ReminderStatus.CANCELLED, ReminderStatus.FAILED,
                   ReminderStatus.UNCERTAIN})


@dataclass(frozen=True, slots=True)
class PeriodLength:
    """How long one payment lasts: `months` calendar months, or `days` days."""

    months: int | None = None
    days: int | None = None

    def __post_init__(self) -> None:
        if (self.months is None) == (self.days is None):
            raise ValueError("a period lasts either months or days")

    def after(self, start: date) -> date:
        """The day the period that starts on `start` ends (a month from 15 March ends on 15 April)."""
        if self.months is not None:
            return add_months(start, self.months)
        return start + timedelta(days=self.days or 0)

    def describe(self) -> str:
        if self.months is not None:
            return count_of(self.months, "месяц", "месяца", "месяцев")
        return count_of(self.days or 0, "день", "дня", "дней")


ONE_MONTH = PeriodLength(months=1)


def add_months(day: date, months: int) -> date:
    """`day` plus `months` calendar months; the 31st becomes the month's last day when it has no 31st."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


_MONTHS_IN_TITLE = re.compile(r"(\d+)\s*(?:мес|month)", re.IGNORECASE)
_WORD_MONTH = re.compile(r"(?:^|\s)(месяц|month)\b", re.IGNORECASE)
_YEAR_IN_TITLE = re.compile(r"(?:^|\D)(?:1\s*)?(год|year)\b", re.IGNORECASE)


def guess_length(title: str) -> PeriodLength | None:
    """A period without a length in the catalog file: read it from a title like «3 месяца» or «Год»; None when the
    title says nothing (the import then uses one month and says so)."""
    if match := _MONTHS_IN_TITLE.search(title):
        months = int(match.group(1))
        return PeriodLength(months=months) if 1 <= months <= MAX_LENGTH_MONTHS else None
    if _YEAR_IN_TITLE.search(title):
        return PeriodLength(months=12)
    if _WORD_MONTH.search(title):
        return PeriodLength(months=1)
    return None


def effective_length(title: str, months: int | None, days: int | None) -> PeriodLength:
    """The length a period really has: as set, else read from its title, else one month (a period added in the
    panel before it had a length, or imported from a file without one)."""
    if months:
        return PeriodLength(months=months)
    if days:
        return PeriodLength(days=days)
    return guess_length(title) or ONE_MONTH


def new_paid_until(today: date, current: date | None, length: PeriodLength) -> date:
    """An approved payment: from today, or continuing from the current end when the family renews early."""
    start = current if current is not None and current >= today else today
    return length.after(start)


def soon_day(paid_until: date, days_before: int) -> date:
    return paid_until - timedelta(days=days_before)


def over_day(paid_until: date) -> date:
    """The first unpaid day: "after the end date"."""
    return paid_until + timedelta(days=1)


def at_remind_time(day: date) -> datetime:
    """The local moment a reminder of that day goes out."""
    return datetime.combine(day, REMIND_AT)


def is_quiet(local: datetime) -> bool:
    moment = local.time()
    return moment >= QUIET_START or moment < QUIET_END


def next_allowed(local: datetime) -> datetime:
    """`local` if a reminder may be sent then, else the end of that quiet night (09:00)."""
    if not is_quiet(local):
        return local
    morning = datetime.combine(local.date(), QUIET_END)
    return morning if local.time() < QUIET_END else morning + timedelta(days=1)


class Standing(StrEnum):
    """Where a family stands in a group, for the panel."""

    PAID = "paid"
    ENDING = "ending"  # ends within ENDING_WINDOW_DAYS
    OVERDUE = "overdue"  # the end passed, no new payment
    STOPPED = "stopped"  # «Мы больше не занимаемся»


def standing(paid_until: date, today: date, stopped: bool) -> Standing:
    if stopped:
        return Standing.STOPPED
    if paid_until < today:
        return Standing.OVERDUE
    if paid_until <= today + timedelta(days=ENDING_WINDOW_DAYS):
        return Standing.ENDING
    return Standing.PAID


_MONTHS_OF = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
              "ноября", "декабря")


def day_text(day: date) -> str:
    """«31 декабря»: the day and the month, as people say it."""
    return f"{day.day} {_MONTHS_OF[day.month - 1]}"


_LENGTH_TYPED = re.compile(r"^\s*(\d{1,4})\s*(мес\w*|м|д\w*|дн\w*)?\.?\s*$", re.IGNORECASE)


def parse_length(text: str) -> PeriodLength | None:
    """A length the director types: «3 мес», «3 месяца», «14 дней», «14 д»; a bare number is months."""
    match = _LENGTH_TYPED.match(text)
    if not match:
        return None
    number, unit = int(match.group(1)), (match.group(2) or "мес").lower()
    if unit.startswith("д"):
        return PeriodLength(days=number) if 1 <= number <= MAX_LENGTH_DAYS else None
    return PeriodLength(months=number) if 1 <= number <= MAX_LENGTH_MONTHS else None


def parse_day(text: str) -> date | None:
    """A date the director types on a receipt card: 31.12.2026, 31.12.26 or 2026-12-31."""
    text = text.strip()
    for fmt in ("%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None
