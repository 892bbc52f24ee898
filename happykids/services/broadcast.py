"""Broadcasts from the director to parents, the database side: who gets one, creating it, stopping it.

Sending is the background job in workers/broadcasts.py (paced, restart-safe; its docstring says how a
broadcast is made safe); the progress message and the report are in ui/broadcast_progress.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.models import Broadcast
from happykids.db.repositories import broadcasts as repo
from happykids.db.repositories import projects as projects_repo
from happykids.domain.broadcasts import AudienceKind, BroadcastStatus, Content, Counts, StopOutcome
from happykids.services.payments_export import Month
from happykids.texts.service import Markup, Texts

# --- audiences --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Audience:
    kind: AudienceKind
    value: str = ""  # the group code, or the month "YYYY-MM"

    @property
    def key(self) -> str:
        return self.kind.value if not self.value else f"{self.kind.value}:{self.value}"

    @classmethod
    def parse(cls, key: str) -> Audience:
        kind, _, value = key.partition(":")
        return cls(AudienceKind(kind), value)

    @classmethod
    def paid_this_month(cls, tz: tzinfo) -> Audience:
        return cls(AudienceKind.PAID, Month.current(tz).key)


async def audience_title(session: AsyncSession, texts: Texts, audience: Audience) -> Markup:
    """Who it goes to, in words (HTML, escaped already: it is put into the panel's messages)."""
    if audience.kind is AudienceKind.ALL:
        return Markup(texts.fixed("panel_ops.audience_all"))
    if audience.kind is AudienceKind.GROUP:
        title = await repo.group_title(session, audience.value)
        return Markup(texts.fixed("panel_ops.audience_group", title=title or audience.value))
    if audience.kind in (AudienceKind.PROJECT, AudienceKind.PROJECT_APPROVED):  # services/project_announce.py
        project = await projects_repo.get(session, int(audience.value or 0))
        return Markup(texts.fixed(f"projects.bc_audience_{audience.kind.value}",
                                  title=project.title if project else audience.value))
    return Markup(texts.fixed("panel_ops.audience_paid", month=Month.parse(audience.value).title))


async def audience_user_ids(session: AsyncSession, audience: Audience, tz: tzinfo,
                            exclude: set[int] | frozenset[int] = frozenset()) -> list[int]:
    """Everyone the broadcast goes to (blocked parents included; the sender skips them)."""
    if audience.kind is AudienceKind.ALL:
        ids = await repo.all_parent_ids(session)
    elif audience.kind is AudienceKind.GROUP:
        ids = await repo.group_parent_ids(session, audience.value)
    else:
        start, end = Month.parse(audience.value).bounds_utc(tz)
        ids = await repo.paid_parent_ids(session, start, end)
    return sorted(ids - set(exclude))


async def group_choices(session: AsyncSession) -> list[tuple[int, str, str]]:
    """Catalog groups (hidden ones too: their parents still exist) as (id, code, title)."""
    return await repo.group_choices(session)


async def group_audience(session: AsyncSession, group_id: int) -> Audience | None:
    """The parents of the group a button names; None if the group is gone meanwhile."""
    code = await repo.group_code(session, group_id)
    return None if code is None else Audience(AudienceKind.GROUP, code)


async def blocked_among(session: AsyncSession, user_ids: list[int]) -> int:
    """How many of these recipients are known to have blocked the bot (the sender will skip them)."""
    return await repo.count_blocked(session, user_ids)


# --- creating ---------------------------------------------------------------------------------------

async def create_broadcast(session: AsyncSession, *, created_by: int, content: Content, audience: Audience,
                           tz: tzinfo, exclude: set[int] | frozenset[int] = frozenset(),
                           progress_chat_id: int | None = None, progress_message_id: int | None = None,
                           recipients: list[int] | None = None) -> tuple[Broadcast, Counts]:
    """The broadcast with a delivery row for every recipient, queued for the sender. The caller commits,
    then wakes the sender. `recipients`: computed by the caller (a project's audiences), else the audience's."""
    if recipients is None:
        recipients = await audience_user_ids(session, audience, tz, exclude)
    else:
        recipients = sorted(set(recipients) - set(exclude))
    blocked = await repo.blocked_parent_ids(session)
    broadcast = await repo.add(session, created_by=created_by, text=content.text, photo_file_id=content.photo,
                               audience=audience.key, progress_chat_id=progress_chat_id,
                               progress_message_id=progress_message_id, button_text=content.button_text,
                               button_url=content.button_url)
    tally = await repo.add_deliveries(session, broadcast.id, recipients, blocked)
    return broadcast, Counts.from_statuses(tally)


async def set_progress_message(session: AsyncSession, broadcast_id: int, message_id: int | None) -> None:
    """The message the sender edits with the progress (the handler's «запускается…»)."""
    await repo.set_progress_message(session, broadcast_id, message_id)


async def broadcast_counts(session: AsyncSession, broadcast_id: int) -> Counts:
    return Counts.from_statuses(await repo.status_counts(session, broadcast_id))


async def recent_broadcasts(session: AsyncSession, limit: int = 5) -> list[tuple[Broadcast, Counts]]:
    return [(b, await broadcast_counts(session, b.id)) for b in await repo.recent(session, limit)]


# --- stopping ---------------------------------------------------------------------------------------

async def stop_broadcast(session: AsyncSession, broadcast_id: int) -> tuple[StopOutcome, int]:
    """Cancel every delivery still pending and mark the broadcast "stopping"; returns how many were cancelled.

    The caller commits, then nudges the sender (`workers.broadcasts.stop_now`). Both updates are conditional,
    so two presses at once (two admins) stop it once, and a row a worker has already claimed is finished,
    not cancelled."""
    if not await repo.mark_stopping(session, broadcast_id):
        status = await repo.status_of(session, broadcast_id)
        if status is None:
            return StopOutcome.MISSING, 0
        if status == BroadcastStatus.STOPPING:
            return StopOutcome.STOPPING, 0
        return (StopOutcome.WAS_STOPPED if status == BroadcastStatus.STOPPED else StopOutcome.FINISHED), 0
    cancelled = await repo.cancel_pending(session, broadcast_id)
    if not cancelled:  # every message is out or on its way: nothing to stop, let it end as usual
        await repo.set_status(session, broadcast_id, BroadcastStatus.SENDING)
        return StopOutcome.TOO_LATE, 0
    return StopOutcome.STOPPED, cancelled
