"""What is wrong with a text Telegram would refuse, said in plain Russian for a person who is not a programmer.

Telegram answers a broken text with "Bad Request: can't parse entities: Unsupported start tag "font" at
byte offset 7". Someone editing a bot's texts needs instead: which tag, why, and how to write it. These
functions check a typed text with the same parser the emulator uses (``tgtext.html``) and the limits of
``tgtext.limits``, and explain each problem; they know nothing of a particular bot or its placeholders.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tgtext import limits
from tgtext.entities import EntityParseError, utf16_len
from tgtext.html import parse_html
from tgtext.typed import TagIssue

EMPTY = "Текст пустой — напишите, пожалуйста, хотя бы несколько слов."
NOTHING_LEFT = "После оформления не остаётся текста — добавьте слова."
NO_FORMATTING = "Здесь оформление (теги вроде <b>) не работает — напишите простой текст."
ONE_LINE = "Этот текст должен быть одной строкой."
ALLOWED_TAGS_HINT = ("<b>жирный</b>, <i>курсив</i>, <u>подчёркнутый</u>, <s>зачёркнутый</s>, "
                     '<a href="https://…">ссылка</a>, <code>код</code>, <blockquote>цитата</blockquote>')

_TAG_RE = re.compile(r"</?[A-Za-z][^>]*>")
# "&" that does not start one of the character references Telegram understands.
_BARE_AMP_RE = re.compile(r"&(?!(?:lt|gt|amp|quot|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});)")

# The parser's (TDLib's) error text -> an explanation; the first pattern that matches wins.
_HTML_ERRORS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r'Unsupported start tag "([^"]*)"'),
     lambda m: f"Тег <{m[1]}> Telegram не поддерживает. Можно: {ALLOWED_TAGS_HINT}. "
               "Если нужен сам знак «<», напишите &lt;"),
    (re.compile(r'Can\'t find end tag corresponding to start tag "([^"]*)"'),
     lambda m: f"Тег <{m[1]}> открыт, но не закрыт — добавьте </{m[1]}> там, где оформление заканчивается."),
    (re.compile(r'expected "</([^"]*)>", found "</([^"]*)>"'),
     lambda m: f"Теги перепутаны: сначала нужно закрыть </{m[1]}>, а стоит </{m[2]}>."),
    (re.compile(r"Unexpected end tag"),
     lambda m: "Лишний закрывающий тег (вроде </b>) — у него нет открывающего."),
    (re.compile(r"Unclosed (start|end) tag|Unexpected end of name token|Expected equal sign|Empty attribute"),
     lambda m: "Тег не дописан: после имени тега нужна скобка «>», например <b>, а ссылка пишется так: "
               '<a href="https://…">текст</a>. Если нужен сам знак «<», напишите &lt;'),
]


LITERAL_LT = "Если нужен сам знак «<», напишите &lt;"


def explain_tag_issue(issue: TagIssue) -> str:
    """A typed tag that cannot work (``tgtext.typed``), as advice."""
    tag = issue.tag
    if issue.kind == "unsupported":
        return f"Тег <{tag}> Telegram не поддерживает. Можно: {ALLOWED_TAGS_HINT}. {LITERAL_LT}."
    if issue.kind == "unclosed":
        return f"Тег <{tag}> открыт, но не закрыт — добавьте </{tag}> там, где оформление заканчивается."
    if issue.kind == "stray":
        return f"Лишний закрывающий тег </{tag}> — у него нет открывающего <{tag}>."
    if issue.kind == "crossed":
        return (f"Теги перепутаны: сначала нужно закрыть </{issue.other}>, а стоит </{tag}>. "
                f"Правильно так: <{tag}>…<{issue.other}>…</{issue.other}></{tag}>.")
    if tag == "a":
        return 'Ссылка пишется так: <a href="https://…">текст</a>.'
    return (f"Тег <{tag}> не дописан: после имени тега нужна скобка «>», например <{tag}>…</{tag}>. "
            f"{LITERAL_LT}.")


def explain_html_error(detail: str) -> str:
    """An ``EntityParseError`` message of ``tgtext.html`` as advice; unknown ones are quoted as they are."""
    for pattern, explain in _HTML_ERRORS:
        match = pattern.search(detail)
        if match:
            return explain(match)
    return f"Telegram не примет такое оформление ({detail})."


def too_long(text: str, limit: int) -> list[str]:
    """The length problem of a text as shown (no tags), counted like Telegram; empty when it fits."""
    length = utf16_len(text)
    if length > limit:
        return [f"Слишком длинно: {length} символов, а Telegram разрешает не больше {limit}."]
    return []


def html_problems(html: str, limit: int = limits.MESSAGE_TEXT) -> list[str]:
    """Why Telegram would refuse ``html`` as an HTML message (broken tags, nothing to show, too long)."""
    try:
        shown = parse_html(html).text.strip()
    except EntityParseError as exc:
        return [explain_html_error(str(exc))]
    problems = [] if shown else [NOTHING_LEFT]
    return problems + too_long(shown, limit)


def plain_problems(typed: str, limit: int, *, one_line: bool, filled: str | None = None) -> list[str]:
    """Why a plain text (a button, a popup, a command description) would not work as ``typed``.

    Tags are not parsed there, so they would be shown as they are. ``filled`` is the text as it will be
    sent when ``typed`` is a template with values still to put in; its length is what counts.
    """
    problems = []
    if _TAG_RE.search(typed):
        problems.append(NO_FORMATTING)
    if one_line and "\n" in typed:
        problems.append(ONE_LINE)
    return problems + too_long((typed if filled is None else filled).strip(), limit)


def escape_bare_ampersands(html: str) -> str:
    """Turn each "&" that starts no character reference ("мама & папа") into "&amp;"; the rest stays."""
    return _BARE_AMP_RE.sub("&amp;", html)
