"""Pure parts of the director's project tools: the age range she types, who fits it, the projects' funnel,
whether a card fits a photo's caption."""

from __future__ import annotations

import pytest

from happykids.domain.projects import ProjectError, age_fits, parse_age_range
from happykids.services.project_announce import caption_fits
from happykids.services.project_funnel import compute


@pytest.mark.parametrize(("typed", "expected"), [
    ("5-9", (5, 9)), ("5–9 лет", (5, 9)), ("от 5 до 9", (5, 9)), ("от 10", (10, None)), ("до 7", (None, 7)),
    ("6", (6, 6)), ("0-18", (0, 18)),
])
def test_age_ranges_she_may_type(typed, expected):
    assert parse_age_range(typed) == expected


@pytest.mark.parametrize("typed", ["", "abc", "9-5", "19", "5-25", "от пяти"])
def test_age_ranges_that_are_refused(typed):
    with pytest.raises(ProjectError, match=r"projects\.err_ages"):
        parse_age_range(typed)


def test_age_fits_is_inclusive_and_open_ended():
    assert age_fits(5, 5, 9) and age_fits(9, 5, 9) and not age_fits(10, 5, 9) and not age_fits(4, 5, 9)
    assert age_fits(3, None, 7) and age_fits(17, 10, None) and age_fits(0, None, None)


def test_the_projects_funnel_counts_each_parent_once_per_project_up_to_the_furthest_step():
    events = [(1, 10, "project_viewed"), (1, 10, "project_viewed"), (1, 11, "project_applied"),
              (1, 11, "project_approved"), (2, 10, "project_viewed"), (2, 12, "project_paid")]
    overall, per_project = compute(events)
    assert [s.count for s in overall.steps] == [4, 2, 2, 1]  # a paid parent counts as viewed, applied, approved
    assert [s.count for s in per_project[1].steps] == [2, 1, 1, 0]
    assert [s.count for s in per_project[2].steps] == [2, 1, 1, 1]


def test_a_caption_is_measured_as_shown_text_in_utf16_units():
    assert caption_fits("<b>" + "а" * 1024 + "</b>")  # tags do not count
    assert not caption_fits("а" * 1025)
    assert not caption_fits("😀" * 513)  # two units each
