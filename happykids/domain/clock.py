"""The agency's local time. The database keeps naive UTC; people, file names and months use local time.

The zone is one setting for the whole process (TIMEZONE, default Yekaterinburg), configured at start-up.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
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


# -- the process's clock ------------------------------------------------------------------------------------
# Everything that asks "what time is it" for the database or a schedule goes through `utc_now()`, so tests can
# move time (a paid month passes in a second) without sleeping; in production the offset is always zero.

_offset = timedelta(0)


def utc_now() -> datetime:
    """Naive UTC now, as the database stores it (plus the test offset, zero in production)."""
    return datetime.now(UTC).replace(tzinfo=None) + _offset


def local_now(tz: tzinfo | None = None) -> datetime:
    """Naive local now, in the agency's zone (or `tz`)."""
    return to_local(utc_now(), tz)


def travel(delta: timedelta) -> None:
    """TEST HOOK: move the clock by `delta` (forward or back); it keeps ticking from there."""
    global _offset  # noqa: PLW0603 - one clock per process
    _offset += delta


def travel_to(moment_utc: datetime) -> None:
    """TEST HOOK: make `utc_now()` be `moment_utc` (naive UTC) now; it keeps ticking from there."""
    global _offset  # noqa: PLW0603 - one clock per process
    _offset = moment_utc - datetime.now(UTC).replace(tzinfo=None)


def offset() -> timedelta:
    return _offset


def reset() -> None:
    """Back to the real time."""
    global _offset  # noqa: PLW0603 - one clock per process
    _offset = timedelta(0)
