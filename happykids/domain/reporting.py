"""The periods the director can look at statistics for: pure date arithmetic, no database."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum


class FunnelStep(StrEnum):
    """The steps a parent reaches, in order; stored in funnel events and counted by the statistics."""

    STARTED = "started"
    GROUP = "group"
    CONFIRMED = "confirmed"
    LINK = "link"
    RECEIPT = "receipt"
    APPROVED = "approved"


class Period(StrEnum):
    WEEK = "7d"
    MONTH = "30d"
    ALL = "all"

    @property
    def days(self) -> int | None:
        return {"7d": 7, "30d": 30, "all": None}[self.value]

    # Not `title`: a StrEnum member is a str, and str.title() must keep meaning what it means.
    @property
    def label(self) -> str:
        return {"7d": "за 7 дней", "30d": "за 30 дней", "all": "за всё время"}[self.value]

    def since(self, now: datetime) -> datetime | None:
        return None if self.days is None else now - timedelta(days=self.days)
