"""The shape of a text definition."""

import re
from dataclasses import dataclass
from enum import Enum

PLACEHOLDER_RE = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


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
        return set(PLACEHOLDER_RE.findall(self.default))


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
