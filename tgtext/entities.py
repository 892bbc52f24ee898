"""Shared pieces of the formatting parsers: UTF-16 offsets and the parse result.

Telegram measures entity offsets/lengths (and, we assume, text limits) in UTF-16 code
units, so every parser tracks positions that way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class EntityParseError(Exception):
    """Formatted text Telegram would refuse; the message follows "can't parse entities: "."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def byte_offset(text: str, index: int) -> int:
    """UTF-8 byte offset of ``text[index]`` -- Telegram reports parse errors this way."""
    return len(text[:index].encode("utf-8"))


@dataclass
class ParsedText:
    """Plain text plus Bot API ``MessageEntity`` dicts (offsets in UTF-16 units)."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)

    def cleaned(self) -> ParsedText:
        """Drop "\r" like Telegram does (aiogram's MarkdownV2 output contains some)."""
        if "\r" not in self.text:
            return self
        new_index = [0]  # old UTF-16 position -> new UTF-16 position
        for char in self.text:
            step = 0 if char == "\r" else 1
            for _ in range(utf16_len(char)):
                new_index.append(new_index[-1] + step)
        entities = []
        for entity in self.entities:
            start = new_index[entity["offset"]]
            end = new_index[entity["offset"] + entity["length"]]
            if end > start:
                entities.append({**entity, "offset": start, "length": end - start})
        return ParsedText(self.text.replace("\r", ""), entities)

    def trimmed(self) -> ParsedText:
        """Strip surrounding whitespace like Telegram does, shifting/clipping entities."""
        stripped = self.text.strip()
        if stripped == self.text:
            return self
        lead = utf16_len(self.text[: len(self.text) - len(self.text.lstrip())])
        new_len = utf16_len(stripped)
        entities = []
        for entity in self.entities:
            start = max(0, entity["offset"] - lead)
            end = min(entity["offset"] + entity["length"] - lead, new_len)
            if end > start:
                entities.append({**entity, "offset": start, "length": end - start})
        return ParsedText(stripped, entities)


class EntityCollector:
    """Accumulates plain text and finished entities while a parser walks the source."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.offset = 0  # current UTF-16 position in the plain text
        self.entities: list[dict[str, Any]] = []

    def add(self, chunk: str) -> None:
        self.parts.append(chunk)
        self.offset += utf16_len(chunk)

    def entity(self, kind: str, start: int, **extra: Any) -> None:
        length = self.offset - start
        if length > 0:
            self.entities.append({"type": kind, "offset": start, "length": length, **extra})

    def result(self) -> ParsedText:
        entities = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return ParsedText("".join(self.parts), entities)
