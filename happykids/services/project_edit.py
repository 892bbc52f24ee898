"""Editing a saved project, field by field, with the same questions as creating one; and the fields the core's
`Draft` does not carry (poster, who may apply, ages), which creating and editing both store from here.

Parents who applied are not told about every edit: only a new date or place reaches them (one outbox notice
per parent, committed with the change), because that is what changes their plans.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.models import Project
from happykids.db.repositories import project_admin as admin_repo
from happykids.db.repositories import projects as repo
from happykids.domain.projects import ACTIVE, Audience, FeeKind, ProjectError
from happykids.services import projects as service
from happykids.services.projects import Notice


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def draft_of(project: Project) -> dict[str, Any]:
    """The project as the dialog's draft (JSON in the panel's FSM data), to edit one answer of it."""
    return {"title": project.title, "kind": project.kind, "description": project.description,
            "poster": project.poster_file_id, "starts_at": _iso(project.starts_at), "place": project.place,
            "audience": project.audience, "groups": [g for g in project.audience_groups.split(",") if g],
            "age_min": project.age_min, "age_max": project.age_max, "places": project.places,
            "deadline": _iso(project.deadline),
            "fee": {"kind": project.fee_kind, "amount": project.fee_amount, "url": project.fee_url}}


def extras(draft: dict[str, Any]) -> dict[str, Any]:
    """The columns of the answers `services.projects.Draft` leaves out."""
    groups = [str(g) for g in draft.get("groups") or []]
    audience = Audience.GROUPS.value if draft.get("audience") == Audience.GROUPS.value and groups else "all"
    return {"poster_file_id": draft.get("poster"), "audience": audience,
            "audience_groups": ",".join(groups) if audience != "all" else "",
            "age_min": draft.get("age_min"), "age_max": draft.get("age_max")}


def preview_of(draft: dict[str, Any]) -> Project:
    """What parents will see (not stored), with every answer."""
    project = service.preview_of(service.draft_from(draft))
    for name, value in extras(draft).items():
        setattr(project, name, value)
    return project


def columns(draft: dict[str, Any]) -> dict[str, Any]:
    """Every column the dialog's answers decide, for saving an edited project."""
    core = service.draft_from(draft)
    if core.deadline is not None and core.starts_at is not None and core.deadline > core.starts_at:
        raise ProjectError("projects.err_deadline_after_start")
    fee = core.fee
    return {"title": core.title, "kind": core.kind.value, "description": core.description,
            "starts_at": core.starts_at, "place": core.place, "places": core.places, "deadline": core.deadline,
            "fee_kind": fee.kind.value, "fee_amount": fee.amount if fee.kind is FeeKind.PAID else None,
            "fee_url": fee.url, **extras(draft)}


async def store_extras(session: AsyncSession, project_id: int, draft: dict[str, Any]) -> None:
    await admin_repo.update_project(session, project_id, extras(draft))


async def save(session: AsyncSession, project_id: int, draft: dict[str, Any], when_text: str) -> int:
    """Store the edited project; a new date or place is told to every parent with an active application.
    Returns how many parents are told. Raises ProjectError when the project is gone or the answers contradict
    each other (a deadline after the new date)."""
    values = columns(draft)
    if await repo.lock(session, project_id) is None:
        raise ProjectError("projects.gone")
    project = await repo.get(session, project_id, fresh=True)
    if project is None:
        raise ProjectError("projects.gone")
    parents: set[int] = set()
    moved = project.starts_at != values["starts_at"] or project.place != values["place"]
    await admin_repo.update_project(session, project_id, values)
    if moved:
        parents = await admin_repo.parents_with_applications(session, project_id, [s.value for s in ACTIVE])
        service.record_notices(session, [
            Notice(parent, "projects.changed", {"project": values["title"], "when": when_text,
                                                "place": values["place"]}) for parent in sorted(parents)])
    await session.flush()
    return len(parents)
