"""Catalog changes behind the panel, on a real (migrated) SQLite database, without Telegram."""

from __future__ import annotations

import pytest

from happykids.db.engine import create_engine, create_session_factory
from happykids.db.models import FunnelEvent, PaymentLink, Receipt
from happykids.db.repositories.catalog import export_spec, load_catalog, replace_catalog
from happykids.domain import catalog_diff as diff
from happykids.domain import catalog_edit as edit
from happykids.domain.catalog import CatalogKind
from happykids.domain.catalog_edit import CatalogEditError, ItemInUse
from happykids.domain.catalog_yaml import dump_catalog_yaml, parse_catalog_yaml
from happykids.services import catalog_import as importing
from happykids.services import catalog_items as items
from happykids.services import catalog_links as links
from tests.catalogs import SMALL_CATALOG
from tests.schema import migrated_sqlite_url


@pytest.fixture
async def session(tmp_path):
    url = await migrated_sqlite_url(tmp_path)  # the schema without running the migrations again (tests/schema.py)
    engine = create_engine(url)
    async with create_session_factory(engine)() as session:
        await replace_catalog(session, parse_catalog_yaml(SMALL_CATALOG))
        await session.commit()
        yield session
    await engine.dispose()


async def ids(session, kind: CatalogKind) -> dict[str, int]:
    return {item.title: item.id for item in await items.list_items(session, kind)}


def test_slugify_transliterates_and_keeps_codes_safe():
    assert edit.slugify("Малыши (4–6 лет)") == "malyshi-4-6-let"
    assert edit.slugify("Фото-студия «Звёздочка»") == "foto-studiya-zvezdochka"
    assert edit.slugify("Щука & Юла") == "schuka-yula"
    assert edit.slugify("🎉🎉") == ""


@pytest.mark.parametrize(("count", "title"), [
    (1, "1 ребёнок"), (2, "2 ребёнка"), (4, "4 ребёнка"), (5, "5 детей"),
    (11, "11 детей"), (12, "12 детей"), (21, "21 ребёнок"), (22, "22 ребёнка"),
])
def test_children_title_uses_russian_plural(count, title):
    assert edit.children_title(count) == title


@pytest.mark.parametrize("bad", ["", "   ", "x" * 65])
def test_clean_title_refuses_empty_and_long(bad):
    with pytest.raises(CatalogEditError):
        edit.clean_title(bad)


def test_clean_title_makes_one_line():
    assert edit.clean_title("  Малыши\n(4–6)  ") == "Малыши (4–6)"


@pytest.mark.parametrize(("typed", "amount"), [("6000", 6000), ("6 000", 6000), ("6000 ₽", 6000), ("6000руб", 6000),
                                               ("0", None), ("-", None)])
def test_parse_amount_accepts_what_people_type(typed, amount):
    assert edit.parse_amount(typed) == amount


@pytest.mark.parametrize("bad", ["шесть", "6.5", "-100", "", "6000$"])
def test_parse_amount_refuses_the_rest(bad):
    with pytest.raises(CatalogEditError):
        edit.parse_amount(bad)


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "tg://resolve", "pay.example.com", "https://", "https://a b",
                                 "https://:80/x", "http://localhost/pay", "https://[::1/"])
def test_parse_url_accepts_only_http_links(bad):
    with pytest.raises(CatalogEditError):
        edit.parse_url(bad)
    assert edit.parse_url(" https://pay.example.com/x ") == "https://pay.example.com/x"


async def test_add_group_gets_a_unique_code_that_avoids_old_receipts(session):
    session.add(Receipt(source_key="r1", user_id=1, group_code="teens"))
    session.add(FunnelEvent(user_id=1, kind="group", group_code="teens-2"))
    await session.flush()
    first = await items.add_item(session, CatalogKind.GROUP, "Teens")
    second = await items.add_item(session, CatalogKind.GROUP, "Teens!")  # another title, the same slug
    emoji = await items.add_item(session, CatalogKind.GROUP, "🎉")
    assert (first.code, second.code) == ("teens-3", "teens-4")  # "teens" and "teens-2" have history
    assert emoji.code.startswith("g") and emoji.code[1:].isdigit()
    assert [g.title for g in await items.list_items(session, CatalogKind.GROUP)][-3:] == ["Teens", "Teens!", "🎉"]
    spec = await export_spec(session)  # what the CLI exports must still parse
    assert parse_catalog_yaml(dump_catalog_yaml(spec)).groups == spec.groups


async def test_children_are_added_by_count_once(session):
    item = await items.add_children(session, 3)
    assert item.title == "3 ребёнка"
    with pytest.raises(CatalogEditError, match="уже есть"):
        await items.add_children(session, 3)
    with pytest.raises(CatalogEditError):
        edit.parse_children_count("21")


async def test_rename_hide_and_move(session):
    groups = await ids(session, CatalogKind.GROUP)
    juniors = groups["Юниоры (7–11 лет)"]
    assert await items.rename_item(session, CatalogKind.GROUP, juniors, " Юниоры ") == ("Юниоры (7–11 лет)", "Юниоры")
    await items.set_hidden(session, CatalogKind.GROUP, juniors, True)
    assert await items.move_item(session, CatalogKind.GROUP, juniors, -1) is True
    assert await items.move_item(session, CatalogKind.GROUP, juniors, -1) is False  # already first
    catalog = await load_catalog(session)
    assert [(g.title, g.hidden) for g in catalog.groups] == [("Юниоры", True), ("Малыши (4–6 лет)", False)]
    assert await items.position_of(session, CatalogKind.GROUP, juniors) == (1, 2)
    with pytest.raises(CatalogEditError):
        await items.rename_item(session, CatalogKind.GROUP, 9999, "x")


async def test_delete_takes_links_along_but_refuses_groups_with_receipts(session):
    periods = await ids(session, CatalogKind.PERIOD)
    assert await items.delete_item(session, CatalogKind.PERIOD, periods["1 месяц"]) == ("1 месяц", 2)
    assert (await load_catalog(session)).links == []

    kids = (await ids(session, CatalogKind.GROUP))["Малыши (4–6 лет)"]
    session.add(Receipt(source_key="r2", user_id=1, group_code="kids"))
    await session.flush()
    with pytest.raises(ItemInUse, match="Скройте"):
        await items.delete_item(session, CatalogKind.GROUP, kids)
    assert await items.get_item(session, CatalogKind.GROUP, kids) is not None


async def test_links_set_replace_amount_and_remove(session):
    groups, periods, children = [await ids(session, k) for k in CatalogKind]
    combo = await links.get_combo(session, groups["Юниоры (7–11 лет)"], periods["3 месяца"], children["2 ребёнка"])
    with pytest.raises(CatalogEditError, match="Сначала"):
        await links.set_link_amount(session, combo, 5000)
    assert await links.set_link_url(session, combo, "https://pay.example.com/j") is None
    assert await links.set_link_url(session, combo, "https://pay.example.com/j2") == "https://pay.example.com/j"
    assert await links.set_link_amount(session, combo, 9000) is None
    matrix = await links.link_matrix(session, combo.group.id)
    assert matrix.link(combo.period.id, combo.children.id).amount == 9000 and matrix.gaps == 3
    assert await links.remove_link(session, combo) == "https://pay.example.com/j2"
    assert await links.remove_link(session, combo) is None
    assert await session.get(PaymentLink, 999) is None


def test_clean_contacts_keeps_lines_and_limits_length():
    assert edit.clean_contacts("  Тел: 1  \n@admin \n") == "Тел: 1\n@admin"
    for bad in ("", " \n ", "x" * 1001):
        with pytest.raises(CatalogEditError):
            edit.clean_contacts(bad)


def test_diff_describes_every_kind_of_change():
    old = parse_catalog_yaml(SMALL_CATALOG)
    new = parse_catalog_yaml(
        SMALL_CATALOG.replace('"Юниоры (7–11 лет)"', '"Юниоры"')
        .replace("  - {count: 2, title: \"2 ребёнка\"}\n", "")
        .replace("  - {group: kids, period: month, children: 2, url: \"https://pay.example.com/k-m-2\"}\n", "")
        .replace("k-m-1\", amount: 6000", "k-m-1\", amount: 6500")
        .replace("@happykids_admin", "@hk")
        .replace("  - {id: month, title: \"1 месяц\"}\n  - {id: quarter, title: \"3 месяца\"}",
                 "  - {id: quarter, title: \"3 месяца\"}\n  - {id: month, title: \"1 месяц\"}\n"
                 "  - {id: year, title: \"Год\"}")
    )
    changes = diff.diff_specs(old, new)
    assert changes.groups.renamed == [("Юниоры (7–11 лет)", "Юниоры")]
    assert changes.periods.added == ["Год"] and changes.children.removed == ["2 ребёнка"]
    assert changes.reordered == ["периоды"]
    assert changes.links_removed == ["Малыши (4–6 лет) · 1 месяц · 2 ребёнка"]
    assert changes.links_changed == ["Малыши (4–6 лет) · 1 месяц · 1 ребёнок: сумма 6 000 ₽ → 6 500 ₽"]
    assert changes.contacts_changed and not changes.hiding and not changes.showing
    text = "\n".join(changes.summary_lines())
    for expected in ("«Юниоры (7–11 лет)» → «Юниоры»", "добавится «Год»", "удалится «2 ребёнка»", "Изменятся контакты"):
        assert expected in text
    assert "скрыт" not in text and "видны" not in text
    assert diff.diff_specs(old, old).empty


def test_diff_shows_what_gets_hidden_and_shown():
    old = parse_catalog_yaml(SMALL_CATALOG.replace('"Малыши (4–6 лет)"}', '"Малыши (4–6 лет)", hidden: true}')
                             .replace('"2 ребёнка"}', '"2 ребёнка", hidden: true}'))
    year = '  - {id: year, title: "Год", hidden: true}\n'
    new = parse_catalog_yaml(SMALL_CATALOG.replace('"Юниоры (7–11 лет)"}', '"Юниоры 7–11", hidden: true}')
                             .replace('"2 ребёнка"}', '"2 ребёнка", hidden: true}')
                             .replace('title: "3 месяца"}\n', 'title: "3 месяца"}\n' + year))
    changes = diff.diff_specs(old, new)
    assert changes.hiding == ["Юниоры 7–11", "Год"]  # a renamed one by its new title; a new hidden one too
    assert changes.showing == ["Малыши (4–6 лет)"]  # "2 ребёнка" stays hidden: not mentioned
    text = "\n".join(changes.summary_lines())
    assert "Будут скрыты от родителей: «Юниоры 7–11», «Год»" in text
    assert "Снова станут видны родителям: «Малыши (4–6 лет)»" in text
    assert "2 ребёнка" not in text
    only_hidden = diff.diff_specs(new, parse_catalog_yaml(dump_catalog_yaml(new).replace(", hidden: true", "")))
    assert not only_hidden.empty and only_hidden.summary_lines() == [
        "Снова станут видны родителям: «Юниоры 7–11», «Год», «2 ребёнка»"]
    assert diff.diff_specs(new, new).empty


async def test_hidden_items_survive_export_and_import(session):
    groups, periods, children = [await ids(session, k) for k in CatalogKind]
    await items.set_hidden(session, CatalogKind.GROUP, groups["Юниоры (7–11 лет)"], True)
    await items.set_hidden(session, CatalogKind.PERIOD, periods["3 месяца"], True)
    await items.set_hidden(session, CatalogKind.CHILDREN, children["2 ребёнка"], True)
    exported = dump_catalog_yaml(await export_spec(session))
    assert exported.count("hidden: true") == 3
    spec = parse_catalog_yaml(exported)
    assert (await importing.import_preview(session, spec)).empty  # importing the export changes nothing
    await replace_catalog(session, spec)
    catalog = await load_catalog(session)
    assert [(o.title, o.hidden) for o in catalog.groups + catalog.periods + catalog.children] == [
        ("Малыши (4–6 лет)", False), ("Юниоры (7–11 лет)", True), ("1 месяц", False), ("3 месяца", True),
        ("1 ребёнок", False), ("2 ребёнка", True)]
    assert dump_catalog_yaml(await export_spec(session)) == exported

    await replace_catalog(session, parse_catalog_yaml(SMALL_CATALOG))  # a file without marks shows everything
    assert not any(o.hidden for o in (await load_catalog(session)).groups)


async def test_panel_codes_that_look_like_numbers_survive_export(session):
    period = await items.add_item(session, CatalogKind.PERIOD, "2025")
    group = await items.add_item(session, CatalogKind.GROUP, "On")
    assert (period.code, group.code) == ("2025", "on")
    spec = await export_spec(session)
    assert parse_catalog_yaml(dump_catalog_yaml(spec)) == spec


def test_long_link_lists_are_capped_in_the_summary():
    changes = diff.CatalogChanges(links_added=[f"combo {n}" for n in range(30)])
    (line,) = changes.summary_lines(limit=5)
    assert "Новые ссылки (30)" in line and "combo 4" in line and "combo 5" not in line and "ещё 25" in line


async def test_import_preview_warns_about_removed_groups_with_receipts(session):
    session.add(Receipt(source_key="r3", user_id=1, group_code="juniors"))
    await session.flush()
    new = parse_catalog_yaml(SMALL_CATALOG.replace('  - {id: juniors, title: "Юниоры (7–11 лет)"}\n', ""))
    changes = await importing.import_preview(session, new)
    assert changes.groups.removed == ["Юниоры (7–11 лет)"]
    assert changes.groups_with_receipts == {"Юниоры (7–11 лет)": 1}
