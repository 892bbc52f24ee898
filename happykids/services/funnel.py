"""The parents' funnel for a period: started -> chose a group -> confirmed -> got the link -> sent a receipt
-> payment approved.

Only `FunnelEvent` rows are read (user id, step, group code, time): nothing more personal is needed.

How parents are counted: a parent counts at every step up to the furthest one they reached in the period
("reached at least this step"), so the funnel never grows downwards, e.g. a parent who started last month
and sent a receipt this week counts as started, chose, confirmed, got the link and sent a receipt.

Per group: the steps from "chose a group" on, attributed by the event's group code; an event without a
code (a receipt, say) belongs to the group the parent chose last before it. A parent who looked at two
groups counts in both.

Free of aiogram; the text is Telegram HTML with every value escaped.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.repositories import funnel as funnel_events
from happykids.db.repositories.catalog import group_titles
from happykids.domain.reporting import FunnelStep, Period

STEPS = tuple(FunnelStep)
STEP_TITLES = {
    "started": "Начали (/start)",
    "group": "Выбрали группу",
    "confirmed": "Подтвердили выбор",
    "link": "Получили ссылку",
    "receipt": "Прислали чек",
    "approved": "Оплата подтверждена",
}
STEP_SHORT = {"group": "выбрали", "confirmed": "подтвердили", "link": "ссылка", "receipt": "чек",
              "approved": "оплата"}
GROUP_STEPS = STEPS[1:]
NO_GROUP = ""  # events with no group code and no earlier choice
NO_GROUP_TITLE = "Группа не указана"
_INDEX: dict[str, int] = {kind: index for index, kind in enumerate(STEPS)}


@dataclass(frozen=True)
class Event:
    user_id: int
    kind: str
    group_code: str | None
    at: datetime


@dataclass(frozen=True)
class StepCount:
    kind: str
    count: int
    of_previous: float | None  # share of the step before (None for the first step or when it is 0)
    of_first: float | None

    @property
    def title(self) -> str:
        return STEP_TITLES[self.kind]


@dataclass(frozen=True)
class Funnel:
    steps: list[StepCount]

    @property
    def first(self) -> int:
        return self.steps[0].count if self.steps else 0

    def count(self, kind: str) -> int:
        return next(step.count for step in self.steps if step.kind == kind)

    @property
    def conversion(self) -> float | None:
        """From the first step to payment approved."""
        return self.steps[-1].of_first if self.steps else None


@dataclass(frozen=True)
class GroupFunnel:
    code: str
    title: str
    funnel: Funnel


@dataclass(frozen=True)
class FunnelReport:
    period: Period
    since: datetime | None
    until: datetime
    overall: Funnel
    groups: list[GroupFunnel]

    @property
    def empty(self) -> bool:
        return self.overall.first == 0


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def build_funnel(furthest: Iterable[int], kinds: tuple[str, ...]) -> Funnel:
    """`furthest`: for each parent the index (into `kinds`) of the furthest step they reached."""
    reached = [0] * len(kinds)
    for index in furthest:
        for step in range(index + 1):
            reached[step] += 1
    steps = []
    for index, kind in enumerate(kinds):
        previous = reached[index - 1] if index else None
        steps.append(StepCount(kind, reached[index], None if previous is None else _share(reached[index], previous),
                               None if index == 0 else _share(reached[index], reached[0])))
    return Funnel(steps)


def compute(events: Iterable[Event], since: datetime | None, until: datetime,
            group_titles: dict[str, str] | None = None, period: Period = Period.ALL) -> FunnelReport:
    """The funnel of events with since <= at < until.

    Earlier events may be passed too: they are not counted, but tell which group a later code-less event
    belongs to.
    """
    group_titles = group_titles or {}
    overall: dict[int, int] = {}
    per_group: dict[str, dict[int, int]] = {}
    last_group: dict[int, str] = {}
    for event in sorted(events, key=lambda e: e.at):
        if event.kind not in _INDEX or event.at >= until:
            continue
        code = event.group_code or (last_group.get(event.user_id) if event.kind != "started" else None)
        if event.group_code:
            last_group[event.user_id] = event.group_code
        if since is not None and event.at < since:
            continue
        index = _INDEX[event.kind]
        overall[event.user_id] = max(overall.get(event.user_id, -1), index)
        if event.kind != "started":
            members = per_group.setdefault(code or NO_GROUP, {})
            members[event.user_id] = max(members.get(event.user_id, -1), index - 1)

    order = {code: position for position, code in enumerate(group_titles)}
    groups = [
        GroupFunnel(code, group_titles.get(code, code) if code else NO_GROUP_TITLE,
                    build_funnel(members.values(), GROUP_STEPS))
        for code, members in per_group.items()
    ]
    groups.sort(key=lambda g: (g.code == NO_GROUP, order.get(g.code, len(order)), g.title))
    return FunnelReport(period, since, until, build_funnel(overall.values(), STEPS), groups)


async def load_events(session: AsyncSession, since: datetime | None, until: datetime) -> list[Event]:
    """Events of the period, plus the earlier group choices of the same parents (for attribution)."""
    events = [Event(*row) for row in await funnel_events.events_between(session, since, until)]
    if since is not None and events:
        events += [Event(*row) for row in await funnel_events.earlier_group_choices(session, since, until)]
    return events


async def funnel_report(session: AsyncSession, period: Period, now: datetime | None = None) -> FunnelReport:
    until = (now or datetime.now(UTC).replace(tzinfo=None)) + timedelta(seconds=1)
    since = period.since(until)
    events = await load_events(session, since, until)
    return compute(events, since, until, await group_titles(session), period)


# --- text -------------------------------------------------------------------------------------------

def percent(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)}%"


def render_text(report: FunnelReport, max_groups: int = 15) -> str:
    """The report as Telegram HTML (every title escaped). Each share names its base: of everyone who started
    (the base of the chart too) and of the step before."""
    lines = [f"📊 <b>Воронка {html.escape(report.period.label)}</b>"]
    if report.empty:
        lines.append("\nЗа этот период событий нет.")
        return "\n".join(lines)
    lines.append("")
    for step in report.overall.steps:
        shares = []
        if step.of_first is not None:
            shares.append(f"{percent(step.of_first)} от начавших")
        if step.of_previous is not None:
            shares.append(f"{percent(step.of_previous)} от предыдущего шага")
        tail = f" — {', '.join(shares)}" if shares else ""
        lines.append(f"{html.escape(step.title)}: <b>{step.count}</b>{tail}")
    lines.append(f"\nДошли до оплаты: <b>{percent(report.overall.conversion)}</b> от начавших")
    if report.groups:
        lines.append("\n<b>По группам</b> (выбрали → подтвердили → ссылка → чек → оплата; "
                     "в скобках — доля выбравших группу, дошедших до оплаты):")
        for group in report.groups[:max_groups]:
            counts = " → ".join(str(step.count) for step in group.funnel.steps)
            lines.append(f"• {html.escape(group.title)}: {counts} ({percent(group.funnel.conversion)})")
        if len(report.groups) > max_groups:
            lines.append(f"…и ещё групп: {len(report.groups) - max_groups}")
    return "\n".join(lines)
