"""MarkdownV2 and legacy Markdown, parsed like the Bot API (TDLib) does.

The bot is expected to use HTML, but a stray ``parse_mode="MarkdownV2"`` with an
unescaped "." is a classic production failure, so the emulator refuses it the same way.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from tgtext.entities import EntityCollector, EntityParseError, ParsedText, byte_offset

_RESERVED_V2 = "_*[]()~`>#+-=|{}.!"

# TDLib prints entity types in its "Can't find end of ... entity" message like this.
_V2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}


def _valid_link(url: str) -> bool:
    try:
        parts = urlsplit(url if "://" in url else f"http://{url}")
    except ValueError:
        return False
    return parts.scheme in {"http", "https", "tg", "ton"} and bool(parts.netloc or parts.path)


def _reserved(ch: str) -> EntityParseError:
    return EntityParseError(
        f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
    )


def _skip_pre_header(s: str, i: int) -> tuple[int, str]:
    """After an opening ``` return (position of content, language)."""
    n = len(s)
    language = ""
    end = i
    while end < n and not s[end].isspace() and s[end] != "`":
        end += 1
    if end != i and end < n and s[end] != "`":
        language = s[i:end]
        i = end
    if i < n and s[i] in "\r\n":
        i += 2 if i + 1 < n and s[i + 1] in "\r\n" and s[i] != s[i + 1] else 1
    return i, language


def parse_markdown_v2(text: str) -> ParsedText:
    s = text
    n = len(s)
    out = EntityCollector()
    # open entities: (type, argument, utf16 start, plain-text char index, source index)
    stack: list[tuple[str, str, int, int, int]] = []
    quote_start: int | None = None
    plain_len = 0  # characters emitted so far, to slice the text of [url] links

    def emit(chunk: str) -> None:
        nonlocal plain_len
        out.add(chunk)
        plain_len += len(chunk)

    def plain_text_since(index: int) -> str:
        return "".join(out.parts)[index:]

    i = 0
    while i < n:
        c = s[i]
        nxt = s[i + 1] if i + 1 < n else ""
        if c == "\\" and nxt and 0 < ord(nxt) <= 126:
            emit(nxt)
            i += 2
            continue
        in_code = bool(stack) and stack[-1][0] in {"code", "pre"}
        at_line_start = i == 0 or s[i - 1] == "\n"
        if c == ">" and at_line_start and not in_code:
            if quote_start is None:
                quote_start = out.offset
            i += 1
            continue
        reserved = "`" if in_code else _RESERVED_V2
        if c not in reserved:
            if c == "\n" and quote_start is not None and (i + 1 >= n or s[i + 1] != ">"):
                out.entity("blockquote", quote_start)
                quote_start = None
            emit(c)
            i += 1
            continue

        ending = False
        if stack:
            top = stack[-1][0]
            ending = {
                "bold": c == "*",
                "italic": c == "_" and nxt != "_",
                "code": c == "`",
                "pre": s.startswith("```", i),
                "text_link": c == "]",
                "custom_emoji": c == "]",
                "underline": s.startswith("__", i),
                "strikethrough": c == "~",
                "spoiler": s.startswith("||", i),
            }[top]

        if not ending:
            source_index = i
            argument = ""
            if c == "_":
                kind = "underline" if nxt == "_" else "italic"
                i += 2 if nxt == "_" else 1
            elif c == "*":
                kind, i = "bold", i + 1
            elif c == "~":
                kind, i = "strikethrough", i + 1
            elif c == "|":
                if nxt != "|":
                    raise _reserved(c)
                kind, i = "spoiler", i + 2
            elif c == "[":
                kind, i = "text_link", i + 1
            elif c == "`":
                if s.startswith("```", i):
                    kind = "pre"
                    i, argument = _skip_pre_header(s, i + 3)
                else:
                    kind, i = "code", i + 1
            elif c == "!":
                if nxt != "[":
                    raise _reserved(c)
                kind, i = "custom_emoji", i + 2
            else:
                raise _reserved(c)
            stack.append((kind, argument, out.offset, plain_len, source_index))
            continue

        kind, argument, start, plain_start, _ = stack.pop()
        if kind in {"underline", "spoiler"}:
            i += 2
        elif kind == "pre":
            i += 3
        elif kind in {"text_link", "custom_emoji"}:
            i += 1
            if i < n and s[i] == "(":
                url_begin = i + 1
                i += 1
                url_chars: list[str] = []
                while i < n and s[i] != ")":
                    if s[i] == "\\" and i + 1 < n and 0 < ord(s[i + 1]) <= 126:
                        url_chars.append(s[i + 1])
                        i += 2
                        continue
                    url_chars.append(s[i])
                    i += 1
                if i >= n:
                    what = "a custom emoji URL" if kind == "custom_emoji" else "a URL"
                    raise EntityParseError(
                        f"Can't find end of {what} at byte offset {byte_offset(s, url_begin)}"
                    )
                i += 1
                argument = "".join(url_chars)
            elif kind == "custom_emoji":
                raise EntityParseError("Custom emoji entity must contain a tg://emoji URL")
            else:
                argument = plain_text_since(plain_start)
        else:
            i += 1

        if kind == "text_link":
            if _valid_link(argument):
                out.entity("text_link", start, url=argument)
        elif kind == "custom_emoji":
            emoji_id = argument.split("id=", 1)[-1] if argument.startswith("tg://emoji") else ""
            if not emoji_id.isdigit():
                raise EntityParseError("Custom emoji URL must have an emoji identifier")
            out.entity("custom_emoji", start, custom_emoji_id=emoji_id)
        elif kind == "pre" and argument:
            out.entity("pre", start, language=argument)
        else:
            out.entity(kind, start)

    if stack:
        kind, argument, _, _, source_index = stack[-1]
        name = "PreCode" if kind == "pre" and argument else _V2_NAMES[kind]
        raise EntityParseError(
            f"Can't find end of {name} entity at byte offset {byte_offset(s, source_index)}"
        )
    if quote_start is not None:
        out.entity("blockquote", quote_start)
    return out.result()


def parse_markdown(text: str) -> ParsedText:
    """Legacy ``Markdown``: *bold* _italic_ `code` ```pre``` [text](url), no nesting."""
    s = text
    n = len(s)
    out = EntityCollector()
    i = 0
    while i < n:
        c = s[i]
        if c == "\\" and i + 1 < n and s[i + 1] in "_*`[":
            out.add(s[i + 1])
            i += 2
            continue
        if c not in "_*`[":
            out.add(c)
            i += 1
            continue
        begin = i
        end_char = "]" if c == "[" else c
        i += 1
        is_pre = False
        language = ""
        if c == "`" and s.startswith("``", i):
            is_pre = True
            i, language = _skip_pre_header(s, i + 2)
        start = out.offset
        content: list[str] = []
        while i < n and (s[i] != end_char or (is_pre and not s.startswith("```", i))):
            content.append(s[i])
            i += 1
        if i >= n:
            raise EntityParseError(
                f"Can't find end of the entity starting at byte offset {byte_offset(s, begin)}"
            )
        out.add("".join(content))
        i += 3 if is_pre else 1
        if c == "[":
            url = "".join(content)
            if i < n and s[i] == "(":
                close = s.find(")", i + 1)
                if close == -1:
                    raise EntityParseError(
                        f"Can't find end of a URL at byte offset {byte_offset(s, i + 1)}"
                    )
                url = s[i + 1 : close]
                i = close + 1
            if _valid_link(url):
                out.entity("text_link", start, url=url)
        elif c == "`":
            if is_pre and language:
                out.entity("pre", start, language=language)
            else:
                out.entity("pre" if is_pre else "code", start)
        else:
            out.entity("bold" if c == "*" else "italic", start)
    return out.result()
