"""Recording a received receipt: the row, its file and the follow-up tasks, in the caller's transaction.

The caller commits once; only after that commit is the parent told "получили". An album becomes one
receipt (unique per media_group_id): each part is recorded as it arrives and pushes the album's tasks
ALBUM_QUIET_SECONDS into the future, so the director is notified once the last part is in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.base import utcnow
from happykids.db.models import Receipt, ReceiptFile
from happykids.db.repositories import receipts as repo
from happykids.db.repositories.outbox import pending_kinds, postpone_pending
from happykids.db.repositories.parents import record_event
from happykids.domain.outbox import INTAKE_TASKS
from happykids.domain.receipts import ALBUM_QUIET_SECONDS, ChoiceSnapshot, IncomingMedia, shorten, source_key
from happykids.domain.reporting import FunnelStep
from happykids.services.project_payments import FeePayment, attach
from happykids.services.receipt_files import SavedFile
from happykids.services.receipt_outbox import enqueue_intake

MAX_COMMENT_CHARS = 1000
# The handler says "получили" itself within milliseconds; the outbox sends it only if that never happened.
ACK_GRACE_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class Sender:
    user_id: int
    name: str
    username: str | None


@dataclass(frozen=True, slots=True)
class IncomingFile:
    file_id: str
    file_unique_id: str
    media: IncomingMedia
    media_group_id: str | None
    caption: str | None


async def record(session: AsyncSession, incoming: IncomingFile, saved: SavedFile, sender: Sender,
                 choice: ChoiceSnapshot | None, fee: FeePayment | None = None) -> Receipt:
    """Add the receipt (or the album's next page) and its tasks; the caller commits. `fee`: the receipt pays for
    a project application (services/project_payments.py), not for classes."""
    comment = shorten(incoming.caption, MAX_COMMENT_CHARS) if incoming.caption and incoming.caption.strip() else None
    key = source_key(incoming.file_unique_id, incoming.media_group_id)
    album = incoming.media_group_id is not None
    receipt = await repo.by_source_key(session, key) if album else None
    due_at = utcnow() + timedelta(seconds=ALBUM_QUIET_SECONDS) if album else None
    ack_due_at = due_at or utcnow() + timedelta(seconds=ACK_GRACE_SECONDS)

    if receipt is None:
        receipt = repo.new_receipt(session, source_key=key, user_id=sender.user_id, parent_name=sender.name,
                                   username=sender.username, choice=fee.choice() if fee else choice,
                                   comment=comment)
        if fee is not None:
            attach(receipt, fee)
        await session.flush()
        _add_file(session, receipt.id, incoming, saved, position=0)
        enqueue_intake(session, receipt.id, due_at=due_at, ack_due_at=ack_due_at)
        if fee is None:  # the classes' funnel; a project fee is not a step of it
            await record_event(session, sender.user_id, FunnelStep.RECEIPT, choice.group_code if choice else None)
        return receipt

    # The next page of an album already on record.
    _add_file(session, receipt.id, incoming, saved, position=await repo.file_count(session, receipt.id))
    if comment and not receipt.comment:
        receipt.comment = comment
    subject = repo.subject_of(receipt.id)
    if due_at is None:  # a receipt is found by its key only for an album, which always waits
        raise ValueError("a later page of an album needs the album's due time")
    await postpone_pending(session, subject, due_at)
    waiting = await pending_kinds(session, subject)
    if not waiting >= INTAKE_TASKS:
        # A straggler after the album was already handled: show and archive it again, with every page.
        enqueue_intake(session, receipt.id, due_at=due_at)
    return receipt


def _add_file(session: AsyncSession, receipt_id: int, incoming: IncomingFile, saved: SavedFile,
              position: int) -> None:
    repo.add_file(session, receipt_id, file_unique_id=incoming.file_unique_id, telegram_file_id=incoming.file_id,
                  media=incoming.media, file_path=str(saved.path), sha256=saved.sha256, size=saved.size,
                  position=position)


async def known_file(session: AsyncSession, file_unique_id: str) -> tuple[ReceiptFile, Receipt] | None:
    file = await repo.file_by_unique_id(session, file_unique_id)
    if file is None:
        return None
    receipt = await repo.get(session, file.receipt_id)
    return (file, receipt) if receipt else None
