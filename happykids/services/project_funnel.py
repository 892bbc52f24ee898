"""The projects' funnel for the director's statistics: viewed the card -> applied -> approved -> paid.

Counted per parent and project (a parent who opened two projects counts twice), "reached at least this step"
like the parents' payment funnel (services/funnel.py: `build_funnel`), so it never grows downwards: a parent
who came by the deep link and applied counts as having viewed. PAID events come from the project fees'
receipts; until they are recorded the last step is 0.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.repositories import project_admin as repo
from happykids.domain.projects import ProjectFunnelStep
from happykids.domain.reporting import Period
from happykids.services.funnel import Funnel, build_funnel, percent

STEPS = tuple(step.value for step in ProjectFunnelStep)
TITLES = {ProjectFunnelStep.VIEWED: "Открыли карточку", ProjectFunnelStep.APPLIED: "Записались",
          ProjectFunnelStep.APPROVED: "Одобрены", ProjectFunnelStep.PAID: "Оплатили"}
MAX_PROJECTS = 10


def compute(events: list[tuple[int, int, str]]) -> tuple[Funnel, dict[int, Funnel]]:
    """The overall funnel and one per project, from (project id, parent id, kind) events."""
    index = {kind: i for i, kind in enumerate(STEPS)}
    furthest: dict[tuple[int, int], int] = {}
    for project_id, parent_id, kind in events:
        key = (project_id, parent_id)
        furthest[key] = max(furthest.get(key, -1), index[kind])
    per_project: dict[int, list[int]] = {}
    for (project_id, _), reached in furthest.items():
        per_project.setdefault(project_id, []).append(reached)
    return (build_funnel(furthest.values(), STEPS),
            {pid: build_funnel(values, STEPS) for pid, values in per_project.items()})


async def report_text(session: AsyncSession, period: Period, now: datetime | None = None) -> str:
    """The projects' part of «Статистика» as Telegram HTML (titles escaped); empty when nothing happened."""
    until = (now or datetime.now(UTC).replace(tzinfo=None)) + timedelta(seconds=1)
    events = await repo.project_events(session, STEPS, period.since(until), until)
    if not events:
        return ""
    overall, per_project = compute(events)
    lines = ["", "🎬 <b>Проекты</b> (родитель × проект)"]
    for step in overall.steps:
        share = f" — {percent(step.of_previous)} от предыдущего шага" if step.of_previous is not None else ""
        lines.append(f"{TITLES[ProjectFunnelStep(step.kind)]}: <b>{step.count}</b>{share}")
    titles = await repo.titles(session, per_project)
    ranked = sorted(per_project.items(), key=lambda item: -item[1].first)
    lines.append("\n<b>По проектам</b> (открыли → записались → одобрены → оплатили):")
    for project_id, funnel in ranked[:MAX_PROJECTS]:
        counts = " → ".join(str(step.count) for step in funnel.steps)
        lines.append(f"• {html.escape(titles.get(project_id, str(project_id)))}: {counts}")
    if len(ranked) > MAX_PROJECTS:
        lines.append(f"…и ещё проектов: {len(ranked) - MAX_PROJECTS}")
    return "\n".join(lines)
