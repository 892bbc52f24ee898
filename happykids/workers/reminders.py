"""The executors of the scheduler (workers/scheduler.py): for each kind of reminder, what the parent gets and
when it is no longer worth sending. The relevance rules are in services/renewals.py; this module only
composes the message (texts, current catalog, buttons). A new kind (e.g. projects' day-before reminder) adds
its executor to EXECUTORS and schedules with services/reminders.schedule().
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.models import Reminder
from happykids.db.repositories.catalog import load_catalog
from happykids.domain.catalog import Catalog
from happykids.domain.clock import agency_zone
from happykids.domain.renewals import ReminderKind, day_text
from happykids.domain.wording import quoted
from happykids.services import project_reminders, renewals
from happykids.texts.service import Texts
from happykids.ui.keyboards.renewals import reminder_keyboard
from happykids.ui.project_screens import when_text
from happykids.workers.scheduler import Executor, Outgoing


@dataclass(frozen=True, slots=True)
class ReminderDeps:
    texts: Texts


def _title(options: list[Any], key: str | None, fallback: str = "") -> str:
    return next((o.title for o in options if o.key == key), fallback or (key or ""))


async def _renewal(deps: ReminderDeps, session: AsyncSession, reminder: Reminder,
                   payload: dict[str, Any]) -> Outgoing | str:
    row = await renewals.renewal_due(session, reminder.kind, reminder.chat_id, payload)
    if isinstance(row, str):
        return row
    catalog = await load_catalog(session)
    key = {ReminderKind.RENEWAL_SOON: "renewals.soon", ReminderKind.RENEWAL_OVER: "renewals.over"}.get(
        ReminderKind(reminder.kind), "renewals.manual")
    text = await deps.texts.get(key, group=_title(catalog.groups, row.group_code),
                                until=day_text(row.paid_until), period=_title(catalog.periods, row.period_code),
                                children=_title(catalog.children, str(row.children_count or 1)))
    markup = reminder_keyboard(row.id, await deps.texts.plain("renewals.btn_renew"),
                               await deps.texts.plain("renewals.btn_stop"))
    return Outgoing(text, markup)


async def _followup(deps: ReminderDeps, session: AsyncSession, reminder: Reminder,
                    payload: dict[str, Any]) -> Outgoing | str:
    why_not = await renewals.followup_unwanted(session, reminder, payload)
    if why_not is not None:
        return why_not
    catalog: Catalog = await load_catalog(session)
    group = str(payload.get("group") or "")
    text = await deps.texts.get("renewals.followup", group=quoted(_title(catalog.groups, group)),
                                contacts=catalog.contacts)
    return Outgoing(text)


async def _project_day_before(deps: ReminderDeps, session: AsyncSession, reminder: Reminder,
                              payload: dict[str, Any]) -> Outgoing | str:
    due = await project_reminders.day_before_due(session, reminder.chat_id, payload)
    if isinstance(due, str):
        return due
    text = await deps.texts.get("projects.reminder_day_before", title=due.project.title, child=due.child.name,
                                when=await when_text(deps.texts, due.project, agency_zone()), place=due.project.place)
    return Outgoing(text)


FEEDERS = [
    renewals.feed_followups,  # each round: follow-ups of the payment links given since the last one
    project_reminders.feed_day_before,  # and the day-before reminders of projects starting soon
]
EXECUTORS: dict[str, Executor[ReminderDeps]] = {
    ReminderKind.RENEWAL_SOON: Executor(_renewal),
    ReminderKind.RENEWAL_OVER: Executor(_renewal),
    ReminderKind.RENEWAL_MANUAL: Executor(_renewal),
    ReminderKind.FOLLOWUP: Executor(_followup),
    ReminderKind.PROJECT_DAY_BEFORE: Executor(_project_day_before),
}
