"""Receipts, their files and the review copies shown to admins."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import func, or_, select, update
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.base import utcnow
from happykids.db.models import Receipt, ReceiptFile, ReviewMessage
from happykids.db.upserts import insert_for
from happykids.domain.receipts import ChoiceSnapshot, IncomingMedia, ReceiptStatus
from happykids.domain.telegram_payments import PaymentMethod


def subject_of(receipt_id: int) -> str:
    """How outbox tasks name the receipt they are about."""
    return f"receipt:{receipt_id}"


async def get(session: AsyncSession, receipt_id: int, *, fresh: bool = False) -> Receipt | None:
    """`fresh`: read the row again even if this session has it already (it may have been decided meanwhile)."""
    return await session.get(Receipt, receipt_id, populate_existing=fresh)


async def file_by_unique_id(session: AsyncSession, file_unique_id: str) -> ReceiptFile | None:
    return await session.scalar(select(ReceiptFile).where(ReceiptFile.file_unique_id == file_unique_id))


async def by_source_key(session: AsyncSession, source_key: str) -> Receipt | None:
    return await session.scalar(select(Receipt).where(Receipt.source_key == source_key))


async def paid_in_telegram_since(session: AsyncSession, user_id: int, since: datetime, group_code: str,
                                 period: str, children: str) -> datetime | None:
    """When this parent last paid this very choice inside Telegram at or after `since`, if they did."""
    query = (select(func.max(Receipt.created_at))
             .where(Receipt.user_id == user_id, Receipt.method == PaymentMethod.TELEGRAM.value,
                    Receipt.created_at >= since, Receipt.group_code == group_code, Receipt.period_title == period,
                    Receipt.children_title == children))
    return await session.scalar(query)


def new_receipt(session: AsyncSession, *, source_key: str, user_id: int, parent_name: str, username: str | None,
                choice: ChoiceSnapshot | None, comment: str | None) -> Receipt:
    receipt = Receipt(
        source_key=source_key, user_id=user_id, parent_name=parent_name, username=username,
        group_code=choice.group_code if choice else None, group_title=choice.group if choice else None,
        period_title=choice.period if choice else None, children_title=choice.children if choice else None,
        amount=choice.amount if choice else None, link_url=choice.url if choice else None,
        comment=comment, status=ReceiptStatus.PENDING.value, created_at=utcnow(),
    )
    session.add(receipt)
    return receipt


def add_file(session: AsyncSession, receipt_id: int, *, file_unique_id: str, telegram_file_id: str,
             media: IncomingMedia, file_path: str, sha256: str, size: int, position: int) -> None:
    session.add(ReceiptFile(
        receipt_id=receipt_id, file_unique_id=file_unique_id, telegram_file_id=telegram_file_id,
        kind=media.kind.value, file_path=file_path, sha256=sha256, mime_type=media.mime_type, size=size,
        position=position,
    ))


async def files_of(session: AsyncSession, receipt_id: int) -> list[ReceiptFile]:
    query = select(ReceiptFile).where(ReceiptFile.receipt_id == receipt_id).order_by(ReceiptFile.position,
                                                                                      ReceiptFile.id)
    return list((await session.scalars(query)).all())


async def file_count(session: AsyncSession, receipt_id: int) -> int:
    return int(await session.scalar(select(func.count()).select_from(ReceiptFile)
                                    .where(ReceiptFile.receipt_id == receipt_id)) or 0)


async def decide(session: AsyncSession, receipt_id: int, status: ReceiptStatus, admin_id: int, admin_name: str,
                 reason: str | None) -> bool:
    """Record the decision if nobody decided first. The WHERE on status makes two presses race safely:
    exactly one UPDATE changes the row, the other sees rowcount 0."""
    result = await session.execute(
        update(Receipt)
        .where(Receipt.id == receipt_id, Receipt.status == ReceiptStatus.PENDING.value)
        .values(status=status.value, decided_by=admin_id, decided_by_name=admin_name, decided_at=utcnow(),
                reject_reason=reason)
    )
    return _rowcount(result) == 1


async def pending_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Receipt)
                                    .where(Receipt.status == ReceiptStatus.PENDING.value)) or 0)


async def pending_page(session: AsyncSession, offset: int, limit: int) -> list[Receipt]:
    """Pending receipts, newest first."""
    query = (select(Receipt).where(Receipt.status == ReceiptStatus.PENDING.value)
             .order_by(Receipt.created_at.desc(), Receipt.id.desc()).offset(offset).limit(limit))
    return list((await session.scalars(query)).all())


async def review_copies(session: AsyncSession, receipt_id: int) -> list[ReviewMessage]:
    query = select(ReviewMessage).where(ReviewMessage.receipt_id == receipt_id).order_by(ReviewMessage.id)
    return list((await session.scalars(query)).all())


async def chats_with_copy(session: AsyncSession, receipt_id: int) -> set[int]:
    query = select(ReviewMessage.chat_id).where(ReviewMessage.receipt_id == receipt_id)
    return set((await session.scalars(query)).all())


async def copy_at(session: AsyncSession, chat_id: int, message_id: int) -> ReviewMessage | None:
    """The copy shown in that message, as the database has it now."""
    query = select(ReviewMessage).where(ReviewMessage.chat_id == chat_id, ReviewMessage.message_id == message_id)
    return await session.scalar(query.execution_options(populate_existing=True))


async def copy_by_id(session: AsyncSession, copy_id: int) -> ReviewMessage | None:
    """The copy as the database has it now."""
    return await session.get(ReviewMessage, copy_id, populate_existing=True)


def add_copy(session: AsyncSession, receipt_id: int, chat_id: int, message_id: int, card_in: str,
             shows_decision: bool, *, armed: bool) -> None:
    session.add(ReviewMessage(receipt_id=receipt_id, chat_id=chat_id, message_id=message_id, card_in=card_in,
                              shows_decision=shows_decision, armed=armed))


async def adopt_copy(session: AsyncSession, receipt_id: int, chat_id: int, message_id: int, card_in: str) -> None:
    """Put a card somebody pressed on record if it is not (a copy sent before a crash, or by an old version):
    from now on the decision updates it like any other. Two presses at once insert it once."""
    dialect = session.get_bind().dialect.name
    await session.execute(insert_for(dialect, ReviewMessage).values(
        receipt_id=receipt_id, chat_id=chat_id, message_id=message_id, card_in=card_in, shows_decision=False,
        armed=True,
    ).on_conflict_do_nothing(index_elements=["receipt_id", "chat_id", "message_id"]))


async def claim_copy(session: AsyncSession, copy_id: int, owner: str, now: datetime, stale_before: datetime) -> bool:
    """Take the right to edit a copy that does not show the decision yet; only one editor holds it at a time.
    A claim of another owner (a process that died: only one runs at a time) or one older than `stale_before`
    is taken over, so a kill between claiming and editing never leaves the copy as it was."""
    result = await session.execute(
        update(ReviewMessage)
        .where(ReviewMessage.id == copy_id, ReviewMessage.shows_decision.is_(False),
               or_(ReviewMessage.claimed_by.is_(None), ReviewMessage.claimed_by != owner,
                   ReviewMessage.claimed_at < stale_before))
        .values(claimed_by=owner, claimed_at=now)
    )
    return _rowcount(result) == 1


async def settle_copy(session: AsyncSession, copy_id: int, *, armed: bool, shows_decision: bool) -> None:
    """The edit is done (or cannot be done): record what the copy shows and let go of it."""
    await session.execute(update(ReviewMessage).where(ReviewMessage.id == copy_id)
                          .values(armed=armed, shows_decision=shows_decision, claimed_by=None, claimed_at=None))


async def release_copy(session: AsyncSession, copy_id: int) -> None:
    """The edit failed for a passing reason: let the retry claim it again."""
    await session.execute(update(ReviewMessage).where(ReviewMessage.id == copy_id)
                          .values(claimed_by=None, claimed_at=None))


async def set_file_archived(session: AsyncSession, file_id: int, location: str) -> None:
    await session.execute(update(ReceiptFile).where(ReceiptFile.id == file_id).values(archive_location=location))


async def set_receipt_archived(session: AsyncSession, receipt_id: int, location: str) -> None:
    await session.execute(update(Receipt).where(Receipt.id == receipt_id).values(archive_location=location))


def _rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE changed (SQLAlchemy types `execute` as a plain Result)."""
    return int(cast(CursorResult[Any], result).rowcount or 0)
