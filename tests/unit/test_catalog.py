"""Catalog rules: YAML validation with line numbers, round-trip, and exact-combination lookup."""

import pytest

from happykids.domain.catalog import Catalog, CatalogError, Choice, Link, Option, check_url
from happykids.domain.catalog_yaml import ChildrenItem, CodedItem, dump_catalog_yaml, parse_catalog_yaml
from tests.catalogs import EXAMPLE_CATALOG, SMALL_CATALOG


def test_issue_example_imports_as_is():
    spec = parse_catalog_yaml(SMALL_CATALOG)
    assert spec.groups == [CodedItem("kids", "Малыши (4–6 лет)"), CodedItem("juniors", "Юниоры (7–11 лет)")]
    assert spec.children == [ChildrenItem(1, "1 ребёнок"), ChildrenItem(2, "2 ребёнка")]
    assert spec.links[0] == Link("kids", "month", 1, "https://pay.example.com/k-m-1", 6000)
    assert spec.links[1].amount is None  # amount is optional
    assert not any(item.hidden for item in spec.groups + spec.periods + spec.children)  # visible by default
    # The issue's format, byte for byte, plus the period lengths the import read from the titles (renewals)
    assert dump_catalog_yaml(spec) == SMALL_CATALOG.replace('"1 месяц"}', '"1 месяц", months: 1}').replace(
        '"3 месяца"}', '"3 месяца", months: 3}')
    assert spec.notes == ["Период «1 месяц»: длина не указана (months или days) — по названию 1 месяц",
                          "Период «3 месяца»: длина не указана (months или days) — по названию 3 месяца"]


def test_shipped_example_round_trips():
    spec = parse_catalog_yaml(EXAMPLE_CATALOG.read_text(encoding="utf-8"))
    assert parse_catalog_yaml(dump_catalog_yaml(spec)) == spec


def test_titles_with_markup_characters_round_trip():
    text = SMALL_CATALOG.replace("Малыши (4–6 лет)", r'Малыши <4 & \"5\"> ' + "'лет'")
    spec = parse_catalog_yaml(text)
    assert spec.groups[0].title == "Малыши <4 & \"5\"> 'лет'"
    assert parse_catalog_yaml(dump_catalog_yaml(spec)) == spec


def test_bad_url_names_line_and_field():
    text = SMALL_CATALOG.replace("https://pay.example.com/k-m-1", "ftp://pay.example.com/k-m-1")
    with pytest.raises(CatalogError) as error:
        parse_catalog_yaml(text)
    assert str(error.value) == ("строка 12, links[0]: url «ftp://pay.example.com/k-m-1» — "
                                "это не ссылка http:// или https://")


def test_unknown_group_in_link_is_refused_with_field_name():
    text = SMALL_CATALOG.replace("{group: kids, period: month, children: 2",
                                 "{group: seniors, period: month, children: 2")
    with pytest.raises(CatalogError) as error:
        parse_catalog_yaml(text)
    assert str(error.value) == "строка 13, links[1]: group «seniors» — такой группы нет в groups"


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        (("children: 1, url", "children: 7, url"),
         "строка 12, links[0]: children «7» — в разделе children нет count: 7"),
        (("period: month, children: 2", "period: week, children: 2"),
         "строка 13, links[1]: period «week» — такого периода нет в periods"),
        (("amount: 6000", "amount: -5"), "строка 12, links[0]: amount «-5» — нужна сумма в рублях"),
        (("amount: 6000", "amount: lots"), "строка 12, links[0]: amount «lots» — нужна сумма"),
        ((', url: "https://pay.example.com/k-m-2"', ""), "строка 13, links[1]: нет url"),
        (("k-m-2\"}", "k-m-2\", note: x}"), "строка 13, links[1]: неизвестное поле note"),
        (("children: 2, url", "children: 1, url"), "строка 13, links[1]: ссылка для kids/month/1 уже есть выше"),
        (("{id: month,", "{id: kids month,"), "строка 6, periods[0]: id «kids month» — можно только латинские"),
        (("{id: quarter,", "{id: month,"), "строка 7, periods[1]: id «month» уже встречается выше"),
        (("{id: quarter,", "{id: 2024,"), "строка 7, periods[1]: id «2024» — нужен текст"),
        (("{count: 2,", "{count: 25,"), "строка 10, children[1]: count «25» — нужно целое число от 1 до 20"),
        ((', title: "3 месяца"', ""), "строка 7, periods[1]: нет title"),
        (("3 месяца", "x" * 65), "строка 7, periods[1]: title длиннее 64 символов"),
        (("contacts:", "contact:"), "строка 1: неизвестное поле contact"),
        (("groups:\n", "groups: 5\n"), "строка 3: файл не читается как YAML"),
        (("  - {id: kids, ", "  - kids\n  - {id: kid, "), "строка 3, groups[0]: каждый элемент записывается так"),
        (("periods:\n  - {id: month, title: \"1 месяц\"}\n  - {id: quarter, title: \"3 месяца\"}\n", "periods: []\n"),
         "строка 5, periods: список пуст"),
    ],
)
def test_invalid_catalogs_are_refused_with_line_and_field(mutation, message):
    text = SMALL_CATALOG.replace(*mutation, 1)
    assert text != SMALL_CATALOG
    with pytest.raises(CatalogError) as error:
        parse_catalog_yaml(text)
    assert str(error.value).startswith(message), str(error.value)


def test_a_missing_section_is_named():
    with pytest.raises(CatalogError, match=r"^в файле нет раздела children$"):
        parse_catalog_yaml(SMALL_CATALOG.replace("children:\n", "").replace("  - {count", "  # {count"))


def test_not_yaml_is_refused_with_line():
    with pytest.raises(CatalogError, match=r"^строка 2: файл не читается как YAML"):
        parse_catalog_yaml("groups: [\n  - {id: a")


def test_a_field_on_its_own_line_is_named_by_its_own_line():
    text = SMALL_CATALOG.replace(
        '  - {group: kids, period: month, children: 2, url: "https://pay.example.com/k-m-2"}\n',
        "  - group: kids\n    period: month\n    children: 2\n    url: \"https://pay.example.com/k-m-2\"\n"
        "    amount: 0\n",
    )
    with pytest.raises(CatalogError, match=r"^строка 17, links\[1\]: amount «0»"):
        parse_catalog_yaml(text)


def test_hidden_items_round_trip():
    text = (SMALL_CATALOG.replace('"Юниоры (7–11 лет)"}', '"Юниоры (7–11 лет)", hidden: true}')
            .replace('"3 месяца"}', '"3 месяца", hidden: false}')
            .replace('"2 ребёнка"}', '"2 ребёнка", hidden: true}'))
    spec = parse_catalog_yaml(text)
    assert [g.hidden for g in spec.groups] == [False, True]
    assert [p.hidden for p in spec.periods] == [False, False]
    assert spec.children[1] == ChildrenItem(2, "2 ребёнка", hidden=True)
    dumped = dump_catalog_yaml(spec)
    assert '  - {id: juniors, title: "Юниоры (7–11 лет)", hidden: true}\n' in dumped
    assert '  - {count: 2, title: "2 ребёнка", hidden: true}\n' in dumped
    assert "hidden: false" not in dumped and dumped.count("hidden") == 2  # written only when set
    assert parse_catalog_yaml(dumped) == spec


@pytest.mark.parametrize("value", ["1", "\"true\"", "null", "maybe", "[]"])
def test_hidden_must_be_true_or_false(value):
    text = SMALL_CATALOG.replace('"Юниоры (7–11 лет)"}', f'"Юниоры (7–11 лет)", hidden: {value}}}')
    with pytest.raises(CatalogError, match=r"^строка 4, groups\[1\]: hidden «.*» — можно только true или false$"):
        parse_catalog_yaml(text)


def test_a_misspelled_field_is_not_ignored():
    text = SMALL_CATALOG.replace('"Юниоры (7–11 лет)"}', '"Юниоры (7–11 лет)", hiden: true}')
    with pytest.raises(CatalogError, match=r"^строка 4, groups\[1\]: неизвестное поле hiden"):
        parse_catalog_yaml(text)


def test_codes_that_look_like_numbers_or_booleans_round_trip():
    spec = parse_catalog_yaml(SMALL_CATALOG)
    spec.groups[0] = CodedItem("on", "Вкл")
    spec.periods[0] = CodedItem("2024", "2024", months=1)  # a parsed period always has a length (renewals)
    spec.links = [Link("on", "2024", 1, "https://pay.example.com/x", 100)]
    dumped = dump_catalog_yaml(spec)
    assert '{id: "on", ' in dumped and '{group: "on", period: "2024", ' in dumped
    assert '{id: juniors, ' in dumped  # plain codes stay plain
    assert parse_catalog_yaml(dumped) == spec


def test_check_url():
    assert check_url(" https://pay.example.com/x ") == "https://pay.example.com/x"
    for bad in ("javascript:alert(1)", "pay.example.com", "https://", "https://a b.com"):
        with pytest.raises(CatalogError):
            check_url(bad)


def _catalog() -> Catalog:
    groups = [Option(1, "kids", "Малыши"), Option(2, "juniors", "Юниоры"), Option(3, "old", "Старая", hidden=True)]
    periods = [Option(10, "month", "1 месяц"), Option(11, "quarter", "3 месяца")]
    children = [Option(20, "1", "1 ребёнок"), Option(21, "2", "2 ребёнка")]
    links = [Link("kids", "month", 1, "https://pay/k-m-1", 6000), Link("juniors", "month", 1, "https://pay/j-m-1")]
    return Catalog("контакты", groups, periods, children, links)


def test_link_lookup_is_exact():
    c = _catalog()
    assert c.link_for(Choice(c.groups[0], c.periods[0], c.children[0])).url == "https://pay/k-m-1"
    assert c.link_for(Choice(c.groups[1], c.periods[0], c.children[0])).url == "https://pay/j-m-1"
    # a neighbour's link is never returned for a combination without one
    assert c.link_for(Choice(c.groups[0], c.periods[0], c.children[1])) is None
    assert c.link_for(Choice(c.groups[0], c.periods[1], c.children[0])) is None


def test_hidden_and_unknown_options_are_not_found():
    c = _catalog()
    assert c.find(c.groups, 1).key == "kids"
    assert c.find(c.groups, 3) is None  # hidden
    assert c.find(c.groups, 999) is None  # forged
    assert c.find(c.groups, None) is None
    assert [o.key for o in c.visible(c.groups)] == ["kids", "juniors"]
