"""Russian that reads right: the plural form of a word after a number, and quotes inside quotes.

Hand-written on purpose: Russian plural agreement after a number needs only three forms the text already
names («1 получатель, 2 получателя, 5 получателей»), which is what the texts' `{count:…|…|…}` placeholders
carry; a morphology library (pymorphy3 with its dictionaries) would add megabytes to guess forms the
wording can simply state, and could not guess the director's own words.
"""

from __future__ import annotations

import re


def plural(count: int, one: str, few: str, many: str) -> str:
    """The form of a word after `count`: plural(1, "чек", "чека", "чеков") == "чек", 3 -> "чека", 11 -> "чеков"."""
    count = abs(count)
    if count % 10 == 1 and count % 100 != 11:
        return one
    if count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14):
        return few
    return many


def count_of(count: int, one: str, few: str, many: str) -> str:
    """The number and the word: count_of(2, "чек", "чека", "чеков") == "2 чека"."""
    return f"{count} {plural(count, one, few, many)}"


_INNER = re.compile(r"«([^«»]*)»")


def inner_quotes(text: str) -> str:
    """«ёлочки» inside `text` as „лапки“, for putting it inside «…»: Фото-студия „Звёздочка“."""
    while _INNER.search(text):  # innermost first, so nested pairs are all turned
        text = _INNER.sub(r"„\1“", text)
    return text


def quoted(title: str) -> str:
    """A title in «ёлочках»; quotes inside it become „лапки“: «Фото-студия „Звёздочка“»."""
    return f"«{inner_quotes(title)}»"
