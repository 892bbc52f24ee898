"""tgtext on its own: Telegram's text rules (parsers, limits) and their plain-Russian explanations.

The emulator tests drive the parsers through a real bot; these pin the public functions directly, so the
package can be reused (and changed) without the emulator.
"""

from __future__ import annotations

import pytest

from tgtext import limits
from tgtext.entities import EntityParseError, ParsedText, byte_offset, utf16_len
from tgtext.explain import (
    ALLOWED_TAGS_HINT,
    EMPTY,
    NO_FORMATTING,
    NOTHING_LEFT,
    ONE_LINE,
    escape_bare_ampersands,
    explain_html_error,
    html_problems,
    plain_problems,
    too_long,
)
from tgtext.html import decode_entity, parse_html
from tgtext.markdown import parse_markdown, parse_markdown_v2


# -- entities: Telegram's units -------------------------------------------------------------------
def test_lengths_are_utf16_units_and_error_offsets_utf8_bytes():
    assert utf16_len("abc") == 3 and utf16_len("я") == 1 and utf16_len("😀") == 2
    assert byte_offset("😀 x", 2) == 5 and byte_offset("я", 1) == 2


def test_cleaned_drops_carriage_returns_and_shifts_entities():
    parsed = ParsedText("a\r\nb", [{"type": "bold", "offset": 3, "length": 1}])
    assert parsed.cleaned() == ParsedText("a\nb", [{"type": "bold", "offset": 2, "length": 1}])
    assert ParsedText("\r", [{"type": "bold", "offset": 0, "length": 1}]).cleaned() == ParsedText("", [])


def test_trimmed_strips_like_telegram_and_clips_entities():
    parsed = ParsedText("  hi  ", [{"type": "bold", "offset": 0, "length": 6}])
    assert parsed.trimmed() == ParsedText("hi", [{"type": "bold", "offset": 0, "length": 2}])
    same = ParsedText("hi", [])
    assert same.trimmed() is same


# -- HTML ----------------------------------------------------------------------------------------
def test_decode_entity_knows_telegrams_references_only():
    assert decode_entity("&amp;x", 0) == ("&", 5)
    assert decode_entity("&#x1F600;", 0) == ("😀", 9)
    assert decode_entity("&nbsp;", 0) is None and decode_entity("&#0;", 0) is None


@pytest.mark.parametrize(("html", "message"), [
    ("<font>x</font>", 'Unsupported start tag "font" at byte offset 0'),
    ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
    ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
    ("x</b>", "Unexpected end tag at byte offset 1"),
    ("<b", "Unclosed start tag at byte offset 0"),
    ("<b x>", 'Expected equal sign in declaration of an attribute of the tag "b" at byte offset 0'),
    ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ("a & b", 'Bare "&" at byte offset 2; escape it as "&amp;" (strict emulator check)'),
])
def test_html_errors_read_like_telegrams(html, message):
    with pytest.raises(EntityParseError) as info:
        parse_html(html)
    assert str(info.value) == message


def test_html_outside_strict_mode_keeps_a_bare_ampersand_like_telegram():
    assert parse_html("a & b &nbsp;", strict=False).text == "a & b &nbsp;"


def test_html_nested_entities_are_sorted_by_offset_then_outer_first():
    parsed = parse_html("<b>a<i>b</i></b>")
    assert parsed.text == "ab"
    assert parsed.entities == [
        {"type": "bold", "offset": 0, "length": 2},
        {"type": "italic", "offset": 1, "length": 1},
    ]


# -- Markdown ------------------------------------------------------------------------------------
def test_markdown_v2_entities_and_escapes():
    parsed = parse_markdown_v2(r"*b* _i_ __u__ ~s~ ||p|| `c` [l](https://x.org) 1\.5")
    assert parsed.text == "b i u s p c l 1.5"
    assert [e["type"] for e in parsed.entities] == [
        "bold", "italic", "underline", "strikethrough", "spoiler", "code", "text_link",
    ]
    assert parsed.entities[-1]["url"] == "https://x.org"


@pytest.mark.parametrize(("text", "message"), [
    ("Готово.", "Character '.' is reserved and must be escaped with the preceding '\\'"),
    ("*bold", "Can't find end of Bold entity at byte offset 0"),
    ("[x](https://x.org", "Can't find end of a URL at byte offset 4"),
])
def test_markdown_v2_errors_read_like_telegrams(text, message):
    with pytest.raises(EntityParseError) as info:
        parse_markdown_v2(text)
    assert str(info.value) == message


def test_legacy_markdown():
    parsed = parse_markdown("*b* _i_ `c` [l](https://x.org) 1.5")
    assert parsed.text == "b i c l 1.5"
    assert [e["type"] for e in parsed.entities] == ["bold", "italic", "code", "text_link"]
    with pytest.raises(EntityParseError, match="Can't find end of the entity starting at byte offset 0"):
        parse_markdown("*b")


# -- limits and explanations ---------------------------------------------------------------------
def test_limits_are_telegrams():
    assert (limits.MESSAGE_TEXT, limits.CAPTION, limits.BUTTON_TEXT) == (4096, 1024, 64)
    assert (limits.CALLBACK_ANSWER, limits.COMMAND_DESCRIPTION) == (200, 256)


@pytest.mark.parametrize(("detail", "expected"), [
    ('Unsupported start tag "font" at byte offset 0',
     f"Тег <font> Telegram не поддерживает. Можно: {ALLOWED_TAGS_HINT}. Если нужен сам знак «<», напишите &lt;"),
    ('Can\'t find end tag corresponding to start tag "b"',
     "Тег <b> открыт, но не закрыт — добавьте </b> там, где оформление заканчивается."),
    ('Unmatched end tag at byte offset 4, expected "</b>", found "</i>"',
     "Теги перепутаны: сначала нужно закрыть </b>, а стоит </i>."),
    ("Unexpected end tag at byte offset 1", "Лишний закрывающий тег (вроде </b>) — у него нет открывающего."),
    ("Unclosed start tag at byte offset 0",
     "Тег не дописан: после имени тега нужна скобка «>», например <b>, а ссылка пишется так: "
     '<a href="https://…">текст</a>. Если нужен сам знак «<», напишите &lt;'),
    ("something new", "Telegram не примет такое оформление (something new)."),
])
def test_explain_html_error(detail, expected):
    assert explain_html_error(detail) == expected


def test_html_problems():
    assert html_problems("<b>Привет</b>") == []
    assert html_problems("<b>Привет") == [explain_html_error('Can\'t find end tag corresponding to start tag "b"')]
    assert html_problems("<b> </b>") == [NOTHING_LEFT]
    assert html_problems("<b>" + "я" * 11 + "</b>", limit=10) == [
        "Слишком длинно: 11 символов, а Telegram разрешает не больше 10."
    ]
    assert html_problems("😀" * 2049) == ["Слишком длинно: 4098 символов, а Telegram разрешает не больше 4096."]


def test_plain_problems():
    assert plain_problems("Назад", limits.BUTTON_TEXT, one_line=True) == []
    assert plain_problems("<b>На\nзад</b>", 64, one_line=True) == [NO_FORMATTING, ONE_LINE]
    assert plain_problems("На\nзад", 64, one_line=False) == []
    assert plain_problems("{x}", 5, one_line=True, filled="  123456  ") == [
        "Слишком длинно: 6 символов, а Telegram разрешает не больше 5."
    ]
    assert plain_problems("Мама & папа", 64, one_line=True) == []  # no HTML rules in plain text


def test_too_long_counts_utf16():
    assert too_long("😀😀", 4) == [] and too_long("😀😀", 3) != []


def test_escape_bare_ampersands_keeps_references():
    assert escape_bare_ampersands("Мама & папа &amp; &lt;3 &#128512; &#x1F600; &nbsp;") == \
        "Мама &amp; папа &amp; &lt;3 &#128512; &#x1F600; &amp;nbsp;"


def test_the_empty_text_message():
    assert "пустой" in EMPTY
