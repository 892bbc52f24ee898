"""Telegram's HTML subset, parsed the way the Bot API (TDLib ``parse_html``) does.

Why a hand-written parser: the emulator must refuse exactly what Telegram refuses
(unknown tags, broken nesting, unclosed tags) with the same style of messages, and it
must compute the plain text and entities Telegram would store. Error texts and byte
offsets follow TDLib.

One deliberate extra in strict mode: a bare ``&`` (or an unknown named entity such as
``&nbsp;``) in the text is refused. Telegram itself keeps it literally, but in a bot's code
it means a value was not escaped, and the next value might contain ``<``. Inside
attribute values (``href="...?a=1&b=2"``) a bare ``&`` stays allowed, as in Telegram.
"""

from __future__ import annotations

import re

from tgtext.entities import EntityCollector, EntityParseError, ParsedText, byte_offset

SUPPORTED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    }
)

_SIMPLE_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "code": "code",
}

_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]{1,16}));")
_NAME_TOKEN = re.compile(r"[A-Za-z0-9.\-]*")


def decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode the character reference at ``text[pos] == '&'``; None if it is not one."""
    match = _ENTITY_RE.match(text, pos)
    if not match:
        return None
    dec, hexa, name = match.groups()
    if name is not None:
        char = _NAMED.get(name)
        return (char, match.end()) if char is not None else None
    code = int(dec, 10) if dec is not None else int(hexa, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


class _HtmlParser:
    def __init__(self, source: str, strict: bool) -> None:
        self.s = source
        self.n = len(source)
        self.strict = strict
        self.out = EntityCollector()
        # open tags: (tag, argument, utf16 start, expandable)
        self.stack: list[tuple[str, str, int, bool]] = []

    def fail(self, message: str) -> EntityParseError:
        return EntityParseError(message)

    def at(self, i: int) -> str:
        return self.s[i] if i < self.n else "\0"

    def skip_spaces(self, i: int) -> int:
        while i < self.n and self.s[i].isspace():
            i += 1
        return i

    def parse(self) -> ParsedText:
        i = 0
        text_start = 0
        while i < self.n:
            ch = self.s[i]
            if ch == "&":
                decoded = decode_entity(self.s, i)
                if decoded is not None:
                    self.out.add(self.s[text_start:i])
                    self.out.add(decoded[0])
                    i = text_start = decoded[1]
                    continue
                if self.strict:
                    raise self.fail(
                        f'Bare "&" at byte offset {byte_offset(self.s, i)}; '
                        'escape it as "&amp;" (strict emulator check)'
                    )
                i += 1
                continue
            if ch != "<":
                i += 1
                continue
            self.out.add(self.s[text_start:i])
            i = self.end_tag(i) if self.at(i + 1) == "/" else self.start_tag(i)
            text_start = i
        self.out.add(self.s[text_start:])
        if self.stack:
            raise self.fail(f'Can\'t find end tag corresponding to start tag "{self.stack[-1][0]}"')
        return self.out.result()

    def start_tag(self, begin: int) -> int:
        s = self.s
        boff = byte_offset(s, begin)
        if begin + 1 >= self.n:
            raise self.fail(f"Unexpected end of name token at byte offset {boff}")
        i = begin + 1
        while i < self.n and not s[i].isspace() and s[i] != ">":
            i += 1
        if i >= self.n:
            raise self.fail(f"Unclosed start tag at byte offset {boff}")
        tag = s[begin + 1 : i].lower()
        if tag not in SUPPORTED_TAGS:
            raise self.fail(f'Unsupported start tag "{tag}" at byte offset {boff}')

        argument = ""
        expandable = False
        while True:
            i = self.skip_spaces(i)
            if i >= self.n:
                raise self.fail(f"Unclosed start tag at byte offset {boff}")
            if s[i] == ">":
                break
            name_start = i
            while i < self.n and not s[i].isspace() and s[i] not in "=>":
                i += 1
            name = s[name_start:i].lower()
            if not name:
                raise self.fail(f'Empty attribute name in the tag "{tag}" at byte offset {boff}')
            i = self.skip_spaces(i)
            if self.at(i) != "=":
                if tag == "blockquote" and name == "expandable":
                    expandable = True
                    continue
                raise self.fail(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag}" at byte offset {boff}'
                )
            i = self.skip_spaces(i + 1)
            if i >= self.n:
                raise self.fail(f"Unclosed start tag at byte offset {boff}")
            value, i = self.attribute_value(i)
            if tag == "a" and name == "href":
                argument = value
            elif tag == "code" and name == "class" and value.startswith("language-"):
                argument = value[len("language-") :]
            elif tag == "span" and name == "class" and value.startswith("tg-"):
                argument = value[len("tg-") :]
            elif tag == "tg-emoji" and name == "emoji-id":
                argument = value
            # Telegram silently ignores any other attribute.

        if tag == "span" and argument != "spoiler":
            raise self.fail(f'Tag "span" must have class "tg-spoiler" at byte offset {boff}')
        self.stack.append((tag, argument, self.out.offset, expandable))
        return i + 1

    def attribute_value(self, i: int) -> tuple[str, int]:
        s = self.s
        if s[i] not in "'\"":
            match = _NAME_TOKEN.match(s, i)
            end = match.end() if match else i
            if end >= self.n or (not s[end].isspace() and s[end] != ">"):
                raise self.fail(f"Unexpected end of name token at byte offset {byte_offset(s, i)}")
            return s[i:end].lower(), end
        quote = s[i]
        string_begin = i
        i += 1
        chars: list[str] = []
        while i < self.n and s[i] != quote:
            if s[i] == "&":
                decoded = decode_entity(s, i)
                if decoded is not None:
                    chars.append(decoded[0])
                    i = decoded[1]
                    continue
            chars.append(s[i])
            i += 1
        if i >= self.n:
            raise self.fail(f"Unclosed start tag at byte offset {byte_offset(s, string_begin)}")
        return "".join(chars), i + 1

    def end_tag(self, begin: int) -> int:
        s = self.s
        boff = byte_offset(s, begin)
        if not self.stack:
            raise self.fail(f"Unexpected end tag at byte offset {boff}")
        i = begin + 2
        while i < self.n and not s[i].isspace() and s[i] != ">":
            i += 1
        end_name = s[begin + 2 : i].lower()
        i = self.skip_spaces(i)
        if self.at(i) != ">":
            raise self.fail(f"Unclosed end tag at byte offset {boff}")
        tag, argument, start, expandable = self.stack.pop()
        if end_name and end_name != tag:
            raise self.fail(
                f'Unmatched end tag at byte offset {boff}, expected "</{tag}>", '
                f'found "</{end_name}>"'
            )
        self.close_entity(tag, argument, start, expandable)
        return i + 1

    def close_entity(self, tag: str, argument: str, start: int, expandable: bool) -> None:
        out = self.out
        if tag == "a":
            if argument:
                out.entity("text_link", start, url=argument)
        elif tag == "tg-emoji":
            if not argument:
                raise self.fail("Custom emoji entity must have emoji-id")
            out.entity("custom_emoji", start, custom_emoji_id=argument)
        elif tag == "pre":
            language = None
            # <pre><code class="language-x">...</code></pre> becomes one pre entity; a
            # plain <code> inside <pre> is dropped (entities can't nest inside pre)
            last = out.entities[-1] if out.entities else None
            if (
                last is not None
                and last["type"] == "code"
                and last["offset"] == start
                and last["length"] == out.offset - start
            ):
                language = last.get("_language")
                out.entities.pop()
            if language:
                out.entity("pre", start, language=language)
            else:
                out.entity("pre", start)
        elif tag == "blockquote":
            out.entity("expandable_blockquote" if expandable else "blockquote", start)
        elif tag == "code":
            if argument:
                out.entity("code", start, _language=argument)
            else:
                out.entity("code", start)
        else:
            out.entity(_SIMPLE_ENTITY[tag], start)


def parse_html(text: str, *, strict: bool = True) -> ParsedText:
    """Return plain text + entities, or raise ``EntityParseError`` like Telegram."""
    parsed = _HtmlParser(text, strict).parse()
    for entity in parsed.entities:
        entity.pop("_language", None)
    return parsed
