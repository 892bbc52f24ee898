"""Read and write the catalog YAML. Every error names the line and the field, so the operator can fix it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from happykids.domain.catalog import CatalogError, check_amount, check_url

CODE_RE = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
MAX_TITLE = 64  # a button label must stay readable on a phone


@dataclass(slots=True)
class CatalogSpec:
    """A catalog as written in YAML: codes and titles, before it gets database ids."""

    contacts: str = ""
    groups: list[tuple[str, str]] = field(default_factory=list)  # (id, title)
    periods: list[tuple[str, str]] = field(default_factory=list)
    children: list[tuple[int, str]] = field(default_factory=list)  # (count, title)
    links: list[tuple[str, str, int, str, int | None]] = field(default_factory=list)  # group, period, children, url, amount


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that remembers the line of every mapping, for error messages."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_catalog_yaml(text: str) -> CatalogSpec:
    try:
        doc = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        raise CatalogError(f"{where}not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(doc, dict):
        raise CatalogError("the file must be a mapping with contacts, groups, periods, children and links")
    unknown = set(doc) - {"contacts", "groups", "periods", "children", "links", "__line__"}
    if unknown:
        raise CatalogError(f"unknown top-level field(s): {', '.join(sorted(unknown))}")

    spec = CatalogSpec(contacts=_text(doc.get("contacts", ""), "contacts", doc.get("__line__", 1), limit=1000))
    spec.groups = _coded(doc, "groups")
    spec.periods = _coded(doc, "periods")
    spec.children = _children(doc)
    spec.links = _links(doc, spec)
    return spec


def _items(doc: dict, name: str, required: bool = True) -> list[dict]:
    items = doc.get(name)
    if items is None:
        if required:
            raise CatalogError(f"`{name}` is missing")
        return []
    if not isinstance(items, list):
        raise CatalogError(f"`{name}` must be a list")
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise CatalogError(f"{name}[{i}]: each entry must be a mapping like {{id: ..., title: ...}}")
    if required and not items:
        raise CatalogError(f"`{name}` must have at least one entry")
    return items


def _where(item: dict, name: str, i: int) -> str:
    return f"line {item.get('__line__', '?')}, {name}[{i}]"


def _text(value: object, field_name: str, line: int | str, limit: int = MAX_TITLE) -> str:
    if value is None or isinstance(value, (dict, list)):
        raise CatalogError(f"line {line}: `{field_name}` must be text")
    text = str(value).strip()
    if len(text) > limit:
        raise CatalogError(f"line {line}: `{field_name}` is longer than {limit} characters")
    return text


def _coded(doc: dict, name: str) -> list[tuple[str, str]]:
    seen: set[str] = set()
    out = []
    for i, item in enumerate(_items(doc, name)):
        where = _where(item, name, i)
        code, title = item.get("id"), item.get("title")
        if not isinstance(code, str) or not CODE_RE.match(code):
            raise CatalogError(f"{where}: `id` must be latin letters, digits, _ or - (got {code!r})")
        if code in seen:
            raise CatalogError(f"{where}: `id` {code!r} is used twice")
        if not title or not str(title).strip():
            raise CatalogError(f"{where}: `title` is missing")
        seen.add(code)
        out.append((code, _text(title, "title", item.get("__line__", "?"))))
    return out


def _children(doc: dict) -> list[tuple[int, str]]:
    seen: set[int] = set()
    out = []
    for i, item in enumerate(_items(doc, "children")):
        where = _where(item, "children", i)
        count, title = item.get("count"), item.get("title")
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 20:
            raise CatalogError(f"{where}: `count` must be a whole number from 1 to 20 (got {count!r})")
        if count in seen:
            raise CatalogError(f"{where}: `count` {count} is used twice")
        if not title or not str(title).strip():
            raise CatalogError(f"{where}: `title` is missing")
        seen.add(count)
        out.append((count, _text(title, "title", item.get("__line__", "?"))))
    return out


def _links(doc: dict, spec: CatalogSpec) -> list[tuple[str, str, int, str, int | None]]:
    groups = {g for g, _ in spec.groups}
    periods = {p for p, _ in spec.periods}
    counts = {c for c, _ in spec.children}
    seen: set[tuple[str, str, int]] = set()
    out = []
    for i, item in enumerate(_items(doc, "links", required=False)):
        where = _where(item, "links", i)
        group, period, children = item.get("group"), item.get("period"), item.get("children")
        if group not in groups:
            raise CatalogError(f"{where}: `group` {group!r} is not one of the groups")
        if period not in periods:
            raise CatalogError(f"{where}: `period` {period!r} is not one of the periods")
        if children not in counts:
            raise CatalogError(f"{where}: `children` {children!r} is not one of the children counts")
        if (group, period, children) in seen:
            raise CatalogError(f"{where}: a second link for {group}/{period}/{children}")
        unknown = set(item) - {"group", "period", "children", "url", "amount", "__line__"}
        if unknown:
            raise CatalogError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        try:
            url = check_url(str(item.get("url") or ""))
            amount = check_amount(item.get("amount"))
        except CatalogError as exc:
            raise CatalogError(f"{where}: {exc}") from None
        seen.add((group, period, children))
        out.append((group, period, children, url, amount))
    return out


def dump_catalog_yaml(spec: CatalogSpec) -> str:
    """The same format the importer reads, one entry per line, so a diff is easy to review."""

    def q(text: str) -> str:
        return yaml.safe_dump(text, allow_unicode=True, width=10_000, default_style='"').strip()

    lines = [f"contacts: {q(spec.contacts)}", "groups:"]
    lines += [f"  - {{id: {code}, title: {q(title)}}}" for code, title in spec.groups]
    lines.append("periods:")
    lines += [f"  - {{id: {code}, title: {q(title)}}}" for code, title in spec.periods]
    lines.append("children:")
    lines += [f"  - {{count: {count}, title: {q(title)}}}" for count, title in spec.children]
    lines.append("links:" if spec.links else "links: []")
    for group, period, children, url, amount in spec.links:
        tail = f", amount: {amount}" if amount is not None else ""
        lines.append(f"  - {{group: {group}, period: {period}, children: {children}, url: {q(url)}{tail}}}")
    return "\n".join(lines) + "\n"
