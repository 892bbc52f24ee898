"""Telegram update ids whose work is committed, so an update delivered again after a crash is skipped.

Polling confirms an update to Telegram only after it was handled (app/polling.py); a kill -9 between the
commit and that confirmation means Telegram sends the update again. Its id is written in the same transaction
as its work (db/unit_of_work.py), so "recorded" means exactly "its effects are in the database". Ids older than
Telegram keeps updates (24 hours) cannot come back and are pruned.
"""

from datetime import datetime

from sqlalchemy import BigInteger, DateTime
from sqlalchemy.orm import Mapped, mapped_column

from happykids.db.base import Base, utcnow


class HandledUpdate(Base):
    __tablename__ = "handled_updates"
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    handled_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
