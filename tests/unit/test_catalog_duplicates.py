"""A title that already exists in its list (case, ё/е and spaces aside) is refused by the catalog import,
with the line and field, like every other import error."""

from __future__ import annotations

import pytest

from happykids.domain.catalog import CatalogError
from happykids.domain.catalog_edit import DuplicateTitle, check_unique_title
from happykids.domain.catalog_yaml import parse_catalog_yaml
from tests.catalogs import SMALL_CATALOG


@pytest.mark.parametrize(("mutation", "message"), [
    (("Юниоры (7–11 лет)", " малыши  (4–6 лет) "),
     "строка 4, groups[1]: title «малыши  (4–6 лет)» уже встречается выше в groups («Малыши (4–6 лет)»)"),
    (("3 месяца", "1 МЕСЯЦ"), "строка 7, periods[1]: title «1 МЕСЯЦ» уже встречается выше в periods"),
    (('{count: 2, title: "2 ребёнка"}', '{count: 2, title: "1 ребенок"}'),
     "строка 10, children[1]: title «1 ребенок» уже встречается выше в children"),
])
def test_import_refuses_a_title_twice_with_line_and_field(mutation, message):
    text = SMALL_CATALOG.replace(*mutation, 1)
    assert text != SMALL_CATALOG
    with pytest.raises(CatalogError) as error:
        parse_catalog_yaml(text)
    assert str(error.value).startswith(message), str(error.value)
    assert "две одинаковые кнопки" in str(error.value)


def test_the_same_title_in_different_lists_is_fine():
    text = SMALL_CATALOG.replace('title: "3 месяца"', 'title: "Малыши (4–6 лет)"')
    assert [p.title for p in parse_catalog_yaml(text).periods][1] == "Малыши (4–6 лет)"


def test_check_unique_title():
    assert check_unique_title("Подростки", ["Малыши", "Юниоры"]) == "Подростки"
    with pytest.raises(DuplicateTitle, match="«Малыши» уже есть"):
        check_unique_title("  МАЛЫШИ ", ["Малыши", "Юниоры"])


def test_contacts_in_the_file_may_be_formatted_but_not_broken():
    text = SMALL_CATALOG.replace('contacts: "Администратор:', 'contacts: "<b>Администратор</b> <3:', 1)
    assert parse_catalog_yaml(text).contacts.startswith("<b>Администратор</b> <3:")
    broken = SMALL_CATALOG.replace('contacts: "Администратор:', 'contacts: "<b>Администратор:', 1)
    with pytest.raises(CatalogError, match="строка 1: contacts — Тег <b> открыт, но не закрыт"):
        parse_catalog_yaml(broken)
