"""Read and write the catalog YAML. Every error names the line and the field (in Russian: the director reads
them in the panel, the operator in the terminal), so the file can be fixed without guessing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

import yaml

from happykids.domain.catalog import CatalogError, Link, check_amount, check_url
from happykids.domain.renewals import MAX_LENGTH_DAYS, MAX_LENGTH_MONTHS, ONE_MONTH, guess_length
from happykids.domain.wording import quoted
from tgtext.explain import explain_tag_issue
from tgtext.typed import to_html

CODE_RE = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
MAX_TITLE = 64  # a button label must stay readable on a phone
MAX_CONTACTS = 1000
SECTIONS = ("contacts", "groups", "periods", "children", "links")


@dataclass(frozen=True, slots=True)
class CodedItem:
    """A group or a period: `code` is its `id` in the file."""

    code: str
    title: str
    hidden: bool = False
    months: int | None = None  # periods only: how long a payment lasts (renewals), months or days
    days: int | None = None

    @property
    def key(self) -> str:
        return self.code


@dataclass(frozen=True, slots=True)
class ChildrenItem:
    count: int
    title: str
    hidden: bool = False

    @property
    def key(self) -> int:
        return self.count


@dataclass(slots=True)
class CatalogSpec:
    """A catalog as written in YAML: codes and titles, before it gets database ids."""

    contacts: str = ""
    groups: list[CodedItem] = field(default_factory=list)
    periods: list[CodedItem] = field(default_factory=list)
    children: list[ChildrenItem] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    notes: list[str] = field(default_factory=list, compare=False)  # defaults the import chose (change summary)


# -- loading with line numbers -----------------------------------------------------------------------------

LINE = "__line__"  # the line of a mapping
KEY_LINES = "__keys__"  # the line of each of its keys
SERVICE_KEYS = {LINE, KEY_LINES}
YamlMap = dict[Any, Any]  # a mapping as the YAML loader returns it (keys may be any scalar)


class _Seq(list[Any]):
    """A YAML list that remembers the line of each item."""

    lines: list[int]


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that remembers the line of every mapping, key and list item, for error messages."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> YamlMap:
    mapping = loader.construct_mapping(node, deep=True)
    mapping[LINE] = node.start_mark.line + 1
    mapping[KEY_LINES] = {
        key.value: key.start_mark.line + 1 for key, _ in node.value if isinstance(key, yaml.ScalarNode)
    }
    return mapping


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> list[Any]:
    seq = _Seq(loader.construct_sequence(node, deep=True))
    seq.lines = [item.start_mark.line + 1 for item in node.value]
    return seq


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def _line(mapping: YamlMap, key: str | None = None) -> int | str:
    """The line of `key` in `mapping` (or of the mapping itself)."""
    lines: dict[Any, int] = mapping.get(KEY_LINES, {})
    if key is not None and key in lines:
        return lines[key]
    line: int | str = mapping.get(LINE, "?")
    return line


def _sort_line(line: int | str) -> int:
    return line if isinstance(line, int) else 1 << 30


def _fields(mapping: YamlMap) -> set[Any]:
    return set(mapping) - SERVICE_KEYS


def _show(value: object) -> str:
    return quoted(str(value))


QUOTE_HINT = "числа и слова вроде yes, no, on, off пишите в кавычках"


def _unknown(names: set[Any], where: str, known: tuple[str, ...]) -> CatalogError:
    names_text = ", ".join(sorted(str(n) for n in names))
    what = "неизвестное поле" if len(names) == 1 else "неизвестные поля"
    return CatalogError(f"{where}: {what} {names_text} (бывают: {', '.join(known)})")


# -- parsing ---------------------------------------------------------------------------------------------------

def parse_catalog_yaml(text: str) -> CatalogSpec:
    try:
        doc = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"строка {mark.line + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or exc
        raise CatalogError(f"{where}файл не читается как YAML — проверьте кавычки, скобки и отступы "
                           f"(YAML: {problem})") from None
    if not isinstance(doc, dict):
        raise CatalogError(f"в файле должны быть разделы {', '.join(SECTIONS[:-1])} и {SECTIONS[-1]}")
    unknown = _fields(doc) - set(SECTIONS)
    if unknown:
        first = min(unknown, key=lambda name: (_sort_line(_line(doc, name)), str(name)))
        raise _unknown(unknown, f"строка {_line(doc, first)}", SECTIONS)

    contacts = doc.get("contacts", "")
    where = f"строка {_line(doc, 'contacts')}"
    spec = CatalogSpec(contacts=_text(contacts, where, "contacts", MAX_CONTACTS))
    issues = to_html(spec.contacts).issues  # formatted like everything she writes: a broken tag is an error
    if issues:
        raise CatalogError(f"{where}: contacts — {explain_tag_issue(issues[0])}")
    spec.groups = _coded(doc, "groups")
    spec.periods = _coded(doc, "periods")
    spec.periods, spec.notes = _period_lengths(doc, spec.periods)
    spec.children = _children(doc)
    spec.links = _links(doc, spec)
    return spec


@dataclass(frozen=True, slots=True)
class _Entry:
    """One entry of a list section, and where it is: "строка 13, links[1]"."""

    section: str
    index: int
    item: YamlMap
    line: int | str

    def at(self, key: str | None = None) -> str:
        """The place for a message: the line of `key` when it has one of its own (block style), else the entry's."""
        line = _line(self.item, key) if key is not None else self.line
        return f"строка {line}, {self.section}[{self.index}]"

    def unknown_fields(self, known: tuple[str, ...]) -> None:
        unknown = _fields(self.item) - set(known)
        if unknown:
            first = min(unknown, key=lambda name: (_sort_line(_line(self.item, name)), str(name)))
            raise _unknown(unknown, self.at(first), known)


def _items(doc: YamlMap, name: str, example: str, required: bool = True) -> list[_Entry]:
    items = doc.get(name)
    if items is None:
        if required:
            raise CatalogError(f"в файле нет раздела {name}")
        return []
    if not isinstance(items, list):
        raise CatalogError(f"строка {_line(doc, name)}, {name}: нужен список из элементов вида {example}")
    if required and not items:
        raise CatalogError(f"строка {_line(doc, name)}, {name}: список пуст, нужен хотя бы один элемент")
    lines = getattr(items, "lines", [])
    out = []
    for i, item in enumerate(items):
        line = lines[i] if i < len(lines) else _line(doc, name)
        if not isinstance(item, dict):
            raise CatalogError(f"строка {line}, {name}[{i}]: каждый элемент записывается так: {example}")
        out.append(_Entry(name, i, item, line))
    return out


def _text(value: object, where: str, field_name: str, limit: int = MAX_TITLE) -> str:
    if value is None or isinstance(value, (dict, list)):
        raise CatalogError(f"{where}: {field_name} — нужен текст")
    text = str(value).strip()
    if len(text) > limit:
        raise CatalogError(f"{where}: {field_name} длиннее {limit} символов")
    return text


def _title(entry: _Entry) -> str:
    title = entry.item.get("title")
    if title is None or not str(title).strip():
        raise CatalogError(f"{entry.at()}: нет title (названия кнопки)")
    return _text(title, entry.at("title"), "title")


def _hidden(entry: _Entry) -> bool:
    hidden = entry.item.get("hidden", False)
    if not isinstance(hidden, bool):
        raise CatalogError(f"{entry.at('hidden')}: hidden {_show(hidden)} — можно только true или false")
    return hidden


def title_key(title: str) -> str:
    """Titles that parents could not tell apart on two buttons compare equal: case, ё/е and spaces aside."""
    return " ".join(title.split()).casefold().replace("ё", "е")


class _Titles:
    """Refuses a title already used above in the same section (two identical buttons for parents)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.seen: dict[str, str] = {}

    def check(self, entry: _Entry, title: str) -> str:
        key = title_key(title)
        if key in self.seen:
            raise CatalogError(f"{entry.at('title')}: title {_show(title)} уже встречается выше в {self.name} "
                               f"({_show(self.seen[key])}) — у родителей были бы две одинаковые кнопки")
        self.seen[key] = title
        return title


def _coded(doc: YamlMap, name: str) -> list[CodedItem]:
    seen: set[str] = set()
    titles = _Titles(name)
    out = []
    for entry in _items(doc, name, '{id: ..., title: "..."}'):
        entry.unknown_fields(("id", "title", "hidden", *(("months", "days") if name == "periods" else ())))
        code, where = entry.item.get("id"), entry.at("id")
        if code is None:
            raise CatalogError(f"{entry.at()}: нет id")
        if not isinstance(code, str):
            raise CatalogError(f"{where}: id {_show(code)} — нужен текст ({QUOTE_HINT}: id: \"{code}\")")
        if not CODE_RE.match(code):
            raise CatalogError(f"{where}: id {_show(code)} — можно только латинские буквы, цифры, _ и -")
        if code in seen:
            raise CatalogError(f"{where}: id {_show(code)} уже встречается выше в {name}")
        seen.add(code)
        out.append(CodedItem(code, titles.check(entry, _title(entry)), _hidden(entry)))
    return out


def _period_lengths(doc: YamlMap, periods: list[CodedItem]) -> tuple[list[CodedItem], list[str]]:
    """`months: 3` or `days: 14` on a period (renewals remind before it ends). A period without either still
    imports: the length is read from its title («3 месяца»), else one month, and a note says so."""
    out, notes = [], []
    for entry, item in zip(_items(doc, "periods", '{id: ..., title: "..."}'), periods, strict=True):
        months, days = entry.item.get("months"), entry.item.get("days")
        if months is not None and days is not None:
            raise CatalogError(f"{entry.at('days')}: укажите что-то одно — months (месяцев) или days (дней)")
        if months is not None:
            if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= MAX_LENGTH_MONTHS:
                raise CatalogError(f"{entry.at('months')}: months {_show(months)} — нужно целое число от 1 до "
                                   f"{MAX_LENGTH_MONTHS}")
            out.append(replace(item, months=months))
            continue
        if days is not None:
            if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_LENGTH_DAYS:
                raise CatalogError(f"{entry.at('days')}: days {_show(days)} — нужно целое число от 1 до "
                                   f"{MAX_LENGTH_DAYS}")
            out.append(replace(item, days=days))
            continue
        guessed = guess_length(item.title)
        length = guessed or ONE_MONTH
        how = "по названию" if guessed else "по умолчанию"
        notes.append(f"Период {_show(item.title)}: длина не указана (months или days) — {how} "
                     f"{length.describe()}")
        out.append(replace(item, months=length.months, days=length.days))
    return out, notes


def _children(doc: YamlMap) -> list[ChildrenItem]:
    seen: set[int] = set()
    titles = _Titles("children")
    out = []
    for entry in _items(doc, "children", '{count: 1, title: "1 ребёнок"}'):
        entry.unknown_fields(("count", "title", "hidden"))
        count, where = entry.item.get("count"), entry.at("count")
        if count is None:
            raise CatalogError(f"{entry.at()}: нет count")
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 20:
            raise CatalogError(f"{where}: count {_show(count)} — нужно целое число от 1 до 20")
        if count in seen:
            raise CatalogError(f"{where}: count {_show(count)} уже встречается выше в children")
        seen.add(count)
        out.append(ChildrenItem(count, titles.check(entry, _title(entry)), _hidden(entry)))
    return out


def _hint(value: object) -> str:
    return f" ({QUOTE_HINT})" if isinstance(value, (int, float, bool)) or value is None else ""


def _links(doc: YamlMap, spec: CatalogSpec) -> list[Link]:
    groups = {g.code for g in spec.groups}
    periods = {p.code for p in spec.periods}
    counts = {c.count for c in spec.children}
    seen: set[tuple[str, str, int]] = set()
    out = []
    example = '{group: ..., period: ..., children: 1, url: "https://...", amount: 6000}'
    for entry in _items(doc, "links", example, required=False):
        entry.unknown_fields(("group", "period", "children", "url", "amount"))
        item = entry.item
        for name in ("group", "period", "children", "url"):
            if item.get(name) is None:
                raise CatalogError(f"{entry.at()}: нет {name}")
        group, period, children = item["group"], item["period"], item["children"]
        if not isinstance(group, str) or group not in groups:
            raise CatalogError(f"{entry.at('group')}: group {_show(group)} — такой группы нет в groups{_hint(group)}")
        if not isinstance(period, str) or period not in periods:
            raise CatalogError(f"{entry.at('period')}: period {_show(period)} — такого периода нет в periods"
                               f"{_hint(period)}")
        if isinstance(children, bool) or not isinstance(children, int) or children not in counts:
            raise CatalogError(f"{entry.at('children')}: children {_show(children)} — "
                               f"в разделе children нет count: {children}")
        if (group, period, children) in seen:
            raise CatalogError(f"{entry.at()}: ссылка для {group}/{period}/{children} уже есть выше, нужна одна")
        try:
            url = check_url(str(item["url"]))
        except CatalogError as exc:
            raise CatalogError(f"{entry.at('url')}: {exc}") from None
        try:
            amount = check_amount(item.get("amount"))
        except CatalogError as exc:
            raise CatalogError(f"{entry.at('amount')}: {exc}") from None
        seen.add((group, period, children))
        out.append(Link(group, period, children, url, amount))
    return out


# -- writing ---------------------------------------------------------------------------------------------------

def dump_catalog_yaml(spec: CatalogSpec) -> str:
    """The same format the importer reads, one entry per line, so a diff is easy to review.
    `hidden: true` is written only for hidden items, so a catalog without them looks exactly as before."""

    def q(text: str) -> str:
        return yaml.safe_dump(text, allow_unicode=True, width=10_000, default_style='"').strip()

    def code(value: str) -> str:  # plain when it reads back as the same text: 2024, on, null need quotes
        return value if yaml.safe_load(value) == value else q(value)

    def length(period: CodedItem) -> str:
        return (f", months: {period.months}" if period.months else f", days: {period.days}" if period.days
                else "")

    def tail(hidden: bool) -> str:
        return ", hidden: true" if hidden else ""

    lines = [f"contacts: {q(spec.contacts)}", "groups:"]
    lines += [f"  - {{id: {code(g.code)}, title: {q(g.title)}{tail(g.hidden)}}}" for g in spec.groups]
    lines.append("periods:")
    lines += [f"  - {{id: {code(p.code)}, title: {q(p.title)}{length(p)}{tail(p.hidden)}}}" for p in spec.periods]
    lines.append("children:")
    lines += [f"  - {{count: {c.count}, title: {q(c.title)}{tail(c.hidden)}}}" for c in spec.children]
    lines.append("links:" if spec.links else "links: []")
    for link in spec.links:
        amount = f", amount: {link.amount}" if link.amount is not None else ""
        lines.append(f"  - {{group: {code(link.group)}, period: {code(link.period)}, children: {link.children}, "
                     f"url: {q(link.url)}{amount}}}")
    return "\n".join(lines) + "\n"
