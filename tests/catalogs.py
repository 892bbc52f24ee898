"""Catalog texts shared by the tests."""

from pathlib import Path

EXAMPLE_CATALOG = Path(__file__).resolve().parents[1] / "happykids" / "catalogs" / "example.yaml"
SMALL_CATALOG = """\
contacts: "Администратор: +7 (343) 000-00-00, @happykids_admin"
groups:
  - {id: kids, title: "Малыши (4–6 лет)"}
  - {id: juniors, title: "Юниоры (7–11 лет)"}
periods:
  - {id: month, title: "1 месяц"}
  - {id: quarter, title: "3 месяца"}
children:
  - {count: 1, title: "1 ребёнок"}
  - {count: 2, title: "2 ребёнка"}
links:
  - {group: kids, period: month, children: 1, url: "https://pay.example.com/k-m-1", amount: 6000}
  - {group: kids, period: month, children: 2, url: "https://pay.example.com/k-m-2"}
"""
# What `catalog export` writes after importing SMALL_CATALOG: every period with its length (renewals), read
# from the titles because the file gives none.
SMALL_CATALOG_EXPORTED = SMALL_CATALOG.replace('"1 месяц"}', '"1 месяц", months: 1}').replace(
    '"3 месяца"}', '"3 месяца", months: 3}')
