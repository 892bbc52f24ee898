"""Telegram update ids whose work is committed, so an update delivered again after a crash is skipped.

Polling confirms an update to Telegram only after it was handled (app/polling.py); a kill -9 between the
commit and that confirmation means Telegram sends the update again. Its id is written in the same transaction
as its work (db/unit_of_work.py), so "recorded" means exactly "its effects are in the database". Ids older than
Telegram keeps updates (24 hours) cannot come back and are pruned.

On PostgreSQL `finished` is set when the update's handling ran to its end (with the release of the chat's lock,
db/unit_of_work.py): an update delivered again whose work was committed but never finished (its replica was
killed between a commit and the screen it was about to show) gets its screen shown again rather than nothing.
"""

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from happykids.db.base import Base, utcnow


class HandledUpdate(Base):
    __tablename__ = "handled_updates"
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    handled_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    finished: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class InboxUpdate(Base):
    """An update fetched by long polling, kept until it is handled (app/polling.py, issue #8).

    Polling stores each fetched batch here in one transaction and only then confirms it to Telegram, so
    Telegram never has to send it again and the next getUpdates brings only new updates. A row whose update
    was handled is deleted as it finishes; at start-up the rows left are handled first (a kill -9 left them
    unfinished; one with a HandledUpdate only gets its screen shown again)."""

    __tablename__ = "update_inbox"
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    payload: Mapped[str] = mapped_column(Text)  # the update's JSON exactly as Telegram sent it
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
