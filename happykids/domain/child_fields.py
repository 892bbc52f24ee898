"""The extra questions a director may ask about each child in a project (height, clothing size, shoe size, a
photo), and how the parent's typed answers are read. Pure rules: the handlers ask, the service stores.

A project keeps the fields it asks as a comma-separated list (`projects.child_fields`), in this order; the
child keeps the latest answers, each application its own copy (what was true when the parent applied).
"""

from __future__ import annotations

import re
from enum import StrEnum

from happykids.domain.projects import ProjectError


class ChildField(StrEnum):
    HEIGHT = "height"
    CLOTHING = "clothing"
    SHOE = "shoe"
    PHOTO = "photo"


ORDER = [ChildField.HEIGHT, ChildField.CLOTHING, ChildField.SHOE, ChildField.PHOTO]
TYPED = frozenset({ChildField.HEIGHT, ChildField.CLOTHING, ChildField.SHOE})
# Where each answer lives on the child (db/models/project.py, Child).
COLUMN = {ChildField.HEIGHT: "height_cm", ChildField.CLOTHING: "clothing_size", ChildField.SHOE: "shoe_size",
          ChildField.PHOTO: "photo_file_id"}


def decode(stored: str | None) -> list[ChildField]:
    """The project's fields, in ORDER; unknown names (a field removed in a later version) are skipped."""
    names = {part.strip() for part in (stored or "").split(",")}
    return [f for f in ORDER if f.value in names]


def encode(fields: list[ChildField] | set[ChildField]) -> str:
    return ",".join(f.value for f in ORDER if f in fields)


def toggle(stored: str | None, field: ChildField) -> str:
    current = set(decode(stored))
    current ^= {field}
    return encode(current)


def next_field(fields: list[ChildField], current: ChildField | None) -> ChildField | None:
    """The question after `current` (None: the first one); None when every field is answered."""
    if current is None:
        return fields[0] if fields else None
    later = fields[fields.index(current) + 1:] if current in fields else []
    return later[0] if later else None


def previous_field(fields: list[ChildField], current: ChildField) -> ChildField | None:
    """The question before `current`; None when it is the first (Back then leaves the questions)."""
    index = fields.index(current) if current in fields else 0
    return fields[index - 1] if index > 0 else None


_NUMBER = re.compile(r"^\s*(\d{1,3}(?:[.,]5)?)\s*(?:см|cm|р\.?|размер)?\s*$", re.IGNORECASE)
_SIZE = re.compile(r"^[0-9A-Za-zА-Яа-я/\-–. ]{1,16}$")


def parse_height(text: str) -> int:
    """«120» or «120 см»: 40 to 200 cm."""
    match = re.fullmatch(r"\s*(\d{2,3})\s*(?:см|cm)?\.?\s*", text, re.IGNORECASE)
    if not match or not 40 <= int(match.group(1)) <= 200:
        raise ProjectError("projects.err_height")
    return int(match.group(1))


def parse_clothing(text: str) -> str:
    """«116», «122-128», «XS»: up to 16 letters, digits and dashes."""
    value = " ".join(text.split())
    if not value or not _SIZE.match(value) or not any(ch.isalnum() for ch in value):
        raise ProjectError("projects.err_clothing")
    return value


def parse_shoe(text: str) -> str:
    """«31» or «31,5»: 15 to 46 (Russian sizes)."""
    match = _NUMBER.match(text)
    if not match:
        raise ProjectError("projects.err_shoe")
    value = match.group(1).replace(",", ".")
    if not 15 <= float(value) <= 46:
        raise ProjectError("projects.err_shoe")
    return value.replace(".", ",")


def parse_typed(field: ChildField, text: str) -> str | int:
    if field is ChildField.HEIGHT:
        return parse_height(text)
    if field is ChildField.CLOTHING:
        return parse_clothing(text)
    return parse_shoe(text)
