"""The catalog a parent chooses from, as plain data: groups, periods, children counts and payment links.

No aiogram and no SQLAlchemy here: the dialog, the YAML import and the admin panel all share these rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlparse


class CatalogKind(StrEnum):
    """The three kinds of catalog item, which are also the dialog's three steps (short: they go in callback data)."""

    GROUP = "g"
    PERIOD = "p"
    CHILDREN = "c"


class CatalogError(ValueError):
    """The catalog breaks a rule; the message says which line, item and field, and why, in plain Russian: the
    director reads it in the panel and the operator in the terminal. Field names stay as in the file."""


@dataclass(frozen=True, slots=True)
class Option:
    """One button of a step. `key` is the stable code (group/period id, or the children count as text)."""

    id: int
    key: str
    title: str
    hidden: bool = False


@dataclass(frozen=True, slots=True)
class Link:
    group: str
    period: str
    children: int
    url: str
    amount: int | None = None


@dataclass(frozen=True, slots=True)
class Choice:
    """What a parent picked. Titles are captured so a receipt keeps them even if the catalog changes later."""

    group: Option
    period: Option
    children: Option


@dataclass(slots=True)
class Catalog:
    contacts: str = ""
    groups: list[Option] = field(default_factory=list)
    periods: list[Option] = field(default_factory=list)
    children: list[Option] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)

    def visible(self, options: list[Option]) -> list[Option]:
        return [o for o in options if not o.hidden]

    def find(self, options: list[Option], option_id: int | None) -> Option | None:
        """A visible option by its id, or None for an id that is unknown, hidden or forged."""
        for option in options:
            if option.id == option_id and not option.hidden:
                return option
        return None

    def link_for(self, choice: Choice) -> Link | None:
        """The link for exactly this combination; never a neighbour's."""
        for link in self.links:
            if (
                link.group == choice.group.key
                and link.period == choice.period.key
                and str(link.children) == choice.children.key
            ):
                return link
        return None


def check_url(url: str) -> str:
    """Return the URL stripped, or raise CatalogError if it is not an http(s) link a button can carry."""
    url = url.strip()
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or " " in url:
        raise CatalogError(f"url «{url}» — это не ссылка http:// или https://")
    return url


def check_amount(amount: object) -> int | None:
    if amount is None or amount == "":
        return None
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise CatalogError(f"amount «{amount}» — нужна сумма в рублях, целое число больше нуля")
    return amount
