"""What a person sent to a bot (text + Telegram entities) as Telegram HTML, ready to send on to others.

A person formats a message two ways, often both in one message: with the app's own buttons (Bold,
Italic… which arrive as entities) and by typing tags (``<b>…</b>``). ``to_html`` keeps both:

- every formatting entity becomes its tag (mentions, links, hashtags Telegram finds by itself are left
  to it);
- a typed tag Telegram supports, properly opened and closed, stays a tag;
- any other ``<`` (``<3``, ``a < b``) and any ``&`` that does not start a character reference
  (``мама & папа``) is just a character and is escaped; ``&lt;`` typed on purpose stays ``&lt;``.

Tags the person seems to have meant but that cannot work (``<font>``, an unclosed ``<b>``, ``</b`` without
``>``, crossed ``<b><i></b></i>``) are kept as characters too, and reported in ``Formatted.issues`` so a
caller can ask her to fix them rather than send them as visible text. Whatever the input, ``html`` is
accepted by Telegram: overlapping entities are closed and reopened so tags always nest.

Hand-written: aiogram's ``html_text`` escapes typed tags, and no kept library merges typed HTML with
entities. Offsets are UTF-16 code units, as Telegram counts them (``tgtext.entities``).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from tgtext.entities import EntityParseError
from tgtext.html import SUPPORTED_TAGS, decode_entity, parse_html

# Entity type -> (opening tag, closing tag); None: Telegram recognises it in plain text by itself.
_SIMPLE = {"bold": "b", "italic": "i", "underline": "u", "strikethrough": "s", "spoiler": "tg-spoiler",
           "code": "code", "blockquote": "blockquote"}
_VERBATIM = {"code", "pre"}  # inside these, a typed "<b>" is meant as characters

_TAG_START = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")
_LOOKS_LIKE_TAG = re.compile(r"/?[A-Za-z]")
_REFERENCE = re.compile(r"&(?:lt|gt|amp);")
_TAG_FULL = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s[^<>]*)?)>")


@dataclass(frozen=True)
class TagIssue:
    """A typed tag that could not work, kept as characters. ``kind``: "unsupported" (``<font>``), "unclosed"
    (``<b>`` never closed), "stray" (``</b>`` never opened), "crossed" (``</b>`` while ``<i>`` is open: then
    ``other`` is "i"), "broken" (``<b`` or ``</b`` without ``>``)."""

    kind: str
    tag: str
    other: str = ""


@dataclass
class Formatted:
    html: str
    issues: list[TagIssue] = field(default_factory=list)


def _escape(text: str) -> str:
    """Escape ``<`` and ``>``; keep character references (``&lt;``), escape every other ``&``."""
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "&":
            decoded = decode_entity(text, i)
            if decoded is not None:
                out.append(text[i:decoded[1]])
                i = decoded[1]
                continue
            out.append("&amp;")
        else:
            out.append(html.escape(ch, quote=False))
        i += 1
    return "".join(out)


def _entity_tags(entity: dict[str, Any]) -> tuple[str, str] | None:
    kind = entity.get("type")
    if kind in _SIMPLE:
        return f"<{_SIMPLE[kind]}>", f"</{_SIMPLE[kind]}>"
    if kind == "expandable_blockquote":
        return "<blockquote expandable>", "</blockquote>"
    if kind == "pre":
        language = entity.get("language")
        if language:
            return f'<pre><code class="language-{html.escape(language)}">', "</code></pre>"
        return "<pre>", "</pre>"
    if kind == "text_link" and entity.get("url"):
        return f'<a href="{html.escape(entity["url"])}">', "</a>"
    if kind == "text_mention":
        user = entity.get("user") or {}
        user_id = user.get("id") if isinstance(user, dict) else getattr(user, "id", None)
        return (f'<a href="tg://user?id={int(user_id)}">', "</a>") if user_id is not None else None
    if kind == "custom_emoji" and entity.get("custom_emoji_id"):
        return f'<tg-emoji emoji-id="{html.escape(entity["custom_emoji_id"])}">', "</tg-emoji>"
    return None


def _index_map(text: str) -> dict[int, int]:
    """UTF-16 offset -> index in ``text`` (for every character boundary)."""
    mapping, units = {0: 0}, 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        mapping[units] = index + 1
    return mapping


def _opening_works(token: str, name: str) -> bool:
    """Would Telegram accept this opening tag (its attributes: an <a> needs href, a span a tg-spoiler class…)?"""
    try:
        parsed = parse_html(f"{token}x</{name}>", strict=False)
    except EntityParseError:
        return False
    return name != "a" or bool(parsed.entities)


@dataclass
class _Typed:
    tags: dict[int, tuple[int, str, str, int]]  # start index -> (end index, "open"/"close", html, pair id)
    issues: list[TagIssue]


def _typed_tags(text: str, verbatim: list[tuple[int, int]]) -> _Typed:
    """The typed tags that work (balanced, properly nested, supported), by position; the rest are issues."""
    issues: list[TagIssue] = []
    opened: list[tuple[str, int, str]] = []  # (name, start, token)
    pairs: list[tuple[int, int, str, int, int, str]] = []  # (open start, open end, token, close start, close end, name)
    i = 0
    while True:
        match = _TAG_START.search(text, i)
        if match is None:
            break
        start = match.start()
        if any(a <= start < b for a, b in verbatim):
            i = start + 1
            continue
        closing, name = match.group(1) == "/", match.group(2).lower()
        inside_code = bool(opened) and opened[-1][0] in _VERBATIM
        if inside_code and not (closing and name == opened[-1][0]):
            i = start + 1
            continue
        full = _TAG_FULL.match(text, start)
        if full is None:
            if name in SUPPORTED_TAGS:
                issues.append(TagIssue("broken", name))
            i = start + 1
            continue
        end = full.end()
        if name not in SUPPORTED_TAGS:
            issues.append(TagIssue("unsupported", name))
        elif not closing:
            if _opening_works(full.group(0), name):
                opened.append((name, start, full.group(0)))
            else:
                issues.append(TagIssue("broken", name))
        elif not any(n == name for n, _, _ in opened):
            issues.append(TagIssue("stray", name))
        else:
            while opened[-1][0] != name:  # crossed: the inner ones stay characters
                inner = opened.pop()
                issues.append(TagIssue("crossed", name, inner[0]))
            open_name, open_start, token = opened.pop()
            pairs.append((open_start, open_start + len(token), token, start, end, open_name))
        i = end
    issues.extend(TagIssue("unclosed", name) for name, _, _ in opened)
    tags: dict[int, tuple[int, str, str, int]] = {}
    for pair_id, (o_start, o_end, token, c_start, c_end, name) in enumerate(pairs):
        tags[o_start] = (o_end, "open", token, pair_id)
        tags[c_start] = (c_end, "close", f"</{name}>", pair_id)
    return _Typed(tags, _unique(issues))


def _unique(issues: list[TagIssue]) -> list[TagIssue]:
    seen: set[tuple[str, str]] = set()
    result = []
    for issue in issues:
        if issue.kind == "stray" and any(i.kind == "crossed" and i.other == issue.tag for i in issues):
            continue  # "<b><i></b></i>": the </i> is explained by the crossing already
        if issue.kind == "stray" and any(i.kind == "broken" and i.tag == issue.tag for i in issues):
            continue  # "<a>x</a>": the </a> is explained by the broken <a>
        if (issue.kind, issue.tag) not in seen:
            seen.add((issue.kind, issue.tag))
            result.append(issue)
    return result


class _Writer:
    """Emits text and tags so that tags always nest: closing a tag that is not innermost closes the inner
    ones first and reopens them after. An opening tag is written only when text follows it."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.stack: list[list[Any]] = []  # [key, open html, close html, written]

    def open(self, key: object, opening: str, closing: str, *, now: bool = False) -> None:
        """`now`: write the tag even if no text follows (a typed "<b></b>" stays what she typed)."""
        if now:
            self._flush()
            self.out.append(opening)
        self.stack.append([key, opening, closing, now])

    def close(self, key: object) -> None:
        position = next((i for i in range(len(self.stack) - 1, -1, -1) if self.stack[i][0] == key), None)
        if position is None:
            return
        above = self.stack[position + 1:]
        for frame in reversed(above):
            if frame[3]:
                self.out.append(frame[2])
        frame = self.stack[position]
        if frame[3]:
            self.out.append(frame[2])
        del self.stack[position:]
        for again in above:
            self.stack.append([again[0], again[1], again[2], False])

    def _flush(self) -> None:
        for frame in self.stack:
            if not frame[3]:
                self.out.append(frame[1])
                frame[3] = True

    def text(self, chunk: str) -> None:
        if chunk:
            self._flush()
            self.out.append(chunk)

    def result(self) -> str:
        for frame in reversed(self.stack):
            if frame[3]:
                self.out.append(frame[2])
        return "".join(self.out)


def to_html(text: str, entities: list[dict[str, Any]] | None = None) -> Formatted:
    """``text`` with its Bot API ``entities`` (dicts; offsets in UTF-16 units) as Telegram HTML."""
    index_of = _index_map(text)
    spans = []
    for number, entity in enumerate(entities or []):
        tags = _entity_tags(entity)
        start = index_of.get(int(entity.get("offset", 0)))
        end = index_of.get(int(entity.get("offset", 0)) + int(entity.get("length", 0)))
        if tags is None or start is None or end is None or end <= start:
            continue
        spans.append((start, end, tags, entity.get("type"), number))
    verbatim = [(s, e) for s, e, _, kind, _ in spans if kind in _VERBATIM]
    typed = _typed_tags(text, verbatim)

    opens: dict[int, list[tuple[int, int, tuple[str, str]]]] = {}
    closes: dict[int, list[int]] = {}
    for start, end, tags, _, number in spans:
        opens.setdefault(start, []).append((end, number, tags))
        closes.setdefault(end, []).append(number)
    writer = _Writer()
    i, chunk_start, n = 0, 0, len(text)
    while i <= n:
        events = i in opens or i in closes or i in typed.tags
        if events or i == n:
            writer.text(_escape(text[chunk_start:i]))
            for number in sorted(closes.get(i, []), reverse=True):
                writer.close(("entity", number))
            for _, number, (opening, closing) in sorted(opens.get(i, []), key=lambda o: (-o[0], o[1])):
                writer.open(("entity", number), opening, closing)
            chunk_start = i
            if i in typed.tags:
                end, what, tag_html, pair_id = typed.tags[i]
                if what == "open":
                    name = tag_html[1:].split(">")[0].split()[0].lower()
                    writer.open(("typed", pair_id), tag_html, f"</{name}>", now=True)
                else:
                    writer.close(("typed", pair_id))
                # entity boundaries inside a typed tag move to its end
                for inner in range(i + 1, end):
                    for number in closes.pop(inner, []):
                        closes.setdefault(end, []).append(number)
                    for item in opens.pop(inner, []):
                        opens.setdefault(end, []).append(item)
                i = chunk_start = end
                continue
        i += 1
    return Formatted(writer.result(), typed.issues)


def as_typed(html_text: str) -> str:
    """Stored HTML the way a person would type it back: an ``&lt;``, ``&gt;`` or ``&amp;`` that ``to_html``
    would make again from the bare character is shown as the character, so a copied text reads naturally
    (``<3``, ``мама & папа``) and sending it back gives the same HTML."""

    def plain(match: re.Match[str]) -> str:
        rest = html_text[match.end():]
        if match.group(0) == "&lt;":
            return match.group(0) if _LOOKS_LIKE_TAG.match(rest) else "<"
        if match.group(0) == "&amp;":
            return match.group(0) if decode_entity("&" + rest, 0) is not None else "&"
        return ">"

    return _REFERENCE.sub(plain, html_text)
