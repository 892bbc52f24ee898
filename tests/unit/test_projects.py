"""The pure rules of projects: who holds a place, who moves up, and how typed dates, places and fees are read."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from happykids.domain.projects import (
    ApplicationStatus,
    FeeKind,
    ProjectError,
    ProjectStatus,
    Window,
    age_on,
    arrival_status,
    free_places,
    parse_birth_date,
    parse_child_name,
    parse_deadline,
    parse_fee,
    parse_places,
    parse_starts_at,
    places_left,
    project_from_payload,
)

EKB = ZoneInfo("Asia/Yekaterinburg")
NOW = datetime(2026, 11, 29, 10, 0)  # naive UTC


def test_places_and_the_waiting_list():
    assert arrival_status(5, 4) is ApplicationStatus.APPLIED
    assert arrival_status(5, 5) is ApplicationStatus.WAITING
    assert arrival_status(None, 1000) is ApplicationStatus.APPLIED
    assert places_left(5, 7) == 0 and places_left(None, 3) is None
    assert free_places(5, 4, 10) == 1 and free_places(5, 5, 10) == 0 and free_places(5, 2, 1) == 1


def test_the_window_closes_at_the_deadline_and_at_the_start():
    window = Window(ProjectStatus.PUBLISHED, datetime(2026, 12, 10), datetime(2026, 12, 5))
    assert window.open_for_applications(NOW)
    assert not window.open_for_applications(datetime(2026, 12, 5))
    assert not Window(ProjectStatus.DRAFT, None, None).open_for_applications(NOW)
    assert Window(ProjectStatus.PUBLISHED, None, None).open_for_applications(NOW)


def test_dates_are_read_in_the_agency_time_zone():
    assert parse_starts_at("25.12.2026 14:00", EKB, NOW) == datetime(2026, 12, 25, 9, 0)  # UTC+5
    assert parse_starts_at("дата уточняется", EKB, NOW) is None
    for bad, key in (("25.12.2026", "err_need_time"), ("31.02.2026 10:00", "err_date_format"),
                     ("01.01.2020 10:00", "err_past"), ("завтра", "err_date_format")):
        with pytest.raises(ProjectError, match=key):
            parse_starts_at(bad, EKB, NOW)
    assert parse_deadline("20.12.2026", EKB, NOW, None) == datetime(2026, 12, 20, 18, 59)
    with pytest.raises(ProjectError, match="err_deadline_after_start"):
        parse_deadline("26.12.2026", EKB, NOW, datetime(2026, 12, 25, 9, 0))


def test_places_and_fee():
    assert parse_places("10") == 10 and parse_places("без ограничений") is None
    with pytest.raises(ProjectError):
        parse_places("десять")
    assert parse_fee("бесплатно").kind is FeeKind.FREE
    paid = parse_fee("1500 https://pay.example.com/x")
    assert (paid.kind, paid.amount, paid.url) == (FeeKind.PAID, 1500, "https://pay.example.com/x")
    assert parse_fee("https://forms.example.com/sign").kind is FeeKind.EXTERNAL
    with pytest.raises(ProjectError):
        parse_fee("1500")


def test_a_child_name_birth_date_and_age():
    assert parse_child_name("  Маша   Иванова ") == "Маша Иванова"
    for bad in ("", "123", "x" * 61):
        with pytest.raises(ProjectError):
            parse_child_name(bad)
    assert parse_birth_date("05.03.2017", date(2026, 11, 29)) == date(2017, 3, 5)
    for bad in ("05.03.2030", "05.03.1990", "05.03.2017 10:00"):
        with pytest.raises(ProjectError):
            parse_birth_date(bad, date(2026, 11, 29))
    assert age_on(date(2017, 3, 5), date(2026, 3, 4)) == 8 and age_on(date(2017, 3, 5), date(2026, 3, 5)) == 9


def test_deep_link_payload():
    assert project_from_payload("project_12") == 12
    assert project_from_payload("project_x") is None and project_from_payload(None) is None
