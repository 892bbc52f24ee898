"""Russian that reads right: plural agreement (one helper, also behind `{n:one|few|many}` placeholders),
quotes inside quotes, no abbreviations in what people read."""

from __future__ import annotations

import re

import pytest

from happykids.domain.catalog_edit import children_title
from happykids.domain.wording import count_of, plural, quoted
from happykids.texts.defaults import DEFAULTS
from happykids.texts.model import TextDef, placeholder_names
from happykids.texts.service import fill
from happykids.texts.validation import check_text


@pytest.mark.parametrize(("count", "word"), [
    (0, "получателей"), (1, "получатель"), (2, "получателя"), (4, "получателя"), (5, "получателей"),
    (11, "получателей"), (12, "получателей"), (14, "получателей"), (21, "получатель"), (22, "получателя"),
    (101, "получатель"), (111, "получателей"), (1000, "получателей"),
])
def test_plural(count, word):
    assert plural(count, "получатель", "получателя", "получателей") == word


def test_children_titles_use_the_same_helper():
    assert [children_title(n) for n in (1, 2, 5, 21)] == ["1 ребёнок", "2 ребёнка", "5 детей", "21 ребёнок"]
    assert count_of(3, "чек", "чека", "чеков") == "3 чека"


def test_plural_placeholder_in_templates():
    template = "Запускается: {count:получатель|получателя|получателей}…"
    assert placeholder_names(template) == {"count"}
    assert [fill(template, {"count": n}) for n in (1, 3, 7)] == [
        "Запускается: 1 получатель…", "Запускается: 3 получателя…", "Запускается: 7 получателей…"]
    assert fill(template, {}) == template, "an unknown value leaves the placeholder as it is"


def test_a_plural_placeholder_counts_as_the_placeholder_in_the_editor():
    definition = TextDef("x.pages", " ({count:страница|страницы|страниц})", "Чеки", "Страницы")
    assert check_text(definition, " ({count} стр.)") == []
    assert check_text(definition, " (страниц: {count:страница|страницы|страниц})") == []
    assert any("{count}" in p for p in check_text(definition, " (несколько страниц)"))


def test_fixed_texts_agree_with_numbers():
    assert fill(DEFAULTS["panel_ops.starting"].default, {"number": 3, "count": 1}) == \
        "⏳ Рассылка №3 запускается: 1 получатель…"
    assert fill(DEFAULTS["receipt.pages"].default, {"count": 2}) == " (2 страницы)"
    assert "(1 чек)" in fill(DEFAULTS["panel_ops.payments"].default, {"month_count": 1})
    assert "5 чеков" in fill(DEFAULTS["panel_ops.export_caption"].default, {"total": 5})


ABBREVIATION = re.compile(r"(?<![а-яё])(стр|чек|пред|шт|мин|руб|тел|напр|кол-во|т\.\s?д|т\.\s?е)\.", re.IGNORECASE)


def test_no_abbreviations_in_any_text():
    found = {key: d.default for key, d in DEFAULTS.items() if ABBREVIATION.search(d.default)}
    assert not found


@pytest.mark.parametrize(("title", "shown"), [
    ("Малыши", "«Малыши»"),
    ("Фото-студия «Звёздочка»", "«Фото-студия „Звёздочка“»"),
    ("«А» и «Б»", "«„А“ и „Б“»"),
    ("Студия «Мир «Звёзд»»", "«Студия „Мир „Звёзд““»"),
])
def test_quotes_inside_quotes(title, shown):
    assert quoted(title) == shown


def test_a_title_put_inside_quotes_of_a_template_gets_inner_quotes():
    assert fill("Родители группы «{title}»", {"title": "Фото-студия «Звёздочка»"}) == \
        "Родители группы «Фото-студия „Звёздочка“»"
    assert fill("Удалить «<b>{title}</b>»?", {"title": "«А»"}) == "Удалить «<b>„А“</b>»?"
    assert fill("Группа: {title}", {"title": "Фото-студия «Звёздочка»"}) == "Группа: Фото-студия «Звёздочка»"
