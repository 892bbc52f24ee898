"""The checks a director's text passes before it replaces a default: Telegram must accept it."""

from __future__ import annotations

import pytest

from happykids.texts.defaults import DEFAULTS
from happykids.texts.model import TextDef, TextKind
from happykids.texts.service import Markup
from happykids.texts.validation import check_text, normalize, render
from happykids.ui.callbacks import TextAct, TextAction, TextCard
from tgtext.explain import explain_html_error

MESSAGE = TextDef("t.msg", "Привет! Контакты:\n{contacts}", "Тест", "Сообщение")
BUTTON = TextDef("btn.t", "⬅️ Назад", "Тест", "Кнопка", kind=TextKind.BUTTON)
POPUP = TextDef("t.popup", "Кнопка устарела", "Тест", "Всплывающий ответ", kind=TextKind.POPUP)
COMMAND = TextDef("cmd.t", "Начать оплату", "Тест", "Описание команды", kind=TextKind.COMMAND)


def test_every_default_passes_its_own_check():
    for definition in DEFAULTS.values():
        assert check_text(definition, definition.default) == [], definition.key


def test_every_text_key_fits_in_button_data():
    for key in DEFAULTS:
        for action in TextAct:
            assert len(TextAction(key=key, action=action).pack().encode()) <= 64, key
        assert len(TextCard(key=key).pack().encode()) <= 64


def test_kinds_of_the_defaults():
    assert MESSAGE.kind is TextKind.MESSAGE and not MESSAGE.plain
    assert DEFAULTS["dialog.stale_button"].kind is TextKind.POPUP
    assert DEFAULTS["btn.back"].kind is TextKind.BUTTON
    assert DEFAULTS["cmd.help"].kind is TextKind.COMMAND
    assert all(d.plain for d in DEFAULTS.values() if d.key.startswith(("btn.", "cmd.")))


@pytest.mark.parametrize(("template", "expected"), [
    ("<b>Привет {contacts}", "не закрыт"),
    ("<b>Привет</i> {contacts}", "перепутаны"),
    ("Привет</b> {contacts}", "Лишний"),
    ("<font color=red>Привет</font> {contacts}", "не поддерживает"),
    ("<b Привет {contacts}", "не дописан"),
    ("дети < 5 лет {contacts}", "&lt;"),
    ("<span>x</span> {contacts}", "span"),
])
def test_broken_html_is_explained_in_russian(template, expected):
    problems = check_text(MESSAGE, template)
    assert len(problems) == 1 and expected in problems[0], problems


def test_well_formed_html_with_every_supported_tag_passes():
    template = ('<b>ж</b> <i>к</i> <u>п</u> <s>з</s> <a href="https://x.ru/?a=1&amp;b=2">с</a> <code>к</code> '
                '<pre>p</pre> <blockquote>ц</blockquote> <tg-spoiler>s</tg-spoiler> {contacts}')
    assert check_text(MESSAGE, template) == []


def test_placeholders_missing_and_unknown():
    assert "Не хватает {contacts}" in check_text(MESSAGE, "Привет!")[0]
    (problem,) = check_text(MESSAGE, "Привет {contacts} {name}")
    assert "Бот не знает {name}" in problem and "Здесь можно: {contacts}" in problem


def test_length_counts_the_filled_values_and_telegram_units():
    assert check_text(MESSAGE, "я" * 4000 + "{contacts}", {"contacts": "x" * 96}) == []
    assert "не больше 4096" in check_text(MESSAGE, "я" * 4000 + "{contacts}", {"contacts": "x" * 97})[0]
    assert "не больше 4096" in check_text(MESSAGE, "😀" * 2049 + "{contacts}", {"contacts": ""})[0]  # 2 units each


def test_buttons_popups_and_commands_are_plain_text_with_their_limits():
    assert check_text(BUTTON, "x" * 64) == []
    assert "не больше 64" in check_text(BUTTON, "x" * 65)[0]
    assert check_text(POPUP, "x" * 200) == [] and "не больше 200" in check_text(POPUP, "x" * 201)[0]
    assert check_text(COMMAND, "x" * 256) == []
    assert "оформление" in check_text(BUTTON, "<b>Назад</b>")[0]
    assert "одной строкой" in check_text(BUTTON, "На\nзад")[0]
    assert check_text(BUTTON, "Мама & папа") == []  # plain text: no HTML rules


def test_empty_text_is_refused():
    assert "пустой" in check_text(MESSAGE, "  ")[0]
    assert "не остаётся текста" in check_text(TextDef("t.x", "Текст", "Т", "Т"), "<b> </b>")[0]


def test_normalize_escapes_a_lone_ampersand_and_keeps_the_defaults_surrounding_whitespace():
    assert normalize(MESSAGE, " Мама & папа &amp; &lt;3 &#128512; {contacts} ") == \
        "Мама &amp; папа &amp; &lt;3 &#128512; {contacts}"
    assert normalize(BUTTON, " Мама & папа ") == "Мама & папа"
    amount_line = DEFAULTS["dialog.amount_line"]
    assert normalize(amount_line, "Сумма: <b>{amount}</b>") == "\nСумма: <b>{amount}</b>"


def test_render_matches_what_parents_get():
    assert render(MESSAGE, "<b>Hi</b> {contacts}", {"contacts": "<@a & b>"}) == "<b>Hi</b> &lt;@a &amp; b&gt;"
    assert render(MESSAGE, "{contacts}", {"contacts": Markup("<b>x</b>")}) == "<b>x</b>"
    assert render(BUTTON, "{contacts} & <>", {"contacts": "<x>"}) == "<x> & <>"


def test_unknown_html_error_is_still_reported():
    assert "Telegram не примет" in explain_html_error("something new")
