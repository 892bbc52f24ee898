"""Checks a text the director typed before it replaces a default: Telegram must accept it, every time.

Message texts are Telegram HTML and are parsed by the same parser the test emulator uses (a port of
Telegram's own rules), so "accepted here" means "accepted by Telegram". Button labels, popup answers and
command descriptions are plain text with their own length limits. Placeholders such as `{contacts}` must
match the default's exactly: a missing one loses information, an unknown one would reach parents raw.
"""

from __future__ import annotations

import re

from tgtext.html import parse_html
from tgtext.entities import EntityParseError, utf16_len
from happykids.texts.model import PLACEHOLDER_RE, TextDef, TextKind
from happykids.texts.service import fill


LIMITS = {TextKind.MESSAGE: 4096, TextKind.BUTTON: 64, TextKind.POPUP: 200, TextKind.COMMAND: 256}

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
}

_TAG_RE = re.compile(r"</?[A-Za-z][^>]*>")
# "&" that does not start one of the character references Telegram understands.
_BARE_AMP_RE = re.compile(r"&(?!(?:lt|gt|amp|quot|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});)")
ALLOWED_TAGS_HINT = ("<b>жирный</b>, <i>курсив</i>, <u>подчёркнутый</u>, <s>зачёркнутый</s>, "
                     '<a href="https://…">ссылка</a>, <code>код</code>, <blockquote>цитата</blockquote>')


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
        text = _BARE_AMP_RE.sub("&amp;", text)
    return text


def render(definition: TextDef, template: str, values: dict[str, object]) -> str:
    """The text exactly as a parent gets it (mirrors Texts.get / Texts.plain)."""
    if definition.kind is TextKind.MESSAGE:
        return fill(template, values)
    return PLACEHOLDER_RE.sub(lambda m: str(values.get(m.group(1), m.group(0))), template)


def sample_for(name: str) -> str:
    return {"amount": "6 000", "url": "https://pay.example.com/sample", "name_part": ", Анна"}.get(name, "пример")


def check_text(definition: TextDef, template: str, values: dict[str, object] | None = None) -> list[str]:
    """Problems (in Russian, plain text) that stop `template` from being saved; empty when it is fine.

    `values` fill the placeholders for the length check (real catalog values make it realistic).
    """
    if not template.strip():
        return ["Текст пустой — напишите, пожалуйста, хотя бы несколько слов."]
    problems = _placeholder_problems(definition, template)
    kind = definition.kind
    values = {name: sample_for(name) for name in definition.placeholders} | (values or {})
    if kind is TextKind.MESSAGE:
        try:
            plain = parse_html(render(definition, template, values)).text.strip()
        except EntityParseError as exc:
            return problems + [explain_html_error(str(exc))]
        if not plain:
            problems.append("После оформления не остаётся текста — добавьте слова.")
    else:
        if _TAG_RE.search(template):
            problems.append("Здесь оформление (теги вроде <b>) не работает — напишите простой текст.")
        if "\n" in template and kind is not TextKind.POPUP:
            problems.append("Этот текст должен быть одной строкой.")
        plain = render(definition, template, values).strip()
    limit = LIMITS[kind]
    if utf16_len(plain) > limit:
        problems.append(f"Слишком длинно: {utf16_len(plain)} символов, а Telegram разрешает не больше {limit}.")
    return problems


def _placeholder_problems(definition: TextDef, template: str) -> list[str]:
    used = set(PLACEHOLDER_RE.findall(template))
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


_HTML_ERRORS = [
    (re.compile(r'Unsupported start tag "([^"]*)"'),
     lambda m: f"Тег <{m[1]}> Telegram не поддерживает. Можно: {ALLOWED_TAGS_HINT}. "
               "Если нужен сам знак «<», напишите &lt;"),
    (re.compile(r'Can\'t find end tag corresponding to start tag "([^"]*)"'),
     lambda m: f"Тег <{m[1]}> открыт, но не закрыт — добавьте </{m[1]}> там, где оформление заканчивается."),
    (re.compile(r'expected "</([^"]*)>", found "</([^"]*)>"'),
     lambda m: f"Теги перепутаны: сначала нужно закрыть </{m[1]}>, а стоит </{m[2]}>."),
    (re.compile(r"Unexpected end tag"),
     lambda m: "Лишний закрывающий тег (вроде </b>) — у него нет открывающего."),
    (re.compile(r"Unclosed (start|end) tag|Unexpected end of name token|Expected equal sign|Empty attribute"),
     lambda m: "Тег не дописан: после имени тега нужна скобка «>», например <b>, а ссылка пишется так: "
               '<a href="https://…">текст</a>. Если нужен сам знак «<», напишите &lt;'),
]


def explain_html_error(detail: str) -> str:
    for pattern, explain in _HTML_ERRORS:
        match = pattern.search(detail)
        if match:
            return explain(match)
    return f"Telegram не примет такое оформление ({detail})."
