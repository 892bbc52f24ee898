"""What the director may type when she edits the catalog in the panel: titles, codes, children counts,
payment links, amounts and contacts.

Pure rules (no database, no Telegram), so every refusal is unit-tested on its own and the panel stays thin.
Errors are `CatalogEditError` with a short Russian sentence the panel shows as is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Set
from urllib.parse import urlparse

from happykids.domain.catalog import CatalogError, CatalogKind, check_amount, check_url
from happykids.domain.catalog_yaml import MAX_CONTACTS, MAX_TITLE, title_key
from happykids.domain.wording import count_of

MAX_CHILDREN = 20  # the same bounds the YAML format uses


class CatalogEditError(ValueError):
    """A change the panel refuses; the message is meant for the director."""


class ItemInUse(CatalogEditError):
    """The item is referred to by receipts, so deleting it would orphan their history."""

    def __init__(self, receipts: int):
        receipts_text = count_of(receipts, "чек", "чека", "чеков")
        super().__init__(f"По этой группе уже есть {receipts_text}, поэтому удалить её нельзя. "
                         "Скройте её — родители перестанут её видеть, а история чеков сохранится.")
        self.receipts = receipts


class DuplicateTitle(CatalogEditError):
    """Another item of the same list has this title already: parents would see two identical buttons."""

    def __init__(self, existing: str) -> None:
        super().__init__(f"«{existing}» уже есть в этом списке — у родителей были бы две одинаковые кнопки. "
                         "Напишите другое название.")


def check_unique_title(title: str, others: Iterable[str]) -> str:
    """`title`, unless one of `others` reads the same (case, ё/е and spaces aside): DuplicateTitle."""
    key = title_key(title)
    existing = next((other for other in others if title_key(other) == key), None)
    if existing is not None:
        raise DuplicateTitle(existing)
    return title


class ItemGone(CatalogEditError):
    """The item was deleted meanwhile (another admin, another tab)."""

    def __init__(self) -> None:
        super().__init__("Этого уже нет в каталоге.")


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
    """Contacts as the director typed them (tags like <b> allowed, a stray "<" is a character: tgtext.typed
    turns them into HTML wherever they are shown); line breaks are kept."""
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


def pick_code(kind: CatalogKind, title: str, taken: Set[str]) -> str:
    """A code for a new item that none of `taken` uses: the title's slug, numbered if needed ("teens-3"),
    or the kind and a number when the title has no latin letters or digits ("g3")."""
    base = slugify(title) or f"{kind.value}{len(taken) + 1}"
    code, n = base, 2
    while code in taken:
        code, n = f"{base}-{n}", n + 1
    return code


def children_title(count: int) -> str:
    """Russian plural: 1 ребёнок, 2 ребёнка, 5 детей, 21 ребёнок."""
    return count_of(count, "ребёнок", "ребёнка", "детей")


def parse_children_count(text: str) -> int:
    text = text.strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_CHILDREN:
        raise CatalogEditError(f"Напишите число от 1 до {MAX_CHILDREN}, например 2.")
    return int(text)


def check_children_count(count: int) -> int:
    if not 1 <= count <= MAX_CHILDREN:
        raise CatalogEditError(f"Количество детей — от 1 до {MAX_CHILDREN}.")
    return count


# -- payment links ---------------------------------------------------------------------------------------

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


def money(amount: int | None, missing: str = "без суммы") -> str:
    """Roubles as the panel and the import summary show them: "6 000 ₽"."""
    return f"{amount:,} ₽".replace(",", " ") if amount is not None else missing
