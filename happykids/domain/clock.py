"""The agency's local time. The database keeps naive UTC; people, file names and months use local time.

The zone is one setting for the whole process (TIMEZONE, default Yekaterinburg), configured at start-up.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Asia/Yekaterinburg"  # the agency's city


def zone(name: str) -> tzinfo:
    """The zone called `name`; raises ValueError for a name the tz database does not know."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r} (for example {DEFAULT_TIMEZONE})") from exc


_agency = zone(DEFAULT_TIMEZONE)


def configure(name: str) -> None:
    global _agency  # noqa: PLW0603 - one zone per process, set once from the settings
    _agency = zone(name)


def agency_zone() -> tzinfo:
    return _agency


def to_local(moment: datetime, tz: tzinfo | None = None) -> datetime:
    """A naive UTC datetime from the database -> naive local time for people."""
    return moment.replace(tzinfo=UTC).astimezone(tz or _agency).replace(tzinfo=None)


def to_utc(local: datetime, tz: tzinfo | None = None) -> datetime:
    """Naive local time -> naive UTC, the way the database stores it."""
    return local.replace(tzinfo=tz or _agency).astimezone(UTC).replace(tzinfo=None)
