"""The funnel from scripted events: distinct parents per step, conversions, periods, groups, the chart."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from happykids.db.engine import create_engine, create_session_factory
from happykids.db.models import CatalogGroup, FunnelEvent
from happykids.services.charts import funnel_png, funnel_png_async
from happykids.services.funnel import Event, Period, compute, funnel_report, render_text
from tests.schema import migrated_sqlite_url

NOW = datetime(2026, 11, 20, 12, 0)
TITLES = {"kids": "Малыши <4–6>", "juniors": "Юниоры & Co"}


def ev(user, kind, group=None, days_ago=1.0):
    return Event(user, kind, group, NOW - timedelta(days=days_ago))


def walk(user, last_step, group="kids", days_ago=1.0, group_on_all=True):
    """Events of one parent going through the dialog up to `last_step`."""
    kinds = ["started", "group", "confirmed", "link", "receipt", "approved"]
    events = []
    for offset, kind in enumerate(kinds[: kinds.index(last_step) + 1]):
        carries_group = group_on_all or kind in ("group", "confirmed", "link")
        code = None if kind == "started" else (group if carries_group else None)
        events.append(ev(user, kind, code, days_ago - offset * 0.01))
    return events


def counts(funnel):
    return [step.count for step in funnel.steps]


def test_distinct_parents_per_step_and_conversion():
    events = (walk(1, "approved") + walk(2, "receipt") + walk(3, "link") + walk(4, "group") + walk(5, "started")
              + walk(6, "approved", "juniors"))
    events += [ev(1, "started"), ev(1, "started"), ev(2, "group", "kids")]  # repeats count once
    report = compute(events, NOW - timedelta(days=7), NOW, TITLES, Period.WEEK)
    assert counts(report.overall) == [6, 5, 4, 4, 3, 2]
    second = report.overall.steps[1]
    assert second.of_previous == pytest.approx(5 / 6) and second.of_first == pytest.approx(5 / 6)
    assert report.overall.steps[0].of_previous is None
    assert report.overall.conversion == pytest.approx(2 / 6)

    by_code = {g.code: g for g in report.groups}
    assert counts(by_code["kids"].funnel) == [4, 3, 3, 2, 1]
    assert counts(by_code["juniors"].funnel) == [1, 1, 1, 1, 1]
    assert [g.code for g in report.groups] == ["kids", "juniors"], "catalog order"
    assert by_code["kids"].title == "Малыши <4–6>"


def test_period_cuts_old_events_but_keeps_reached_steps_monotonic():
    events = [*walk(1, "link", days_ago=40), ev(1, "receipt", None, days_ago=2)]  # old dialog, fresh receipt
    events += walk(2, "approved", days_ago=20)
    events += walk(3, "confirmed", days_ago=3)
    week = compute(events, NOW - timedelta(days=7), NOW, TITLES, Period.WEEK)
    assert counts(week.overall) == [2, 2, 2, 1, 1, 0], "parent 1 reached 'receipt', so counts on every earlier step"
    kids = {g.code: g for g in week.groups}["kids"]
    assert counts(kids.funnel) == [2, 2, 1, 1, 0], "the receipt without a code belongs to the group chosen before"

    month = compute(events, NOW - timedelta(days=30), NOW, TITLES, Period.MONTH)
    assert counts(month.overall) == [3, 3, 3, 2, 2, 1]
    everything = compute(events, None, NOW, TITLES, Period.ALL)
    assert counts(everything.overall) == [3, 3, 3, 2, 2, 1]
    assert compute(events, NOW - timedelta(days=1), NOW, TITLES, Period.WEEK).empty


def test_events_without_any_group_and_unknown_codes():
    events = [ev(1, "started"), ev(1, "receipt"), ev(2, "group", "gone"), ev(2, "confirmed", "gone")]
    report = compute(events, None, NOW, TITLES)
    titles = [g.title for g in report.groups]
    assert titles == ["gone", "Группа не указана"], "unknown codes shown as is, the unknown group last"
    assert counts(report.groups[-1].funnel) == [1, 1, 1, 1, 0]


def test_text_is_escaped_html_and_mentions_every_step():
    report = compute(walk(1, "approved") + walk(2, "group", "juniors"), None, NOW, TITLES)
    text = render_text(report)
    assert "Малыши &lt;4–6&gt;" in text and "Юниоры &amp; Co" in text and "<4" not in text
    for word in ("Начали", "Выбрали группу", "Подтвердили", "ссылку", "чек", "Оплата подтверждена", "50%"):
        assert word in text
    assert "событий нет" in render_text(compute([], None, NOW))


def test_period_label_heads_the_report_and_leaves_str_title_alone():
    assert [p.label for p in Period] == ["за 7 дней", "за 30 дней", "за всё время"]
    assert "Воронка за 7 дней" in render_text(compute(walk(1, "started"), None, NOW, TITLES, Period.WEEK))
    assert Period.WEEK.title() == "7D"  # a StrEnum member is a str: str.title() keeps its meaning


def test_chart_is_a_png():
    report = compute(walk(1, "approved") + walk(2, "link", "juniors"), None, NOW, TITLES)
    png = funnel_png(report)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
    assert funnel_png(compute([], None, NOW)).startswith(b"\x89PNG")


async def test_chart_in_a_thread():
    png = await funnel_png_async(compute(walk(1, "approved"), None, NOW))
    assert png.startswith(b"\x89PNG")


async def test_report_from_the_database(tmp_path):
    url = await migrated_sqlite_url(tmp_path)  # the schema without running the migrations again (tests/schema.py)
    engine = create_engine(url)
    sessions = create_session_factory(engine)
    try:
        async with sessions() as session, session.begin():
            session.add_all([CatalogGroup(code="juniors", title="Юниоры", position=2),
                             CatalogGroup(code="kids", title="Малыши", position=1)])
            for event in walk(1, "approved") + walk(2, "link", "juniors") + walk(3, "receipt", days_ago=10) \
                    + [ev(3, "receipt", None, days_ago=0.5)]:
                session.add(FunnelEvent(user_id=event.user_id, kind=event.kind, group_code=event.group_code,
                                        at=event.at))
        async with sessions() as session:
            week = await funnel_report(session, Period.WEEK, now=NOW)
            everything = await funnel_report(session, Period.ALL, now=NOW)
        assert counts(week.overall) == [3, 3, 3, 3, 2, 1]
        assert [g.code for g in week.groups] == ["kids", "juniors"]
        assert counts(week.groups[0].funnel) == [2, 2, 2, 2, 1], "parent 3's earlier choice is loaded"
        assert counts(everything.overall) == [3, 3, 3, 3, 2, 1]
    finally:
        await engine.dispose()
