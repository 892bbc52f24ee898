"""Catalog changes made from the director's panel: add, rename, hide, reorder, delete, links, file import.

Plain functions on an AsyncSession (no aiogram), so the panel stays thin and the rules are unit-tested.
They flush but never commit: the caller commits the change together with its audit entry.
Errors are `CatalogEditError` with a short Russian sentence the panel shows as is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlparse

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.models import CatalogGroup, CatalogPeriod, ChildrenOption, FunnelEvent, PaymentLink, Receipt
from happykids.db.repositories.catalog import export_spec
from happykids.domain.catalog import CatalogError, CatalogKind, check_amount, check_url
from happykids.domain.catalog_yaml import MAX_CONTACTS, MAX_TITLE, CatalogSpec, ChildrenItem, CodedItem

MAX_CHILDREN = 20  # the same bounds the YAML format uses


MODELS: dict[CatalogKind, type] = {CatalogKind.GROUP: CatalogGroup, CatalogKind.PERIOD: CatalogPeriod, CatalogKind.CHILDREN: ChildrenOption}
CatalogRow = CatalogGroup | CatalogPeriod | ChildrenOption


class CatalogEditError(ValueError):
    """A change the panel refuses; the message is meant for the director."""


class ItemInUse(CatalogEditError):
    """The item is referred to by receipts, so deleting it would orphan their history."""

    def __init__(self, receipts: int):
        super().__init__(f"По этой группе уже есть чеки ({receipts}), поэтому удалить её нельзя. "
                         "Скройте её — родители перестанут её видеть, а история чеков сохранится.")
        self.receipts = receipts


# -- titles and codes ------------------------------------------------------------------------------------

def clean_title(text: str) -> str:
    """A button label: one line, no surrounding spaces, not empty, short enough for a phone screen."""
    title = " ".join(text.split())
    if not title:
        raise CatalogEditError("Название не может быть пустым.")
    if len(title) > MAX_TITLE:
        raise CatalogEditError(f"Слишком длинно: {len(title)} символов, а можно не больше {MAX_TITLE}.")
    return title


def clean_contacts(text: str) -> str:
    """Contacts are plain text (escaped wherever they are shown); line breaks are kept."""
    contacts = "\n".join(line.rstrip() for line in text.strip().splitlines())
    if not contacts:
        raise CatalogEditError("Контакты не могут быть пустыми.")
    if len(contacts) > MAX_CONTACTS:
        raise CatalogEditError(f"Слишком длинно: {len(contacts)} символов, а можно не больше {MAX_CONTACTS}.")
    return contacts


_TRANSLIT = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t", "u",
     "f", "h", "ts", "ch", "sh", "sch", "", "y", "", "e", "yu", "ya"],
    strict=True,
))


def slugify(title: str, max_len: int = 24) -> str:
    """A latin code from a title ("Малыши (4–6 лет)" -> "malyshi-4-6-let"); may be empty."""
    latin = "".join(_TRANSLIT.get(ch, ch) for ch in title.lower())
    return re.sub(r"[^a-z0-9]+", "-", latin).strip("-")[:max_len].strip("-")


async def _taken_codes(session: AsyncSession, kind: CatalogKind) -> set[str]:
    model = MODELS[kind]
    taken = set((await session.scalars(select(model.code))).all())
    if kind is CatalogKind.GROUP:
        # Receipts and funnel events keep the group code: reusing an old code would mix its history in.
        taken |= set((await session.scalars(select(Receipt.group_code).distinct())).all())
        taken |= set((await session.scalars(select(FunnelEvent.group_code).distinct())).all())
    return {code for code in taken if code}


async def free_code(session: AsyncSession, kind: CatalogKind, title: str) -> str:
    taken = await _taken_codes(session, kind)
    base = slugify(title) or f"{kind.value}{len(taken) + 1}"
    code, n = base, 2
    while code in taken:
        code, n = f"{base}-{n}", n + 1
    return code


def children_title(count: int) -> str:
    """Russian plural: 1 ребёнок, 2 ребёнка, 5 детей, 21 ребёнок."""
    if count % 10 == 1 and count % 100 != 11:
        return f"{count} ребёнок"
    if count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14):
        return f"{count} ребёнка"
    return f"{count} детей"


# -- items -----------------------------------------------------------------------------------------------

async def list_items(session: AsyncSession, kind: CatalogKind) -> list[CatalogRow]:
    model = MODELS[kind]
    return list((await session.scalars(select(model).order_by(model.position, model.id))).all())


async def get_item(session: AsyncSession, kind: CatalogKind, item_id: int) -> CatalogRow | None:
    return await session.get(MODELS[kind], item_id)


async def _require(session: AsyncSession, kind: CatalogKind, item_id: int) -> CatalogRow:
    item = await get_item(session, kind, item_id)
    if item is None:
        raise CatalogEditError("Этого уже нет в каталоге.")
    return item


async def _next_position(session: AsyncSession, kind: CatalogKind) -> int:
    model = MODELS[kind]
    return int(await session.scalar(select(func.coalesce(func.max(model.position), -1))) or 0) + 1


async def add_item(session: AsyncSession, kind: CatalogKind, title: str) -> CatalogRow:
    """A new group or period at the end of the list, with a generated code."""
    if kind is CatalogKind.CHILDREN:
        raise CatalogEditError("Для количества детей укажите число.")
    title = clean_title(title)
    model = MODELS[kind]
    item = model(code=await free_code(session, kind, title), title=title,
                 position=await _next_position(session, kind), hidden=False)
    session.add(item)
    await session.flush()
    return item


def parse_children_count(text: str) -> int:
    text = text.strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_CHILDREN:
        raise CatalogEditError(f"Напишите число от 1 до {MAX_CHILDREN}, например 2.")
    return int(text)


async def add_children(session: AsyncSession, count: int, title: str | None = None) -> ChildrenOption:
    if not 1 <= count <= MAX_CHILDREN:
        raise CatalogEditError(f"Количество детей — от 1 до {MAX_CHILDREN}.")
    if await session.scalar(select(ChildrenOption.id).where(ChildrenOption.count == count)) is not None:
        raise CatalogEditError(f"Вариант «{children_title(count)}» уже есть.")
    item = ChildrenOption(count=count, title=clean_title(title or children_title(count)),
                          position=await _next_position(session, CatalogKind.CHILDREN), hidden=False)
    session.add(item)
    await session.flush()
    return item


async def rename_item(session: AsyncSession, kind: CatalogKind, item_id: int, title: str) -> tuple[str, str]:
    """Returns (old title, new title)."""
    item = await _require(session, kind, item_id)
    old, item.title = item.title, clean_title(title)
    await session.flush()
    return old, item.title


async def set_hidden(session: AsyncSession, kind: CatalogKind, item_id: int, hidden: bool) -> CatalogRow:
    item = await _require(session, kind, item_id)
    item.hidden = hidden
    await session.flush()
    return item


async def move_item(session: AsyncSession, kind: CatalogKind, item_id: int, delta: int) -> bool:
    """Swap the item with its neighbour (delta -1 = up, +1 = down); False when it is already at the edge."""
    items = await list_items(session, kind)
    index = next((i for i, item in enumerate(items) if item.id == item_id), None)
    if index is None:
        raise CatalogEditError("Этого уже нет в каталоге.")
    target = index + delta
    if not 0 <= target < len(items):
        return False
    items[index], items[target] = items[target], items[index]
    for position, item in enumerate(items):  # renumber: positions may have gaps or ties after imports
        item.position = position
    await session.flush()
    return True


async def position_of(session: AsyncSession, kind: CatalogKind, item_id: int) -> tuple[int, int]:
    """(1-based place, total) of the item in its list."""
    items = await list_items(session, kind)
    ids = [item.id for item in items]
    return (ids.index(item_id) + 1 if item_id in ids else 0), len(ids)


_LINK_COLUMN = {CatalogKind.GROUP: PaymentLink.group_id, CatalogKind.PERIOD: PaymentLink.period_id,
                CatalogKind.CHILDREN: PaymentLink.children_id}


async def links_count(session: AsyncSession, kind: CatalogKind, item_id: int) -> int:
    return int(await session.scalar(select(func.count()).where(_LINK_COLUMN[kind] == item_id)) or 0)


async def receipts_count(session: AsyncSession, kind: CatalogKind, item: CatalogRow) -> int:
    """Receipts referring to the item. Only groups are referred to by code; periods and children are
    copied into the receipt as titles, so deleting them leaves receipts intact."""
    if kind is not CatalogKind.GROUP:
        return 0
    return int(await session.scalar(select(func.count()).where(Receipt.group_code == item.code)) or 0)


async def delete_item(session: AsyncSession, kind: CatalogKind, item_id: int) -> tuple[str, int]:
    """Delete the item and its links; returns (title, links deleted). Refuses items receipts refer to."""
    item = await _require(session, kind, item_id)
    receipts = await receipts_count(session, kind, item)
    if receipts:
        raise ItemInUse(receipts)
    links = await links_count(session, kind, item_id)
    # Explicit, not left to ON DELETE CASCADE: SQLite enforces it only with PRAGMA foreign_keys.
    await session.execute(delete(PaymentLink).where(_LINK_COLUMN[kind] == item_id))
    title = item.title
    await session.delete(item)
    await session.flush()
    return title, links


# -- payment links ---------------------------------------------------------------------------------------

@dataclass(slots=True)
class LinkMatrix:
    """Every period x children combination of one group, with its link (or None: a gap)."""

    group: CatalogGroup
    periods: list[CatalogPeriod]
    children: list[ChildrenOption]
    links: dict[tuple[int, int], PaymentLink]

    def link(self, period_id: int, children_id: int) -> PaymentLink | None:
        return self.links.get((period_id, children_id))

    @property
    def gaps(self) -> int:
        return sum(1 for p in self.periods for c in self.children if (p.id, c.id) not in self.links)


async def link_matrix(session: AsyncSession, group_id: int) -> LinkMatrix | None:
    group = await session.get(CatalogGroup, group_id)
    if group is None:
        return None
    rows = (await session.scalars(select(PaymentLink).where(PaymentLink.group_id == group_id))).all()
    return LinkMatrix(
        group=group,
        periods=await list_items(session, CatalogKind.PERIOD),
        children=await list_items(session, CatalogKind.CHILDREN),
        links={(row.period_id, row.children_id): row for row in rows},
    )


@dataclass(frozen=True, slots=True)
class Combo:
    group: CatalogGroup
    period: CatalogPeriod
    children: ChildrenOption

    @property
    def label(self) -> str:
        return f"{self.group.title} · {self.period.title} · {self.children.title}"


async def get_combo(session: AsyncSession, group_id: int, period_id: int, children_id: int) -> Combo | None:
    group = await session.get(CatalogGroup, group_id)
    period = await session.get(CatalogPeriod, period_id)
    children = await session.get(ChildrenOption, children_id)
    if group is None or period is None or children is None:
        return None
    return Combo(group, period, children)


async def get_link(session: AsyncSession, combo: Combo) -> PaymentLink | None:
    return await session.scalar(select(PaymentLink).where(
        PaymentLink.group_id == combo.group.id, PaymentLink.period_id == combo.period.id,
        PaymentLink.children_id == combo.children.id,
    ))


def parse_url(text: str) -> str:
    """An http(s) link a Telegram button accepts: check_url, plus a real host name (Telegram refuses
    a button to "https://:80" or "http://localhost")."""
    try:
        url = check_url(text)
        host = urlparse(url).hostname or ""
    except (CatalogError, ValueError):
        host, url = "", ""
    if "." not in host.strip("."):
        raise CatalogEditError("Это не похоже на ссылку. Нужна ссылка целиком, она начинается с "
                               "https:// (или http://), без пробелов.")
    return url


def parse_amount(text: str) -> int | None:
    """Roubles as typed on a phone: "6000", "6 000", "6000 ₽", "6000 руб". 0 or "-" removes the amount."""
    cleaned = re.sub(r"(₽|руб\.?|рублей|р\.?)$", "", text.strip().lower()).replace(" ", "").replace("\u00a0", "")
    if cleaned in ("0", "-", "—"):
        return None
    if not cleaned.isdigit():
        raise CatalogEditError("Напишите сумму цифрами, в рублях, например 6000. Чтобы убрать сумму, отправьте 0.")
    try:
        return check_amount(int(cleaned))
    except CatalogError:
        raise CatalogEditError("Сумма должна быть больше нуля.") from None


async def set_link_url(session: AsyncSession, combo: Combo, url: str) -> str | None:
    """Set or replace the link; returns the old URL (None if there was a gap)."""
    url = parse_url(url)
    link = await get_link(session, combo)
    old = link.url if link else None
    if link is None:
        session.add(PaymentLink(group_id=combo.group.id, period_id=combo.period.id,
                                children_id=combo.children.id, url=url))
    else:
        link.url = url
    await session.flush()
    return old


async def set_link_amount(session: AsyncSession, combo: Combo, amount: int | None) -> int | None:
    """Returns the old amount. An amount lives on a link, so there must be one."""
    link = await get_link(session, combo)
    if link is None:
        raise CatalogEditError("Сначала укажите ссылку на оплату, потом сумму.")
    old, link.amount = link.amount, check_amount(amount)
    await session.flush()
    return old


async def remove_link(session: AsyncSession, combo: Combo) -> str | None:
    """Returns the removed URL (None if there was nothing to remove)."""
    link = await get_link(session, combo)
    if link is None:
        return None
    url = link.url
    await session.delete(link)
    await session.flush()
    return url


# -- catalog file import: what will change --------------------------------------------------------------

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

    @property
    def empty(self) -> bool:
        return not (self.groups or self.periods or self.children or self.reordered or self.links_added
                    or self.links_removed or self.links_changed or self.contacts_changed
                    or self.hiding or self.showing)

    def summary_lines(self, limit: int = 12) -> list[str]:
        """Plain Russian lines (not HTML) describing the change, longest lists cut at `limit`."""
        lines: list[str] = []
        for name, changes in (("Группы", self.groups), ("Периоды", self.periods), ("Количество детей", self.children)):
            lines += [f"{name}: добавится «{t}»" for t in changes.added]
            lines += [f"{name}: удалится «{t}»" for t in changes.removed]
            lines += [f"{name}: «{old}» → «{new}»" for old, new in changes.renamed]
        lines += [f"Изменится порядок: {name}" for name in self.reordered]
        lines += _capped("Новые ссылки", self.links_added, limit)
        lines += _capped("Удалятся ссылки", self.links_removed, limit)
        lines += _capped("Изменятся ссылки", self.links_changed, limit)
        if self.contacts_changed:
            lines.append("Изменятся контакты")
        if self.hiding:
            lines.append("Будут скрыты от родителей: " + ", ".join(f"«{t}»" for t in self.hiding))
        if self.showing:
            lines.append("Снова станут видны родителям: " + ", ".join(f"«{t}»" for t in self.showing))
        return lines


def _capped(title: str, items: list[str], limit: int) -> list[str]:
    if not items:
        return []
    shown = items[:limit]
    more = f"\n  …и ещё {len(items) - limit}" if len(items) > limit else ""
    return [f"{title} ({len(items)}):\n" + "\n".join(f"  • {item}" for item in shown) + more]


SpecItem = CodedItem | ChildrenItem


def _diff_list(old: list[SpecItem], new: list[SpecItem]) -> ListChanges:
    old_titles, new_titles = {i.key: i.title for i in old}, {i.key: i.title for i in new}
    return ListChanges(
        added=[i.title for i in new if i.key not in old_titles],
        removed=[i.title for i in old if i.key not in new_titles],
        renamed=[(old_titles[i.key], i.title) for i in new if i.key in old_titles and old_titles[i.key] != i.title],
    )


def _same_order(old: list[SpecItem], new: list[SpecItem]) -> bool:
    kept = {i.key for i in new} & {i.key for i in old}
    return [i.key for i in old if i.key in kept] == [i.key for i in new if i.key in kept]


def _money(amount: int | None) -> str:
    return f"{amount:,} ₽".replace(",", " ") if amount is not None else "без суммы"


def diff_specs(old: CatalogSpec, new: CatalogSpec) -> CatalogChanges:
    """What replacing `old` with `new` changes, hidden marks included."""
    changes = CatalogChanges(
        groups=_diff_list(old.groups, new.groups),
        periods=_diff_list(old.periods, new.periods),
        children=_diff_list(old.children, new.children),
        contacts_changed=old.contacts.strip() != new.contacts.strip(),
    )
    for name, a, b in (("группы", old.groups, new.groups), ("периоды", old.periods, new.periods),
                       ("количество детей", old.children, new.children)):
        if not _same_order(a, b):
            changes.reordered.append(name)
        was_hidden = {i.key: i.hidden for i in a}
        changes.hiding += [i.title for i in b if i.hidden and not was_hidden.get(i.key, False)]
        changes.showing += [i.title for i in b if not i.hidden and was_hidden.get(i.key, False)]

    titles = {**{("g", i.key): i.title for i in old.groups + new.groups},
              **{("p", i.key): i.title for i in old.periods + new.periods},
              **{("c", i.key): i.title for i in old.children + new.children}}

    def label(key: tuple[str, str, int]) -> str:
        group, period, count = key
        return f"{titles[('g', group)]} · {titles[('p', period)]} · {titles[('c', count)]}"

    old_links = {(k.group, k.period, k.children): (k.url, k.amount) for k in old.links}
    new_links = {(k.group, k.period, k.children): (k.url, k.amount) for k in new.links}
    for key, (url, amount) in new_links.items():
        if key not in old_links:
            changes.links_added.append(f"{label(key)}: {_money(amount)}")
            continue
        old_url, old_amount = old_links[key]
        parts = []
        if old_url != url:
            parts.append("новая ссылка")
        if old_amount != amount:
            parts.append(f"сумма {_money(old_amount)} → {_money(amount)}")
        if parts:
            changes.links_changed.append(f"{label(key)}: {', '.join(parts)}")
    changes.links_removed = [label(key) for key in old_links if key not in new_links]
    return changes


async def import_preview(session: AsyncSession, new: CatalogSpec) -> CatalogChanges:
    old = await export_spec(session)
    changes = diff_specs(old, new)
    new_codes = {g.code for g in new.groups}
    for group in old.groups:
        if group.code not in new_codes:
            count = int(await session.scalar(select(func.count()).where(Receipt.group_code == group.code)) or 0)
            if count:
                changes.groups_with_receipts[group.title] = count
    return changes
