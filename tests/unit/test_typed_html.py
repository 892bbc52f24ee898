"""tgtext.typed: what the director sends (text + entities) as the Telegram HTML parents get."""

from __future__ import annotations

import pytest

from tgtext.entities import utf16_len
from tgtext.explain import explain_tag_issue
from tgtext.html import parse_html
from tgtext.typed import as_typed, to_html


def bold(text: str, part: str) -> dict:
    start = text.index(part)
    return {"type": "bold", "offset": utf16_len(text[:start]), "length": utf16_len(part)}


def shown(html: str) -> str:
    """What a parent reads (Telegram's own parser, strict: a bare "&" would be refused)."""
    return parse_html(html, strict=True).text


def test_entities_become_tags():
    text = "Завтра занятий нет — праздник"
    result = to_html(text, [bold(text, "занятий нет")])
    assert result.html == "Завтра <b>занятий нет</b> — праздник" and not result.issues


def test_typed_tags_work():
    result = to_html("Завтра <b>занятий нет</b>, <i>курсив</i> <u>u</u> <s>s</s> <tg-spoiler>x</tg-spoiler>")
    assert result.html == "Завтра <b>занятий нет</b>, <i>курсив</i> <u>u</u> <s>s</s> <tg-spoiler>x</tg-spoiler>"
    assert not result.issues


def test_typed_link_code_pre_blockquote():
    source = '<a href="https://pay.example.com/?a=1&b=2">оплата</a> <code>x<y</code> <pre>a & b</pre> ' \
             "<blockquote>цитата</blockquote>"
    result = to_html(source)
    assert not result.issues
    assert '<a href="https://pay.example.com/?a=1&b=2">оплата</a>' in result.html
    assert "<code>x&lt;y</code>" in result.html and "<pre>a &amp; b</pre>" in result.html
    assert shown(result.html) == "оплата x<y a & b цитата"


@pytest.mark.parametrize("text", ["Люблю вас <3", "a < b > c", "мама & папа", "5<6", "<<>>"])
def test_a_stray_lt_or_amp_is_a_character(text):
    result = to_html(text)
    assert not result.issues
    assert shown(result.html) == text


def test_character_references_typed_on_purpose_stay():
    assert shown(to_html("&lt;3 &amp; &#128512;").html) == "<3 & 😀"


def test_entities_and_typed_tags_together_with_a_stray_lt():
    text = "Важно: <i>завтра</i> выходной <3 & ждём"
    result = to_html(text, [bold(text, "Важно:")])
    assert result.html == "<b>Важно:</b> <i>завтра</i> выходной &lt;3 &amp; ждём"
    assert not result.issues


def test_utf16_offsets_after_emoji():
    text = "🎉👨‍👩‍👧 Праздник 🎉 и <b>подарки</b>"
    result = to_html(text, [bold(text, "Праздник 🎉")])
    assert result.html == "🎉👨‍👩‍👧 <b>Праздник 🎉</b> и <b>подарки</b>"
    parsed = parse_html(result.html)
    assert [e["type"] for e in parsed.entities] == ["bold", "bold"]


def test_nested_and_overlapping_entities_always_nest():
    text = "abc def"
    result = to_html(text, [{"type": "bold", "offset": 0, "length": 5}, {"type": "italic", "offset": 2, "length": 5}])
    assert shown(result.html) == text  # valid: closed and reopened
    nested = to_html("жирный курсив", [{"type": "bold", "offset": 0, "length": 13},
                                       {"type": "italic", "offset": 7, "length": 6}])
    assert nested.html == "<b>жирный <i>курсив</i></b>"


def test_entity_link_mention_pre_language_spoiler():
    text = "сайт Анна код цитата"
    entities = [
        {"type": "text_link", "offset": 0, "length": 4, "url": "https://example.com/?a=1&b=\"2\""},
        {"type": "text_mention", "offset": 5, "length": 4, "user": {"id": 42, "is_bot": False, "first_name": "А"}},
        {"type": "pre", "offset": 10, "length": 3, "language": "python"},
        {"type": "expandable_blockquote", "offset": 14, "length": 6},
        {"type": "url", "offset": 0, "length": 4},  # found by Telegram itself: no tag
    ]
    result = to_html(text, entities)
    assert result.html == ('<a href="https://example.com/?a=1&amp;b=&quot;2&quot;">сайт</a> '
                           '<a href="tg://user?id=42">Анна</a> <pre><code class="language-python">код</code></pre> '
                           "<blockquote expandable>цитата</blockquote>")
    assert shown(result.html) == text


def test_typed_tags_inside_code_are_characters():
    text = "пример: <b>жирный</b>"
    result = to_html(text, [{"type": "code", "offset": 8, "length": 13}])
    assert result.html == "пример: <code>&lt;b&gt;жирный&lt;/b&gt;</code>"
    assert to_html("<code><b>x</b></code>").html == "<code>&lt;b&gt;x&lt;/b&gt;</code>"


@pytest.mark.parametrize(("text", "kind", "advice"), [
    ("<font>Шаг 1</font>", "unsupported", "не поддерживает"),
    ("<b>Шаг 1. Выберите группу", "unclosed", "не закрыт"),
    ("Шаг 1.</b> Выберите", "stray", "Лишний"),
    ("<b>Шаг <i>1.</b></i> Выберите", "crossed", "перепутаны"),
    ("<b>Шаг 1.</b Выберите группу", "broken", "не дописан"),
    ("<a>ссылка</a>", "broken", "Ссылка пишется так"),
])
def test_tags_that_cannot_work_are_reported_and_kept_as_characters(text, kind, advice):
    result = to_html(text)
    assert kind in [issue.kind for issue in result.issues]
    assert any(advice in explain_tag_issue(issue) for issue in result.issues)
    parse_html(result.html, strict=True)  # still valid HTML whatever she typed


def test_as_typed_shows_characters_and_round_trips():
    stored = to_html("<b>Ура</b> <3 & мама &lt;b&gt;").html
    assert stored == "<b>Ура</b> &lt;3 &amp; мама &lt;b&gt;"
    typed = as_typed(stored)
    assert typed == "<b>Ура</b> <3 & мама &lt;b>"
    assert to_html(typed).html == stored
