"""Checks a text the director typed before it replaces a default: Telegram must accept it, every time.

What Telegram accepts (HTML tags, length limits) and how to explain a refusal in plain Russian is
Telegram's business and lives in ``tgtext.explain``, shared with the test emulator, so "accepted here"
means "accepted by Telegram". This module adds what belongs to this bot: which kind of text goes where
(a message is HTML, a button label plain text), and its placeholders -- `{contacts}` and the like must
match the default's exactly: a missing one loses information, an unknown one would reach parents raw.
"""

from __future__ import annotations

from happykids.texts.model import TextDef, TextKind, placeholder_names, substitute
from happykids.texts.service import fill
from tgtext import limits
from tgtext.explain import (
    ALLOWED_TAGS_HINT,
    EMPTY,
    escape_bare_ampersands,
    html_problems,
    plain_problems,
)

# Re-exported for the texts editor, which shows the hint and the explanations next to the bot's own words.
__all__ = [
    "ALLOWED_TAGS_HINT",
    "LIMITS",
    "PLACEHOLDER_MEANING",
    "TextKind",
    "check_text",
    "normalize",
    "render",
    "sample_for",
]

LIMITS = {
    TextKind.MESSAGE: limits.MESSAGE_TEXT,
    TextKind.BUTTON: limits.BUTTON_TEXT,
    TextKind.POPUP: limits.CALLBACK_ANSWER,
    TextKind.COMMAND: limits.COMMAND_DESCRIPTION,
}

# What each known placeholder stands for, to explain a missing one (unknown ones get a generic word).
PLACEHOLDER_MEANING = {
    "contacts": "контакты агентства",
    "group": "название группы",
    "period": "период обучения",
    "children": "количество детей",
    "amount": "сумма",
    "amount_line": "строка с суммой",
    "url": "ссылка на оплату",
    "name_part": "имя родителя",
    "count": "число",
}


def normalize(definition: TextDef, raw: str) -> str:
    """Tidy what the director typed; in HTML texts turn a lone "&" ("мама & папа") into "&amp;".

    Telegram strips surrounding whitespace from her message, so the default's own (a sub-template such as
    the amount line starts with a line break) is put back.
    """
    default = definition.default
    lead = default[: len(default) - len(default.lstrip())]
    trail = default[len(default.rstrip()):]
    text = lead + raw.strip() + trail
    if definition.kind is TextKind.MESSAGE:
        text = escape_bare_ampersands(text)
    return text


def render(definition: TextDef, template: str, values: dict[str, object]) -> str:
    """The text exactly as a parent gets it (mirrors Texts.get / Texts.plain)."""
    if definition.kind is TextKind.MESSAGE:
        return fill(template, values)
    return substitute(template, values)


def sample_for(name: str) -> str:
    """A believable value for a placeholder, so the length check and the preview look like the real thing."""
    samples = {"count": "2", "amount": "6 000", "url": "https://pay.example.com/sample", "name_part": ", Анна"}
    return samples.get(name, "пример")


def check_text(definition: TextDef, template: str, values: dict[str, object] | None = None) -> list[str]:
    """Problems (in Russian, plain text) that stop `template` from being saved; empty when it is fine.

    `values` fill the placeholders for the length check (real catalog values make it realistic).
    """
    if not template.strip():
        return [EMPTY]
    problems = _placeholder_problems(definition, template)
    kind = definition.kind
    filled = render(definition, template, {name: sample_for(name) for name in definition.placeholders} | (values or {}))
    if kind is TextKind.MESSAGE:
        return problems + html_problems(filled, LIMITS[kind])
    return problems + plain_problems(template, LIMITS[kind], one_line=kind is not TextKind.POPUP, filled=filled)


def _placeholder_problems(definition: TextDef, template: str) -> list[str]:
    used = placeholder_names(template)
    expected = definition.placeholders
    problems = []
    for name in sorted(expected - used):
        meaning = PLACEHOLDER_MEANING.get(name, "значение")
        problems.append(f"Не хватает {{{name}}} — сюда бот подставляет {meaning}. Верните его в текст.")
    unknown = sorted(used - expected)
    if unknown:
        names = ", ".join(f"{{{n}}}" for n in unknown)
        allowed = ", ".join(f"{{{n}}}" for n in sorted(expected)) or "никакие"
        problems.append(f"Бот не знает {names} — уберите или проверьте написание. Здесь можно: {allowed}.")
    return problems
