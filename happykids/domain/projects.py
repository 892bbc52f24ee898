"""Projects (castings, shoots, shows) and the applications to them: vocabulary and pure rules.

Who holds a place, who waits, what a freed place does, and how the director's typed answers (dates, places,
fee) and the parent's (a child's name and birth date) are read. No database and no Telegram here: the service
(services/projects.py) applies these rules under the project's row lock, so they never race.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from happykids.domain.clock import to_utc


class ProjectKind(StrEnum):
    CASTING = "casting"
    SHOOT = "shoot"
    SHOW = "show"
    OTHER = "other"


class ProjectStatus(StrEnum):
    DRAFT = "draft"  # only the director sees it
    PUBLISHED = "published"  # parents see it and may apply until the deadline
    CLOSED = "closed"  # applications closed; the list stays
    CANCELLED = "cancelled"  # called off; everyone who applied was told


class FeeKind(StrEnum):
    FREE = "free"
    PAID = "paid"  # an amount and a payment link, shown after applying
    EXTERNAL = "external"  # no applying in the bot: a sign-up link elsewhere


class Audience(StrEnum):
    ALL = "all"
    GROUPS = "groups"  # parents who paid for one of the chosen catalog groups (Project.audience_groups)


class ApplicationStatus(StrEnum):
    APPLIED = "applied"  # holds a place; the director has not decided yet
    WAITING = "waiting"  # on the waiting list, in arrival order
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"  # by the parent, or the whole project was cancelled


class ProjectTask(StrEnum):
    """Outbox kinds of projects (workers/project_tasks.py runs them)."""

    TELL_PARENT = "project.tell_parent"


class ProjectFunnelStep(StrEnum):
    """The projects' funnel, per parent and project (FunnelEvent.kind, with FunnelEvent.project_id).

    PAID is written where a project fee is confirmed (the receipts of project fees); the statistics count it
    whenever it is there."""

    VIEWED = "project_viewed"  # opened the project's card
    APPLIED = "project_applied"
    APPROVED = "project_approved"
    PAID = "project_paid"


HOLDS_PLACE = frozenset({ApplicationStatus.APPLIED, ApplicationStatus.APPROVED})
ACTIVE = frozenset({ApplicationStatus.APPLIED, ApplicationStatus.WAITING, ApplicationStatus.APPROVED})


class ProjectError(ValueError):
    """A rule said no; the message is a key of texts/defaults/projects.py (the caller words it)."""


def places_left(places: int | None, taken: int) -> int | None:
    """None: unlimited."""
    return None if places is None else max(places - taken, 0)


def arrival_status(places: int | None, taken: int) -> ApplicationStatus:
    """The status of an application that arrives when `taken` places are held."""
    return ApplicationStatus.APPLIED if places is None or taken < places else ApplicationStatus.WAITING


def free_places(places: int | None, taken: int, waiting: int) -> int:
    """How many of the waiting list move up now."""
    if places is None:
        return waiting
    return max(0, min(places - taken, waiting))


@dataclass(frozen=True, slots=True)
class Window:
    """What the clock allows for a project (times are naive UTC, like every stored time)."""

    status: ProjectStatus
    starts_at: datetime | None
    deadline: datetime | None

    def open_for_applications(self, now: datetime) -> bool:
        return (self.status is ProjectStatus.PUBLISHED
                and (self.deadline is None or now < self.deadline)
                and (self.starts_at is None or now < self.starts_at))

    def cancellable_by_parent(self, now: datetime) -> bool:
        return self.status in (ProjectStatus.PUBLISHED, ProjectStatus.CLOSED) and (
            self.deadline is None or now < self.deadline)


def check_apply(window: Window, now: datetime) -> None:
    if window.status is not ProjectStatus.PUBLISHED:
        raise ProjectError("projects.err_closed")
    if not window.open_for_applications(now):
        raise ProjectError("projects.err_deadline")


# -- what people type ----------------------------------------------------------------------------------

_DATE = re.compile(r"^\s*(\d{1,2})[./-](\d{1,2})[./-](\d{2}|\d{4})\s*(?:[ ,в]+\s*(\d{1,2})[:.](\d{2}))?\s*$")
TBA_WORDS = ("уточн", "tba", "позже", "-")
UNLIMITED_WORDS = ("без огранич", "неогранич", "нет", "∞")
FREE_WORDS = ("бесплатно", "0", "free")
NAME_MAX = 60
TITLE_MAX = 120
PLACE_MAX = 300


def _date_parts(text: str) -> tuple[date, time | None]:
    match = _DATE.match(text)
    if not match:
        raise ProjectError("projects.err_date_format")
    day, month, year, hour, minute = match.groups()
    full_year = int(year) + 2000 if len(year) == 2 else int(year)
    try:
        when = date(full_year, int(month), int(day))
        at = time(int(hour), int(minute)) if hour is not None else None
    except ValueError as exc:
        raise ProjectError("projects.err_date_format") from exc
    return when, at


def parse_starts_at(text: str, tz: tzinfo, now: datetime) -> datetime | None:
    """«25.12.2026 14:00» in the agency's time -> naive UTC; «дата уточняется» -> None. Must be in the future."""
    if any(word in text.strip().lower() for word in TBA_WORDS) and not _DATE.match(text):
        return None
    day, at = _date_parts(text)
    if at is None:
        raise ProjectError("projects.err_need_time")
    result = to_utc(datetime.combine(day, at), tz)
    if result <= now:
        raise ProjectError("projects.err_past")
    return result


def parse_deadline(text: str, tz: tzinfo, now: datetime, starts_at: datetime | None) -> datetime | None:
    """«20.12.2026» (to the end of that day) or «20.12.2026 18:00»; «нет» -> None (until the project starts)."""
    if any(word == text.strip().lower() for word in ("нет", "-", "без срока")):
        return None
    day, at = _date_parts(text)
    local = datetime.combine(day, at) if at is not None else datetime.combine(day, time(23, 59))
    result = to_utc(local, tz)
    if result <= now:
        raise ProjectError("projects.err_past")
    if starts_at is not None and result > starts_at:
        raise ProjectError("projects.err_deadline_after_start")
    return result


def parse_places(text: str) -> int | None:
    """A number from 1 to 10 000, or «без ограничений» -> None."""
    cleaned = text.strip().lower()
    if any(word in cleaned for word in UNLIMITED_WORDS):
        return None
    if not cleaned.isdigit() or not 1 <= int(cleaned) <= 10_000:
        raise ProjectError("projects.err_places")
    return int(cleaned)


@dataclass(frozen=True, slots=True)
class Fee:
    kind: FeeKind
    amount: int | None = None
    url: str | None = None


_URL = re.compile(r"^https?://\S+\.\S+$")


def parse_fee(text: str) -> Fee:
    """«бесплатно»; «1500 https://pay…» (an amount and a payment link); «https://…» alone: sign-up elsewhere."""
    words = text.split()
    if len(words) == 1 and words[0].lower() in FREE_WORDS:
        return Fee(FeeKind.FREE)
    if len(words) == 1 and _URL.match(words[0]):
        return Fee(FeeKind.EXTERNAL, url=words[0])
    if len(words) == 2:
        amount, url = words[0].replace("₽", ""), words[1]
        if amount.isdigit() and 0 < int(amount) <= 1_000_000 and _URL.match(url):
            return Fee(FeeKind.PAID, int(amount), url)
    raise ProjectError("projects.err_fee")


def clean_line(text: str, limit: int, error: str) -> str:
    value = " ".join(text.split())
    if not value or len(value) > limit:
        raise ProjectError(error)
    return value


def parse_child_name(text: str) -> str:
    name = clean_line(text, NAME_MAX, "projects.err_child_name")
    if not any(ch.isalpha() for ch in name) or name.startswith("/"):
        raise ProjectError("projects.err_child_name")
    return name


def parse_birth_date(text: str, today: date) -> date:
    """«05.03.2017»; a child is 0 to 18 years old."""
    day, at = _date_parts(text)
    if at is not None or day > today or day < today - timedelta(days=365 * 19):
        raise ProjectError("projects.err_birth_date")
    return day


def age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def deep_link_payload(project_id: int) -> str:
    return f"project_{project_id}"


def project_from_payload(payload: str | None) -> int | None:
    match = re.fullmatch(r"project_(\d{1,9})", payload or "")
    return int(match.group(1)) if match else None


# -- who may apply: the children's age on the project's date ------------------------------------------------

AGE_MAX = 18
_AGES = re.compile(r"^\s*(?:от\s*)?(\d{1,2})?\s*(?:[-–—]|до|\.\.)?\s*(\d{1,2})?\s*(?:лет|года|год)?\s*$")


def parse_age_range(text: str) -> tuple[int | None, int | None]:
    """«5-9», «5–9 лет», «от 5 до 9», «от 10», «до 7», «6» (exactly six) -> (min, max), inclusive, 0 to 18."""
    cleaned = text.strip().lower()
    match = _AGES.match(cleaned)
    if not match or not any(match.groups()):
        raise ProjectError("projects.err_ages")
    low, high = (int(x) if x is not None else None for x in match.groups())
    if low is not None and high is None and not re.search(r"^от|[-–—]|до|\.\.", cleaned):
        high = low  # a single number: exactly that age
    if cleaned.startswith("до") and high is None:
        low, high = None, low
    if any(v is not None and v > AGE_MAX for v in (low, high)) or (
            low is not None and high is not None and low > high):
        raise ProjectError("projects.err_ages")
    return low, high


def age_fits(age: int, age_min: int | None, age_max: int | None) -> bool:
    return (age_min is None or age >= age_min) and (age_max is None or age <= age_max)
