"""What enrollment in projects does: create and publish, apply, decide, cancel, and move the waiting list up.

Every change that depends on how many places are taken runs after `repo.lock` in the caller's transaction, so
40 parents pressing «Записаться» at once on a project with 5 places get exactly 5 places and a waiting list of
35 in the order the lock served them (their arrival). Whoever must be told about a change gets a `Notice`
(a text key and its values), recorded as an outbox task in the same transaction: nobody hears of a change
that was rolled back, and a crash after the commit still tells them (workers/project_tasks.py). The caller
wakes the outbox after committing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.base import utcnow
from happykids.db.models import Application, Child, Project
from happykids.db.repositories import outbox
from happykids.db.repositories import project_admin as funnel
from happykids.db.repositories import projects as repo
from happykids.domain.clock import agency_zone
from happykids.domain.projects import (
    ACTIVE,
    HOLDS_PLACE,
    PLACE_MAX,
    TITLE_MAX,
    ApplicationStatus,
    Fee,
    FeeKind,
    ProjectError,
    ProjectFunnelStep,
    ProjectKind,
    ProjectStatus,
    ProjectTask,
    Window,
    arrival_status,
    check_apply,
    clean_line,
    parse_deadline,
    parse_fee,
    parse_places,
    parse_starts_at,
    places_left,
)
from happykids.services import project_offers as offers


@dataclass(frozen=True, slots=True)
class Notice:
    """Tell `parent_id` the text `key` with `values` (sent after the commit)."""

    parent_id: int
    key: str
    values: dict[str, str | int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Draft:
    title: str
    kind: ProjectKind
    description: str
    starts_at: datetime | None
    place: str
    places: int | None
    deadline: datetime | None
    fee: Fee
    child_fields: str = ""  # extra questions about each child (domain/child_fields.py), comma-separated


def draft_from(data: dict[str, Any]) -> Draft:
    """The director's dialog keeps its answers as JSON in the panel's FSM data; this reads them back."""
    fee = data.get("fee") or {"kind": FeeKind.FREE.value}
    return Draft(
        title=str(data.get("title", "")), kind=ProjectKind(data.get("kind", ProjectKind.OTHER.value)),
        description=str(data.get("description", "")),
        starts_at=datetime.fromisoformat(data["starts_at"]) if data.get("starts_at") else None,
        place=str(data.get("place", "")), places=data.get("places"),
        deadline=datetime.fromisoformat(data["deadline"]) if data.get("deadline") else None,
        fee=Fee(FeeKind(fee["kind"]), fee.get("amount"), fee.get("url")),
        child_fields=str(data.get("child_fields") or ""))


DESCRIPTION_MAX = 2500  # the card must fit in one message with the rest


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def read_answer(step: str, text: str, html: str, draft: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The director's typed answer to a step of the dialog (title, description, when, place, places, deadline,
    fee), checked, as JSON for the draft; raises ProjectError with a text key."""
    tz = agency_zone()
    if step == "title":
        return {"title": clean_line(text, TITLE_MAX, "projects.err_title")}
    if step == "description":
        if len(html) > DESCRIPTION_MAX:
            raise ProjectError("projects.err_description")
        return {"description": html}
    if step == "when":
        return {"starts_at": _iso(parse_starts_at(text, tz, now))}
    if step == "place":
        return {"place": clean_line(text, PLACE_MAX, "projects.err_place")}
    if step == "places":
        return {"places": parse_places(text)}
    if step == "deadline":
        starts = datetime.fromisoformat(draft["starts_at"]) if draft.get("starts_at") else None
        return {"deadline": _iso(parse_deadline(text, tz, now, starts))}
    fee = parse_fee(text)
    return {"fee": {"kind": fee.kind.value, "amount": fee.amount, "url": fee.url}}


def preview_of(draft: Draft) -> Project:
    """A project that is not stored, to show the director what parents will see."""
    return Project(id=0, title=draft.title, kind=draft.kind.value, description=draft.description,
                   starts_at=draft.starts_at, place=draft.place, places=draft.places, deadline=draft.deadline,
                   fee_kind=draft.fee.kind.value, fee_amount=draft.fee.amount, fee_url=draft.fee.url,
                   status=ProjectStatus.DRAFT.value, child_fields=draft.child_fields)


@dataclass(frozen=True, slots=True)
class Numbers:
    applied: int  # every application that is or was active (applied, waiting, approved)
    approved: int
    waiting: int
    places_left: int | None


@dataclass(frozen=True, slots=True)
class Outcome:
    application: Application
    rank: int  # place on the waiting list (0 when not waiting)
    notices: list[Notice]


def _record(session: AsyncSession, notices: list[Notice]) -> list[Notice]:
    for notice in notices:
        outbox.enqueue(session, ProjectTask.TELL_PARENT, f"project-parent:{notice.parent_id}",
                       {"parent_id": notice.parent_id, "key": notice.key, "values": notice.values})
    return notices


record_notices = _record  # for the director's moves and edits (services/project_roster.py, project_edit.py)


def window(project: Project) -> Window:
    return Window(ProjectStatus(project.status), project.starts_at, project.deadline)


async def create(session: AsyncSession, draft: Draft, created_by: int | None, *, publish: bool) -> Project:
    project = repo.add_project(
        session, title=draft.title, kind=draft.kind.value, description=draft.description,
        starts_at=draft.starts_at, place=draft.place, places=draft.places, deadline=draft.deadline,
        fee_kind=draft.fee.kind.value, fee_amount=draft.fee.amount, fee_url=draft.fee.url,
        status=(ProjectStatus.PUBLISHED if publish else ProjectStatus.DRAFT).value, created_by=created_by,
        published_at=utcnow() if publish else None, audience="all", audience_groups="",
        child_fields=draft.child_fields,
    )
    await session.flush()
    return project


async def publish(session: AsyncSession, project_id: int) -> bool:
    """A draft goes public; a project closed early takes applications again."""
    project = await repo.get(session, project_id, fresh=True)
    if project is None or project.status not in (ProjectStatus.DRAFT, ProjectStatus.CLOSED):
        return False
    await repo.set_status(session, project_id, ProjectStatus.PUBLISHED)
    return True


async def close(session: AsyncSession, project_id: int) -> bool:
    """Stop taking applications before the deadline; the list and the waiting list stay as they are."""
    project = await repo.get(session, project_id, fresh=True)
    if project is None or project.status != ProjectStatus.PUBLISHED:
        return False
    await repo.set_status(session, project_id, ProjectStatus.CLOSED)
    return True


async def numbers(session: AsyncSession, projects: list[Project]) -> dict[int, Numbers]:
    by_status = await repo.counts(session, [p.id for p in projects])
    result = {}
    for project in projects:
        c = by_status.get(project.id, {})
        taken = sum(c.get(s, 0) for s in HOLDS_PLACE)
        result[project.id] = Numbers(
            applied=sum(c.get(s, 0) for s in ACTIVE), approved=c.get(ApplicationStatus.APPROVED, 0),
            waiting=c.get(ApplicationStatus.WAITING, 0), places_left=places_left(project.places, taken))
    return result


async def visible_to_parent(session: AsyncSession, project_id: int) -> Project | None:
    """A project a parent may look at (published, closed or cancelled: never a draft)."""
    project = await repo.get(session, project_id, fresh=True)
    return None if project is None or project.status == ProjectStatus.DRAFT else project


async def apply(session: AsyncSession, project_id: int, parent_id: int, child_id: int, now: datetime) -> Outcome:
    """The parent's child applies: a place if one is free, else the end of the waiting list.
    Raises ProjectError (a text key) when the project is closed, the deadline passed, or the child is there."""
    arrival = await repo.lock(session, project_id, arrival=True)
    project = await repo.get(session, project_id, fresh=True)
    if arrival is None or project is None:
        raise ProjectError("projects.err_closed")
    check_apply(window(project), now)
    if await repo.child_of(session, parent_id, child_id) is None:
        raise ProjectError("projects.err_no_child")
    existing = await repo.application_of_child(session, project_id, child_id)
    if existing is not None and existing.status != ApplicationStatus.CANCELLED:
        raise ProjectError("projects.err_already" if existing.status != ApplicationStatus.REJECTED
                           else "projects.err_rejected_before")
    status = arrival_status(project.places, await repo.taken_places(session, project_id))
    if existing is not None:  # cancelled earlier, applies again: the same row (one per child), at the end
        existing.status, existing.position, existing.reason = status.value, arrival, None
        existing.created_at, existing.decided_at, existing.decided_by = now, None, None
        application = existing
    else:
        application = repo.add_application(session, project_id=project_id, child_id=child_id,
                                           parent_id=parent_id, status=status, position=arrival)
    await session.flush()
    await funnel.record_event(session, parent_id, ProjectFunnelStep.APPLIED, project_id)
    rank = await repo.waiting_rank(session, project_id, arrival) if status is ApplicationStatus.WAITING else 0
    return Outcome(application, rank, [])


async def move_up(session: AsyncSession, project: Project) -> list[Notice]:
    """Offer freed places to the first on the waiting list, for a set time (services/project_offers.py; the
    caller holds the project's lock). The offers are told by their own outbox task, with «Иду» / «Не смогу»."""
    offered = await offers.offer_freed(session, project, utcnow())
    return [Notice(a.parent_id, "projects.offer", {"project": project.title}) for a in offered]


async def cancel_by_parent(session: AsyncSession, parent_id: int, application_id: int, now: datetime) -> Outcome:
    found = await repo.application_for_parent(session, parent_id, application_id)
    if found is None or found.status not in ACTIVE:
        raise ProjectError("projects.err_not_active")
    await repo.lock(session, found.project_id)
    project = await repo.get(session, found.project_id, fresh=True)
    application = await repo.application_for_parent(session, parent_id, application_id)  # as it is under the lock
    if project is None or application is None or application.status not in ACTIVE:
        raise ProjectError("projects.err_not_active")
    if not window(project).cancellable_by_parent(now):
        raise ProjectError("projects.err_cancel_late")
    held = offers.holds_place(application)
    await offers.withdraw(session, application)
    application.status, application.reason = ApplicationStatus.CANCELLED.value, None
    await session.flush()
    return Outcome(application, 0, await move_up(session, project) if held else [])


async def decide(session: AsyncSession, application_id: int, approve: bool, reason: str | None,
                 admin_id: int | None) -> Outcome:
    """The director approves or rejects one application; the parent (and anyone moved up) is told."""
    found = await repo.application(session, application_id)
    if found is None:
        raise ProjectError("projects.err_not_active")
    await repo.lock(session, found.project_id)
    project = await repo.get(session, found.project_id, fresh=True)
    application = await repo.application(session, application_id)
    if project is None or application is None or application.status not in ACTIVE:
        raise ProjectError("projects.err_not_active")
    status, held = ApplicationStatus(application.status), offers.holds_place(application)
    if approve and status is ApplicationStatus.APPROVED:
        raise ProjectError("projects.err_not_active")
    if approve and status is ApplicationStatus.WAITING and application.offer_until is None:
        left = places_left(project.places, await repo.taken_places(session, project.id))
        if left is not None and left <= 0:
            raise ProjectError("projects.err_no_places")
    child = await repo.child_of(session, application.parent_id, application.child_id)
    values: dict[str, str | int] = {"project": project.title, "child": child.name if child else ""}
    application.decided_at, application.decided_by = utcnow(), admin_id
    await offers.withdraw(session, application)
    if approve:
        application.status = ApplicationStatus.APPROVED.value
        await session.flush()
        await funnel.record_event(session, application.parent_id, ProjectFunnelStep.APPROVED, project.id)
        approved = Notice(application.parent_id, "projects.approved", values)
        return Outcome(application, 0, _record(session, [approved]))
    application.status, application.reason = ApplicationStatus.REJECTED.value, reason
    await session.flush()
    key = "projects.rejected_reason" if reason else "projects.rejected"
    notices = _record(session, [Notice(application.parent_id, key, {**values, "reason": reason or ""})])
    if held:
        notices += await move_up(session, project)
    return Outcome(application, 0, notices)


async def cancel_project(session: AsyncSession, project_id: int, reason: str | None) -> list[Notice]:
    """Call the project off; every active application is cancelled and its parent told, with the reason."""
    if await repo.lock(session, project_id) is None:
        return []
    project = await repo.get(session, project_id, fresh=True)
    if project is None or project.status == ProjectStatus.CANCELLED:
        return []
    await repo.set_status(session, project_id, ProjectStatus.CANCELLED, reason=reason)
    notices = []
    for application in await repo.active_applications(session, project_id):
        application.status, application.reason = ApplicationStatus.CANCELLED.value, reason
        await offers.withdraw(session, application)
        child = await repo.child_of(session, application.parent_id, application.child_id)
        key = "projects.project_cancelled_reason" if reason else "projects.project_cancelled"
        notices.append(Notice(application.parent_id, key, {"project": project.title,
                                                            "child": child.name if child else "",
                                                            "reason": reason or ""}))
    await session.flush()
    return _record(session, notices)


# -- the parent's children -------------------------------------------------------------------------------

async def add_child(session: AsyncSession, parent_id: int, name: str, birth_date: date) -> Child:
    """Stored only with the parent's consent (the children's personal data law)."""
    if not await repo.has_consent(session, parent_id):
        raise ProjectError("projects.err_no_consent")
    return await repo.find_or_add_child(session, parent_id, name, birth_date)
