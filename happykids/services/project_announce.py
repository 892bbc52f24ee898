"""Announcing a project to the parents it is for, and the director's message to its approved participants:
both are ordinary broadcasts (services/broadcast.py, sent by workers/broadcasts.py: paced, restart-safe,
blocked parents marked and skipped, with a progress message and a report in the director's chat).

The announcement carries one URL button, «Записаться» -> `https://t.me/<bot>?start=project_<id>`: the same
deep link she posts in the channel. A URL button needs no handler of its own (the deep link already opens the
card), keeps working in a forwarded copy (Telegram drops callback buttons there), and never goes stale.
With a poster the announcement is the photo with the text as its caption, when the text fits one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.models import Broadcast, Project
from happykids.db.repositories import project_admin as admin_repo
from happykids.db.repositories import projects as repo
from happykids.domain.broadcasts import AudienceKind, Content, Counts
from happykids.domain.clock import agency_zone
from happykids.domain.projects import ApplicationStatus, ProjectError, deep_link_payload
from happykids.services import project_audience
from happykids.services.broadcast import Audience, create_broadcast
from tgtext.entities import utf16_len
from tgtext.html import parse_html
from tgtext.limits import CAPTION


def caption_fits(html_text: str) -> bool:
    """Can this HTML be a photo's caption (Telegram counts the shown text in UTF-16 units)?"""
    return utf16_len(parse_html(html_text, strict=False).text) <= CAPTION


def deep_link(bot_username: str | None, project_id: int) -> str:
    return f"https://t.me/{bot_username}?start={deep_link_payload(project_id)}"


def announcement_key(project_id: int) -> str:
    return Audience(AudienceKind.PROJECT, str(project_id)).key


async def announced(session: AsyncSession, project_id: int) -> bool:
    return await admin_repo.announcements(session, announcement_key(project_id)) > 0


async def announce(session: AsyncSession, project: Project, text: str, button: str, link: str, *,
                   created_by: int, exclude: set[int], now: datetime) -> tuple[Broadcast, Counts]:
    """Queue the announcement, once per project. The caller commits, then wakes the sender. `text`: the
    parent-facing announcement, filled in. Raises ProjectError: announced before, or nobody to announce to."""
    await repo.lock(session, project.id)  # two admins pressing at once announce it once
    if await announced(session, project.id):
        raise ProjectError("projects.announced_before")
    photo = project.poster_file_id if project.poster_file_id and caption_fits(text) else None
    recipients = [p for p in await project_audience.recipients(session, project, now) if p not in exclude]
    if not recipients:
        raise ProjectError("projects.announce_nobody")
    return await create_broadcast(
        session, created_by=created_by, content=Content(text, photo, button, link),
        audience=Audience(AudienceKind.PROJECT, str(project.id)), tz=agency_zone(), exclude=exclude,
        progress_chat_id=created_by, recipients=recipients)


async def approved_parents(session: AsyncSession, project_id: int) -> list[int]:
    return sorted(await admin_repo.parents_with_applications(session, project_id, [ApplicationStatus.APPROVED]))


async def message_approved(session: AsyncSession, project: Project, content: Content, *, created_by: int,
                           exclude: set[int]) -> tuple[Broadcast, Counts]:
    """The director's message to every parent with an approved child on the project (one message per parent)."""
    return await create_broadcast(
        session, created_by=created_by, content=content, tz=agency_zone(), exclude=exclude,
        audience=Audience(AudienceKind.PROJECT_APPROVED, str(project.id)), progress_chat_id=created_by,
        recipients=await approved_parents(session, project.id))
