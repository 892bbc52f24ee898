"""Jobs that must run once across every replica of the bot (e.g. the daily backup): one row per run.

The key names the run ("daily_backup:2026-11-29"); the replica that inserts it (or takes it over after its lease
ran out without `done_at`) does the work. See workers/leases.py.
"""

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from happykids.db.base import Base


class JobClaim(Base):
    __tablename__ = "job_claims"
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    claimed_by: Mapped[str] = mapped_column(String(64))
    claimed_until: Mapped[datetime] = mapped_column(DateTime)
    done_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
