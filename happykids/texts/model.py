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

    @property
    def plain(self) -> bool:
        """Shown without HTML (labels, popups, command descriptions)."""
        return self.kind is not TextKind.MESSAGE

    @property
    def placeholders(self) -> set[str]:
        return set(PLACEHOLDER_RE.findall(self.default))
