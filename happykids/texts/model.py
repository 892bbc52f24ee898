"""The shape of a text definition."""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum

from happykids.domain.wording import count_of, inner_quotes

# `{name}`, or `{name:одна|две|пять}`: the number with the word in the form that agrees with it
# ("{count:получатель|получателя|получателей}" -> "1 получатель", "2 получателя", "5 получателей").
PLACEHOLDER_RE = re.compile(r"\{([a-z_][a-z0-9_]*)(?::([^{}|]+)\|([^{}|]+)\|([^{}|]+))?\}")


def placeholder_names(template: str) -> set[str]:
    return {match.group(1) for match in PLACEHOLDER_RE.finditer(template)}


_TAGS_BEFORE = re.compile(r"(?:<[^<>]*>)*$")
_TAGS_AFTER = re.compile(r"(?:<[^<>]*>)*")


def _in_quotes(template: str, match: re.Match[str]) -> bool:
    """Is the placeholder written inside «…» (tags such as <b> may stand between)?"""
    before = template[:match.start()]
    before = before[:_TAGS_BEFORE.search(before).start()]  # type: ignore[union-attr]  # always matches
    after = template[match.end():]
    after = after[_TAGS_AFTER.match(after).end():]  # type: ignore[union-attr]  # always matches
    return before.endswith("«") and after.startswith("»")


def substitute(template: str, values: Mapping[str, object], convert: Callable[[object], str] = str) -> str:
    """Put `values` into the placeholders (each through `convert`, e.g. HTML escaping); unknown ones and other
    braces stay as they are. A plural placeholder needs a number and adds the agreeing word."""

    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)
        value = values[name]
        if match.group(2) is None:
            if isinstance(value, str) and type(value) is str and _in_quotes(template, match):
                value = inner_quotes(value)  # «Фото-студия „Звёздочка“», not «Фото-студия «Звёздочка»»
            return convert(value)
        try:
            number = int(str(value))
        except ValueError:
            return convert(value)
        return count_of(number, match.group(2), match.group(3), match.group(4))

    return PLACEHOLDER_RE.sub(sub, template)


class TextKind(Enum):
    """Where a text goes decides its format: HTML messages, or plain text with Telegram's length limits."""

    MESSAGE = "message"  # Telegram HTML, up to 4096 characters
    BUTTON = "button"  # a button label, up to 64
    POPUP = "popup"  # an answer on a pressed button, up to 200
    COMMAND = "command"  # a command description in the menu, up to 256


@dataclass(frozen=True, slots=True)
class TextDef:
    key: str
    default: str  # Telegram HTML; `{name}` placeholders are filled with escaped values
    screen: str  # which screen it belongs to, for grouping in the admin panel
    description: str  # where the parent sees it
    kind: TextKind = TextKind.MESSAGE
    editable: bool = True  # False: the panel's own wording, not offered in the texts editor (read with Texts.fixed)

    @property
    def plain(self) -> bool:
        """Shown without HTML (labels, popups, command descriptions)."""
        return self.kind is not TextKind.MESSAGE

    @property
    def placeholders(self) -> set[str]:
        return placeholder_names(self.default)


def fixed_texts(namespace: dict[str, object], prefix: str, screen: str,
                popups: frozenset[str] = frozenset()) -> list[TextDef]:
    """TextDefs for a module's UPPER_CASE constants (strings, or dicts of strings): `BTN_*` are buttons,
    names in `popups` are popup answers, the rest messages. Keys: `<prefix>.<name>` and `<prefix>.<name>.<k>`."""
    result = []
    for name, value in namespace.items():
        if not name.isupper() or name == "TEXTS":
            continue
        kind = TextKind.BUTTON if name.startswith("BTN_") else TextKind.POPUP if name in popups else TextKind.MESSAGE
        items = value.items() if isinstance(value, dict) else [("", value)] if isinstance(value, str) else []
        for sub, text in items:
            key = f"{prefix}.{name.lower()}" + (f".{sub}" if sub else "")
            result.append(TextDef(key, text, screen, name, kind, editable=False))
    return result
