"""Receipts, their files, the director's review messages, and the durable outbox of background work."""

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from happykids.db.base import Base, utcnow


class Receipt(Base):
    __tablename__ = "receipts"
    id: Mapped[int] = mapped_column(primary_key=True)
    # What makes a Telegram delivery unique (file_unique_id or media_group_id): a redelivered update hits it.
    source_key: Mapped[str] = mapped_column(String(255), unique=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    parent_name: Mapped[str] = mapped_column(Text, default="")
    username: Mapped[str | None] = mapped_column(String(64), nullable=True)
    group_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    group_title: Mapped[str | None] = mapped_column(Text, nullable=True)
    period_title: Mapped[str | None] = mapped_column(Text, nullable=True)
    children_title: Mapped[str | None] = mapped_column(Text, nullable=True)
    amount: Mapped[int | None] = mapped_column(Integer, nullable=True)
    link_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)  # the caption the parent wrote, if any
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    reject_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    decided_by_name: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    archive_location: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    # A project fee's receipt (services/project_payments.py): the project stays on the accounting record; the
    # application is forgotten (NULL) when the parent deletes their children's data (/mydata).
    project_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    application_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    # --- paid inside Telegram (domain/telegram_payments.py): no file, approved by itself ---
    method: Mapped[str] = mapped_column(String(16), default="link", server_default="link")  # PaymentMethod
    # Telegram's id of the charge: unique, so a repeated successful_payment records nothing twice.
    telegram_charge_id: Mapped[str | None] = mapped_column(String(255), nullable=True, unique=True)
    provider_charge_id: Mapped[str | None] = mapped_column(String(255), nullable=True)  # the provider's (ЮKassa)


class ReceiptFile(Base):
    __tablename__ = "receipt_files"
    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipts.id", ondelete="CASCADE"), index=True)
    file_unique_id: Mapped[str] = mapped_column(String(255), unique=True)
    telegram_file_id: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))  # photo | document
    file_path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    mime_type: Mapped[str | None] = mapped_column(String(128), nullable=True)
    size: Mapped[int] = mapped_column(Integer, default=0)
    position: Mapped[int] = mapped_column(Integer, default=0)
    archive_location: Mapped[str | None] = mapped_column(Text, nullable=True)


class ReviewMessage(Base):
    """Every copy of a receipt shown to an admin, so a decision can update all of them."""

    __tablename__ = "review_messages"
    __table_args__ = (UniqueConstraint("receipt_id", "chat_id", "message_id", name="uq_review_messages_msg"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipts.id", ondelete="CASCADE"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    card_in: Mapped[str] = mapped_column(String(16), default="caption")  # caption | text: how to edit it
    shows_decision: Mapped[bool] = mapped_column(Boolean, default=False)  # edited once; never the same edit twice
    # Sent without buttons, they are put on once the copy is on record (an unrecorded copy is never live).
    armed: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Who edits it now (a process's token) and since when: a claim of a dead process is taken over at once.
    claimed_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class MessageIntent(Base):
    """A message about a receipt that is being or was sent: committed before the Bot API call, completed after.

    After a crash a row still `sending` says the message may have gone out; domain/outbox.py (may_repeat)
    says which kinds are then sent again.
    """

    __tablename__ = "message_intents"
    __table_args__ = (UniqueConstraint("kind", "receipt_id", "chat_id", name="uq_message_intents_what"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # MessageKind
    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipts.id", ondelete="CASCADE"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))  # IntentStatus
    message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=1)  # more than one: sent again after a crash
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class OutboxTask(Base):
    """Work that must happen after a commit (notify admins, archive, tell the parent) and survive kill -9."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_due", "status", "due_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)  # e.g. "receipt:12"
    payload: Mapped[str] = mapped_column(Text, default="{}")
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | done | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # The replica running it now (workers/leases.py): claimed_until is when another may take it over.
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
