"""How the receipt archive fares, in one row: what the panel and `happykids health` show, and what the admins
were already told (so a restart with the same wrong MEGA password does not tell them again)."""

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from happykids.db.base import Base

SINGLETON_ID = 1


class ArchiveStatus(Base):
    __tablename__ = "archive_status"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # always SINGLETON_ID
    backend: Mapped[str] = mapped_column(String(16), default="")  # mega | local: what the last start used
    last_upload_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)  # cleared by the next success
    last_error_kind: Mapped[str | None] = mapped_column(String(16), nullable=True)  # domain.archive.ArchiveErrorKind
    last_error_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    login_checked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    told_admins: Mapped[str | None] = mapped_column(Text, nullable=True)  # the error the admins were told about
