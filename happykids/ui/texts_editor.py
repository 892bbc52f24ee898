"""How the texts editor lists texts: each with a short preview of what parents read (the message's start,
the button's label), numbered pages, and the search by a word in a text's title or its current wording.

Kept out of the handler (handlers/admin/texts.py), which decides what to show; this module only builds it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from happykids.texts.model import TextDef, TextKind
from happykids.texts.service import Texts
from happykids.ui.callbacks import TextCard
from happykids.ui.keyboards.admin import Button, label
from tgtext.entities import EntityParseError
from tgtext.html import parse_html

PREVIEW_LENGTH = 80


def plain_text(definition: TextDef, template: str) -> str:
    """The text without tags, on one line (placeholders such as {group} kept, so she sees where they go)."""
    text = template
    if definition.kind is TextKind.MESSAGE:
        try:
            text = parse_html(template, strict=False).text
        except EntityParseError:
            text = html.unescape(re.sub(r"<[^<>]*>", "", template))
    return " ".join(text.split())


def preview_of(definition: TextDef, template: str) -> str:
    """A short preview: a label as the button shows it, a popup or command description marked as such."""
    text = plain_text(definition, template)
    text = text if len(text) <= PREVIEW_LENGTH else text[: PREVIEW_LENGTH - 1].rstrip() + "…"
    if definition.kind is TextKind.BUTTON:
        return f"[ {text} ]"
    if definition.kind is TextKind.COMMAND:
        return f"/{definition.key.removeprefix('cmd.')} — {text}"
    return text


def _fold(text: str) -> str:
    return text.casefold().replace("ё", "е")


def matches(query: str, definition: TextDef, template: str) -> bool:
    """Does every word of `query` appear in the text's title or its current wording (any case, ё = е)?"""
    where = _fold(f"{definition.description} {definition.screen} {plain_text(definition, template)}")
    return all(word in where for word in _fold(query).split())


def listing(texts: Texts, items: Sequence[tuple[int, TextDef, str]],
            overrides: set[str]) -> tuple[str, list[list[Button]]]:
    """The numbered lines (title and preview) and one button per text.

    `items`: (number, definition, current template)."""
    lines: list[str] = []
    rows: list[list[Button]] = []
    for number, definition, template in items:
        mark = " ✏️" if definition.key in overrides else ""
        lines.append(texts.fixed("panel.text_line", number=number, description=definition.description, mark=mark,
                                 preview=preview_of(definition, template)))
        rows.append([(label(f"{number}. {definition.description}{mark}"), TextCard(key=definition.key))])
    return "\n\n".join(lines), rows
