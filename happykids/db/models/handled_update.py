"""Telegram update ids whose work is committed, so an update delivered again after a crash is skipped.

Polling confirms an update to Telegram only after it was handled (app/polling.py); a kill -9 between the
commit and that confirmation means Telegram sends the update again. Its id is written in the same transaction
as its work (db/unit_of_work.py), so "recorded" means exactly "its effects are in the database". Ids older than
Telegram keeps updates (24 hours) cannot come back and are pruned.
"""

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Text
from sqlalchemy.orm import Mapped, mapped_column

from happykids.db.base import Base, utcnow


class HandledUpdate(Base):
    __tablename__ = "handled_updates"
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    handled_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class InboxUpdate(Base):
    """An update fetched by long polling, kept until it is handled (app/polling.py, issue #8).

    Polling stores each fetched batch here in one transaction and only then confirms it to Telegram, so
    Telegram never has to send it again and the next getUpdates brings only new updates. A row whose update
    was handled is deleted with the next batch; at start-up the rows without a HandledUpdate are handled
    first (a kill -9 left them unfinished)."""

    __tablename__ = "update_inbox"
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    payload: Mapped[str] = mapped_column(Text)  # the update's JSON exactly as Telegram sent it
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
