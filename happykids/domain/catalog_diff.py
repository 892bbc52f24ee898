"""What replacing one catalog with another changes, in plain Russian: the summary the director reads
before she applies an uploaded catalog file.

Computed from two CatalogSpecs only (the current catalog exported, and the file), so it is pure and tested
without a database; the one thing it cannot know — how many receipts name a group that goes away — the
caller adds to `CatalogChanges.groups_with_receipts`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from happykids.domain.catalog_edit import money
from happykids.domain.catalog_yaml import CatalogSpec, ChildrenItem, CodedItem
from happykids.domain.renewals import PeriodLength
from happykids.domain.wording import quoted

SpecItem = CodedItem | ChildrenItem
LinkKey = tuple[str, str, int]  # group code, period code, children count


@dataclass(slots=True)
class ListChanges:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.renamed)


@dataclass(slots=True)
class CatalogChanges:
    groups: ListChanges = field(default_factory=ListChanges)
    periods: ListChanges = field(default_factory=ListChanges)
    children: ListChanges = field(default_factory=ListChanges)
    reordered: list[str] = field(default_factory=list)  # which lists change their order
    links_added: list[str] = field(default_factory=list)
    links_removed: list[str] = field(default_factory=list)
    links_changed: list[str] = field(default_factory=list)
    contacts_changed: bool = False
    hiding: list[str] = field(default_factory=list)  # titles parents will stop seeing (hidden: true)
    showing: list[str] = field(default_factory=list)  # hidden now, visible after the import
    groups_with_receipts: dict[str, int] = field(default_factory=dict)  # removed group title -> receipts
    lengths_changed: list[str] = field(default_factory=list)  # a period's length (renewals)
    notes: list[str] = field(default_factory=list)  # defaults the import chose (a period without a length)

    @property
    def empty(self) -> bool:
        return not (self.groups or self.periods or self.children or self.reordered or self.links_added
                    or self.links_removed or self.links_changed or self.contacts_changed
                    or self.hiding or self.showing or self.lengths_changed)

    def summary_lines(self, limit: int = 12) -> list[str]:
        """Plain Russian lines (not HTML) describing the change, longest lists cut at `limit`."""
        lines: list[str] = []
        for name, changes in (("Группы", self.groups), ("Периоды", self.periods), ("Количество детей", self.children)):
            lines += [f"{name}: добавится {quoted(t)}" for t in changes.added]
            lines += [f"{name}: удалится {quoted(t)}" for t in changes.removed]
            lines += [f"{name}: {quoted(old)} → {quoted(new)}" for old, new in changes.renamed]
        lines += [f"Изменится порядок: {name}" for name in self.reordered]
        lines += _capped("Новые ссылки", self.links_added, limit)
        lines += _capped("Удалятся ссылки", self.links_removed, limit)
        lines += _capped("Изменятся ссылки", self.links_changed, limit)
        if self.contacts_changed:
            lines.append("Изменятся контакты")
        if self.hiding:
            lines.append("Будут скрыты от родителей: " + ", ".join(quoted(t) for t in self.hiding))
        if self.showing:
            lines.append("Снова станут видны родителям: " + ", ".join(quoted(t) for t in self.showing))
        lines += self.lengths_changed + self.notes
        return lines


def _capped(title: str, items: list[str], limit: int) -> list[str]:
    if not items:
        return []
    shown = items[:limit]
    more = f"\n  …и ещё {len(items) - limit}" if len(items) > limit else ""
    return [f"{title} ({len(items)}):\n" + "\n".join(f"  • {item}" for item in shown) + more]


def _diff_list(old: Sequence[SpecItem], new: Sequence[SpecItem]) -> ListChanges:
    old_titles = {i.key: i.title for i in old}
    new_titles = {i.key: i.title for i in new}
    return ListChanges(
        added=[i.title for i in new if i.key not in old_titles],
        removed=[i.title for i in old if i.key not in new_titles],
        renamed=[(old_titles[i.key], i.title) for i in new if i.key in old_titles and old_titles[i.key] != i.title],
    )


def _same_order(old: Sequence[SpecItem], new: Sequence[SpecItem]) -> bool:
    kept = {i.key for i in new} & {i.key for i in old}
    return [i.key for i in old if i.key in kept] == [i.key for i in new if i.key in kept]


def diff_specs(old: CatalogSpec, new: CatalogSpec) -> CatalogChanges:
    """What replacing `old` with `new` changes, hidden marks included."""
    changes = CatalogChanges(
        groups=_diff_list(old.groups, new.groups),
        periods=_diff_list(old.periods, new.periods),
        children=_diff_list(old.children, new.children),
        contacts_changed=old.contacts.strip() != new.contacts.strip(),
    )
    lists: tuple[tuple[str, Sequence[SpecItem], Sequence[SpecItem]], ...] = (
        ("группы", old.groups, new.groups), ("периоды", old.periods, new.periods),
        ("количество детей", old.children, new.children))
    for name, a, b in lists:
        if not _same_order(a, b):
            changes.reordered.append(name)
        was_hidden = {i.key: i.hidden for i in a}
        changes.hiding += [i.title for i in b if i.hidden and not was_hidden.get(i.key, False)]
        changes.showing += [i.title for i in b if not i.hidden and was_hidden.get(i.key, False)]

    groups = {i.code: i.title for i in old.groups + new.groups}
    periods = {i.code: i.title for i in old.periods + new.periods}
    children = {i.count: i.title for i in old.children + new.children}

    def label(key: LinkKey) -> str:
        group, period, count = key
        return f"{groups[group]} · {periods[period]} · {children[count]}"

    old_links = {(k.group, k.period, k.children): (k.url, k.amount) for k in old.links}
    new_links = {(k.group, k.period, k.children): (k.url, k.amount) for k in new.links}
    for key, (url, amount) in new_links.items():
        if key not in old_links:
            changes.links_added.append(f"{label(key)}: {money(amount)}")
            continue
        old_url, old_amount = old_links[key]
        parts = []
        if old_url != url:
            parts.append("новая ссылка")
        if old_amount != amount:
            parts.append(f"сумма {money(old_amount)} → {money(amount)}")
        if parts:
            changes.links_changed.append(f"{label(key)}: {', '.join(parts)}")
    changes.links_removed = [label(key) for key in old_links if key not in new_links]
    old_lengths = {p.code: _length(p) for p in old.periods}
    changes.lengths_changed = [f"Период {quoted(p.title)}: длина {old_lengths[p.code]} → {_length(p)}"
                               for p in new.periods if p.code in old_lengths and old_lengths[p.code] != _length(p)]
    changes.notes = list(new.notes)
    return changes


def _length(period: CodedItem) -> str:
    """How long a payment for the period lasts, in words (renewals)."""
    if period.months or period.days:
        return PeriodLength(months=period.months or None, days=None if period.months else period.days).describe()
    return "не задана"
