"""Catalog rules: YAML validation with line numbers, round-trip, and exact-combination lookup."""

import pytest

from happykids.domain.catalog import Catalog, CatalogError, Choice, Link, Option, check_url
from happykids.domain.catalog_yaml import dump_catalog_yaml, parse_catalog_yaml
from tests.catalogs import EXAMPLE_CATALOG, SMALL_CATALOG


def test_issue_example_imports_as_is():
    spec = parse_catalog_yaml(SMALL_CATALOG)
    assert spec.groups == [("kids", "Малыши (4–6 лет)"), ("juniors", "Юниоры (7–11 лет)")]
    assert spec.children == [(1, "1 ребёнок"), (2, "2 ребёнка")]
    assert spec.links[0] == ("kids", "month", 1, "https://pay.example.com/k-m-1", 6000)
    assert spec.links[1][4] is None  # amount is optional


def test_shipped_example_round_trips():
    spec = parse_catalog_yaml(EXAMPLE_CATALOG.read_text(encoding="utf-8"))
    assert parse_catalog_yaml(dump_catalog_yaml(spec)) == spec


def test_titles_with_markup_characters_round_trip():
    text = SMALL_CATALOG.replace("Малыши (4–6 лет)", r'Малыши <4 & \"5\"> ' + "'лет'")
    spec = parse_catalog_yaml(text)
    assert spec.groups[0][1] == "Малыши <4 & \"5\"> 'лет'"
    assert parse_catalog_yaml(dump_catalog_yaml(spec)) == spec


def test_bad_url_names_line_and_field():
    text = SMALL_CATALOG.replace("https://pay.example.com/k-m-1", "ftp://pay.example.com/k-m-1")
    with pytest.raises(CatalogError, match=r"line 12, links\[0\]: .ftp://pay.example.com/k-m-1. is not an http"):
        parse_catalog_yaml(text)


def test_unknown_group_in_link_is_refused_with_field_name():
    text = SMALL_CATALOG.replace("{group: kids, period: month, children: 2", "{group: seniors, period: month, children: 2")
    with pytest.raises(CatalogError, match=r"line 13, links\[1\]: `group` 'seniors'"):
        parse_catalog_yaml(text)


@pytest.mark.parametrize(
    "mutation",
    [
        ("children: 1, url", "children: 7, url"),  # children count not in the list
        ("amount: 6000", "amount: -5"),
        ("amount: 6000", "amount: lots"),
        ("{id: month,", "{id: kids month,"),  # id with a space
        ("{id: quarter,", "{id: month,"),  # duplicate id
        ("contacts:", "contact:"),  # unknown top-level field
        ("groups:\n", "groups: 5\n"),
    ],
)
def test_invalid_catalogs_are_refused(mutation):
    with pytest.raises(CatalogError):
        parse_catalog_yaml(SMALL_CATALOG.replace(*mutation, 1))


def test_not_yaml_is_refused_with_line():
    with pytest.raises(CatalogError, match="line"):
        parse_catalog_yaml("groups: [\n  - {id: a")


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
