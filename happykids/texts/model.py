"""The shape of a text definition."""

import re
from dataclasses import dataclass

PLACEHOLDER_RE = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


@dataclass(frozen=True, slots=True)
class TextDef:
    key: str
    default: str  # Telegram HTML; `{name}` placeholders are filled with escaped values
    screen: str  # which screen it belongs to, for grouping in the admin panel
    description: str  # where the parent sees it
    button: bool = False  # a button label: plain text, no HTML, at most 64 characters

    @property
    def placeholders(self) -> set[str]:
        return set(PLACEHOLDER_RE.findall(self.default))
