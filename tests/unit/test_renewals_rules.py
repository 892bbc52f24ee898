"""The pure rules of renewals and the scheduler: period lengths, paid-until, quiet hours, the process clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from happykids.domain import clock
from happykids.domain.renewals import (
    ONE_MONTH,
    PeriodLength,
    Standing,
    add_months,
    day_text,
    effective_length,
    guess_length,
    is_quiet,
    new_paid_until,
    next_allowed,
    parse_day,
    soon_day,
    standing,
)


def test_month_arithmetic_keeps_the_day_or_takes_the_months_last():
    assert add_months(date(2026, 3, 15), 1) == date(2026, 4, 15)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 12, 1), 12) == date(2027, 12, 1)
    assert PeriodLength(days=14).after(date(2026, 12, 25)) == date(2027, 1, 8)


def test_a_length_is_months_or_days_never_both():
    with pytest.raises(ValueError):
        PeriodLength(months=1, days=30)
    with pytest.raises(ValueError):
        PeriodLength()
    assert PeriodLength(months=3).describe() == "3 месяца" and PeriodLength(days=21).describe() == "21 день"


def test_length_read_from_the_title_when_the_file_has_none():
    assert guess_length("1 месяц") == ONE_MONTH
    assert guess_length("3 месяца") == PeriodLength(months=3)
    assert guess_length("Полгода — 6 мес.") == PeriodLength(months=6)
    assert guess_length("Год") == PeriodLength(months=12)
    assert guess_length("Месяц") == ONE_MONTH
    assert guess_length("Разовое занятие") is None
    assert effective_length("Разовое занятие", None, None) == ONE_MONTH
    assert effective_length("3 месяца", None, 10) == PeriodLength(days=10)  # what is set wins over the title


def test_paid_until_from_today_or_continuing_an_early_renewal():
    today = date(2026, 12, 29)
    assert new_paid_until(today, None, ONE_MONTH) == date(2027, 1, 29)
    assert new_paid_until(today, date(2027, 1, 1), ONE_MONTH) == date(2027, 2, 1)  # early: continues
    assert new_paid_until(today, date(2026, 12, 1), ONE_MONTH) == date(2027, 1, 29)  # lapsed: from today
    assert soon_day(date(2027, 1, 1), 3) == date(2026, 12, 29)


def test_quiet_hours_wait_for_the_morning():
    assert not is_quiet(datetime(2026, 12, 1, 9, 0)) and not is_quiet(datetime(2026, 12, 1, 20, 59))
    assert is_quiet(datetime(2026, 12, 1, 21, 0)) and is_quiet(datetime(2026, 12, 1, 3, 0))
    assert next_allowed(datetime(2026, 12, 1, 22, 30)) == datetime(2026, 12, 2, 9, 0)
    assert next_allowed(datetime(2026, 12, 2, 1, 0)) == datetime(2026, 12, 2, 9, 0)
    assert next_allowed(datetime(2026, 12, 2, 12, 0)) == datetime(2026, 12, 2, 12, 0)


def test_standing_for_the_panel():
    today = date(2026, 12, 25)
    assert standing(date(2026, 12, 24), today, False) is Standing.OVERDUE
    assert standing(date(2027, 1, 1), today, False) is Standing.ENDING
    assert standing(date(2027, 1, 2), today, False) is Standing.PAID
    assert standing(date(2026, 12, 1), today, True) is Standing.STOPPED


def test_dates_typed_and_shown():
    assert parse_day("31.12.2026") == parse_day("31.12.26") == parse_day(" 2026-12-31 ") == date(2026, 12, 31)
    assert parse_day("31.13.2026") is None and parse_day("завтра") is None
    assert day_text(date(2027, 1, 1)) == "1 января"


def test_the_process_clock_moves_only_when_told():
    try:
        clock.travel_to(datetime(2030, 6, 1, 12, 0))
        assert abs(clock.utc_now() - datetime(2030, 6, 1, 12, 0)) < timedelta(seconds=5)
        clock.travel(timedelta(days=2))
        assert clock.utc_now().date() == date(2030, 6, 3)
        assert clock.local_now(clock.zone("Asia/Yekaterinburg")).hour in (16, 17)  # UTC+5
    finally:
        clock.reset()
    assert clock.offset() == timedelta(0)
    assert abs(clock.utc_now() - datetime.now(clock.UTC).replace(tzinfo=None)) < timedelta(seconds=5)


def test_length_typed_by_the_director():
    from happykids.domain.renewals import parse_length

    assert parse_length("3 мес") == parse_length("3 месяца") == parse_length("3") == PeriodLength(months=3)
    assert parse_length("14 дней") == parse_length("14д") == PeriodLength(days=14)
    assert parse_length("0") is None and parse_length("37 мес") is None and parse_length("полтора") is None
