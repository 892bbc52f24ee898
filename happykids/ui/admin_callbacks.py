"""Every button of the director's panel, as CallbackData factories (64-byte limit: ids, never titles).

`AdminMenu(section=...)` opens a section of the main menu. Sections "receipts", "payments", "stats" and
"broadcast" are handled by their own routers (admin/payments.py, stats.py, broadcast.py, receipts review).
"""

from enum import Enum

from aiogram.filters.callback_data import CallbackData

from happykids.services.catalog_admin import Kind


class Section(str, Enum):
    MAIN = "main"
    CATALOG = "catalog"
    LINKS = "links"
    CONTACTS = "contacts"
    TEXTS = "texts"
    ADMINS = "admins"
    AUDIT = "audit"
    RECEIPTS = "receipts"
    PAYMENTS = "payments"
    STATS = "stats"
    BROADCAST = "broadcast"


class AdminMenu(CallbackData, prefix="adm"):
    section: Section


# -- catalog: groups, periods, children options ----------------------------------------------------------

class ItemList(CallbackData, prefix="acl"):
    kind: Kind


class ItemCard(CallbackData, prefix="acc"):
    kind: Kind
    id: int


class ItemAct(str, Enum):
    RENAME = "ren"
    HIDE = "hide"
    SHOW = "show"
    UP = "up"
    DOWN = "down"
    DELETE = "del"  # asks for confirmation
    DELETE_YES = "delok"


class ItemAction(CallbackData, prefix="aca"):
    kind: Kind
    id: int
    action: ItemAct


class ItemAdd(CallbackData, prefix="acn"):
    kind: Kind


class FileAct(str, Enum):
    EXPORT = "out"
    IMPORT = "in"
    APPLY = "apply"


class CatalogFile(CallbackData, prefix="acf"):
    action: FileAct
    token: str = ""  # which uploaded file an «Применить» button belongs to


# -- payment links ---------------------------------------------------------------------------------------

class LinkMatrix(CallbackData, prefix="alm"):
    group_id: int


class LinkCard(CallbackData, prefix="alc"):
    group_id: int
    period_id: int
    children_id: int


class LinkAct(str, Enum):
    URL = "url"
    AMOUNT = "sum"
    REMOVE = "rm"  # asks for confirmation
    REMOVE_YES = "rmok"


class LinkAction(CallbackData, prefix="ala"):
    group_id: int
    period_id: int
    children_id: int
    action: LinkAct


# -- contacts, texts, admins, audit ----------------------------------------------------------------------

class ContactsEdit(CallbackData, prefix="ace"):
    pass


class TextScreen(CallbackData, prefix="ats"):
    screen: int  # index in the list of screens (names are Cyrillic and would not fit in 64 bytes)
    page: int = 0


class TextCard(CallbackData, prefix="atc"):
    key: str


class TextAct(str, Enum):
    EDIT = "edit"
    PREVIEW = "show"
    RESET = "reset"  # asks for confirmation
    RESET_YES = "resetok"
    SAVE = "save"
    SAMPLE = "try"  # the sample button / popup in a preview


class TextAction(CallbackData, prefix="ata"):
    key: str
    action: TextAct


class AdminsAct(str, Enum):
    ADD = "add"
    REMOVE = "rm"  # asks for confirmation
    REMOVE_YES = "rmok"


class AdminsAction(CallbackData, prefix="aad"):
    action: AdminsAct
    user_id: int = 0


class AuditPage(CallbackData, prefix="aau"):
    page: int
