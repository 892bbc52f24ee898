"""The day before a project, everyone holding a place is reminded of the time and place (issue #12), through
the bot's one scheduler (services/reminders.py: durable, at most once, quiet hours respected).

Scheduled by a feeder the scheduler runs every round (like the payment follow-ups), not by the press that
applied: the press stays within its statement budget, a project whose date the director changes later is
simply found again (the key carries the start, so the new date gets its own reminder and the old one is
found stale when due), and a second replica's round changes nothing (the key is unique). When it is due, it
is sent only if the place is still held and the project still starts then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.models import Application, Child, Project
from happykids.db.repositories import project_reminders as repo
from happykids.db.repositories import projects as projects_repo
from happykids.db.repositories import reminders as reminders_repo
from happykids.domain import clock
from happykids.domain.projects import HOLDS_PLACE, ProjectStatus
from happykids.domain.renewals import ReminderKind
from happykids.services import reminders

LOOKAHEAD = timedelta(hours=48)  # projects starting within this are looked at each round
SEND_AT = time(10, 0)  # the day before, agency time


def key_of(application_id: int, starts_at: datetime) -> str:
    return f"project:{application_id}:{starts_at:%Y%m%d%H%M}"


def due_moment(starts_at: datetime, now: datetime) -> datetime | None:
    """UTC moment to remind of a project starting at `starts_at` (UTC): 10:00 agency time the day before; at
    once if that passed but the project is still tomorrow or later (a late application); None when the
    project is today (they applied hours ago, a reminder would only repeat the card)."""
    start_local = clock.to_local(starts_at)
    due = clock.to_utc(datetime.combine(start_local.date() - timedelta(days=1), SEND_AT))
    if due >= now:
        return due
    return now if clock.to_local(now).date() < start_local.date() else None


async def feed_day_before(session: AsyncSession) -> int:
    """Schedule the reminder of every place held in a project starting soon that has none yet. The caller
    commits."""
    now = clock.utc_now()
    places = await repo.places_in_projects_starting(session, now, now + LOOKAHEAD)
    keys = {key_of(application_id, starts_at): (application_id, parent_id, project_id, starts_at)
            for application_id, parent_id, project_id, starts_at in places}
    known = await reminders_repo.existing_keys(session, list(keys))
    scheduled = 0
    for key, (application_id, parent_id, project_id, starts_at) in keys.items():
        due = due_moment(starts_at, now)
        if key in known or due is None:
            continue
        scheduled += await reminders.schedule(
            session, ReminderKind.PROJECT_DAY_BEFORE, key, parent_id, at_utc=due,
            payload={"application": application_id, "project": project_id, "starts": starts_at.isoformat()})
    return scheduled


@dataclass(frozen=True, slots=True)
class DayBefore:
    project: Project
    application: Application
    child: Child


async def day_before_due(session: AsyncSession, chat_id: int, payload: dict[str, object]) -> DayBefore | str:
    """What to remind of, or why not any more."""
    application = await projects_repo.application_for_parent(session, chat_id, int(str(payload.get("application"))))
    if application is None or application.status not in HOLDS_PLACE:
        return "the place is no longer held"
    project = await projects_repo.get(session, application.project_id)
    if project is None or project.status == ProjectStatus.CANCELLED or project.starts_at is None:
        return "the project was cancelled"
    if project.starts_at.isoformat() != payload.get("starts"):
        return "the project's date changed (the new date has its own reminder)"
    if project.starts_at <= clock.utc_now():
        return "the project has started"
    child = await projects_repo.child_of(session, chat_id, application.child_id)
    if child is None:
        return "the child's data was deleted"
    return DayBefore(project, application, child)
