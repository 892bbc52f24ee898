"""Renewals and the scheduler's table: who has paid until when, and what is to be sent at a time.

`reminders` is the one scheduler of the bot (services/reminders.py explains why it is a table of its own and
not the outbox): a row is the reminder's schedule and, once claimed, its intent — so a kill -9 between the claim
and the Bot API call leaves a row that says "may have gone out", never a silent duplicate.
"""

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from happykids.db.base import Base, utcnow


class PaidPeriod(Base):
    """One family's paid period in one group: set by an approved payment, corrected by the director."""

    __tablename__ = "paid_periods"
    __table_args__ = (UniqueConstraint("user_id", "group_code", name="uq_paid_periods_user_group"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    group_code: Mapped[str] = mapped_column(String(64))
    period_code: Mapped[str | None] = mapped_column(String(64), nullable=True)  # what to offer at «Продлить»
    children_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    paid_until: Mapped[date] = mapped_column(Date, index=True)  # the last paid day, agency's calendar
    receipt_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the payment that set it last
    stopped_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # «Мы больше не занимаемся»
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Reminder(Base):
    """Something to send at a time. `key` makes it unique (one per link, one per paid-until date)."""

    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_status_due", "status", "due_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(128), unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    payload: Mapped[str] = mapped_column(Text, default="{}")
    due_at: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")  # domain.renewals.ReminderStatus
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    message_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)  # why it was skipped, failed or is uncertain
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
