"""Every inline button's data in one place, grouped by feature, as validated CallbackData factories.

Telegram allows 64 bytes of callback data: ids and short codes, never titles. Each factory's prefix is unique
(a test checks it), and handlers filter on these classes instead of parsing strings.
"""

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from happykids.domain.broadcasts import AudienceKind
from happykids.domain.catalog import CatalogKind
from happykids.domain.projects import ProjectKind
from happykids.domain.reporting import Period

# -- the parent's payment dialog and the receipt review ----------------------------------------

class Pick(CallbackData, prefix="pick"):
    """A parent chose an option on a step; `step` lets us refuse a press on a step already passed."""

    step: CatalogKind
    id: int


class NavAction(StrEnum):
    BACK = "back"
    CONFIRM = "ok"
    RESTART = "restart"


class Nav(CallbackData, prefix="nav"):
    action: NavAction
    step: str  # the screen the button was on: refuses Back/Confirm pressed on an outdated screen


class TgPay(CallbackData, prefix="tgp"):
    """«💳 Оплатить в Telegram» on the link screen (issue #13): the choice by ids, so the invoice is for exactly
    the combination on that screen; the price is looked up again when pressed."""

    group: int
    period: int
    children: int


class ReviewAction(StrEnum):
    APPROVE = "ok"
    REJECT = "no"
    NO_REASON = "nr"  # reject without a reason (on the "why?" prompt)
    CANCEL = "x"  # changed their mind on the "why?" prompt


class Review(CallbackData, prefix="rv"):
    """An admin's button on a receipt; who pressed it is re-checked on every press."""

    action: ReviewAction
    receipt_id: int


class ReceiptsPage(CallbackData, prefix="rvp"):
    """The next page of /receipts."""

    page: int


# -- the director's panel: menu, catalog, links, contacts, texts, admins, audit ----------------------

class Section(StrEnum):
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
    ARCHIVE = "archive"  # the receipt archive's state (handlers/admin/archive.py)
    PROJECTS = "projects"  # castings, shoots, shows (handlers/admin/projects.py)


class AdminMenu(CallbackData, prefix="adm"):
    section: Section


# -- catalog: groups, periods, children options ----------------------------------------------------------

class ItemList(CallbackData, prefix="acl"):
    kind: CatalogKind


class ItemCard(CallbackData, prefix="acc"):
    kind: CatalogKind
    id: int


class ItemAct(StrEnum):
    RENAME = "ren"
    HIDE = "hide"
    SHOW = "show"
    UP = "up"
    DOWN = "down"
    DELETE = "del"  # asks for confirmation
    DELETE_YES = "delok"


class ItemAction(CallbackData, prefix="aca"):
    kind: CatalogKind
    id: int
    action: ItemAct


class ItemAdd(CallbackData, prefix="acn"):
    kind: CatalogKind


class FileAct(StrEnum):
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


class LinkAct(StrEnum):
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


class TextAct(StrEnum):
    EDIT = "edit"
    PREVIEW = "show"
    RESET = "reset"  # asks for confirmation
    RESET_YES = "resetok"
    SAVE = "save"
    SAMPLE = "try"  # the sample button / popup in a preview
    SEARCH = "find"  # find a text by a word (key: "*")


class TextAction(CallbackData, prefix="ata"):
    key: str
    action: TextAct


class AdminsAct(StrEnum):
    ADD = "add"
    REMOVE = "rm"  # asks for confirmation
    REMOVE_YES = "rmok"


class AdminsAction(CallbackData, prefix="aad"):
    action: AdminsAct
    user_id: int = 0


class AuditPage(CallbackData, prefix="aau"):
    page: int


# -- the panel's payments, statistics and broadcasts ------------------------------------------------

class PayAct(StrEnum):
    SEARCH = "find"
    EXPORT = "exp"


class PaymentsAction(CallbackData, prefix="apy"):
    action: PayAct


class Fmt(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"


class PaymentsExport(CallbackData, prefix="apx"):
    month: str  # "all" or "YYYY-MM"
    fmt: Fmt


class StatsPeriod(CallbackData, prefix="ast"):
    period: Period


class BcAct(StrEnum):
    NEW = "new"
    AUDIENCE = "aud"  # back to choosing recipients for the same text
    GROUPS = "grp"  # the list of groups
    SEND = "send"
    CANCEL = "cancel"


class BroadcastAction(CallbackData, prefix="abc"):
    action: BcAct
    draft: str = ""  # which draft the button belongs to: a stale button cannot send an old text


class BroadcastAudience(CallbackData, prefix="abu"):
    draft: str
    kind: AudienceKind
    group_id: int = 0


class BroadcastStop(CallbackData, prefix="abs"):
    """«⏹ Остановить рассылку» under the progress message of a broadcast being sent."""
    broadcast_id: int


# -- projects: the parent's side -----------------------------------------------------------------------------

class ProjectsList(CallbackData, prefix="pjl"):
    """«🎬 Проекты»: the open projects."""


class ProjectCard(CallbackData, prefix="pjc"):
    project_id: int


class PjStep(StrEnum):
    APPLY = "apply"  # «Записаться» on the card
    CONSENT = "ok"  # «Согласен(на)»
    CHILD = "child"  # a remembered child (`item`: its id)
    NEW_CHILD = "new"
    CONFIRM = "yes"
    BACK = "back"
    CANCEL = "cx"  # cancel an application (`item`: its id): asks first
    CANCEL_YES = "cxok"
    # -- the parent's side, second part (`item`: the application's id unless said otherwise) --
    KEEP = "keep"  # an extra question: keep last time's answer
    RECEIPT = "rc"  # «📎 Отправить чек»: the next photo or PDF is this application's receipt
    OFFER_YES = "oy"  # «✅ Иду» on a freed place
    OFFER_NO = "on"  # «✖️ Не смогу»


class ProjectStep(CallbackData, prefix="pjs"):
    """A step of applying; `project_id` lets a press on another project's old screen be refused."""

    step: PjStep
    project_id: int
    item: int = 0


# -- projects: the director's side ---------------------------------------------------------------------------

class PjAdm(StrEnum):
    NEW = "new"
    CARD = "card"
    APPS = "apps"
    SAVE_DRAFT = "draft"
    PUBLISH = "pub"  # a saved draft or a closed project (`project_id`), or the dialog's preview (`project_id` 0)
    CLOSE = "close"  # stop taking applications early
    CANCEL = "cx"  # asks for a reason
    CANCEL_YES = "cxok"  # without a reason
    TBA = "tba"  # the dialog's shortcuts for typed answers
    UNLIMITED = "inf"
    FREE = "free"
    NO_DEADLINE = "nodl"
    # -- the director's side of #12, second part (announcements, audience, poster, edit, the list's tools)
    PUBLISH_ANNOUNCE = "puba"  # publish (the preview's draft or a saved one) and announce it
    ANNOUNCE = "ann"  # announce a published project that was not announced yet
    NO_POSTER = "nopo"
    WHO_ALL = "wall"  # who may apply: every parent
    WHO_NEXT = "wnext"  # the chosen groups are it: go on
    ANY_AGE = "anyage"
    EDIT = "edit"  # which field to change
    EXPORT = "xlsx"
    TO_APPROVED = "msg"  # write to the approved participants
    SEND_TO_APPROVED = "msgok"


class ProjectAdmin(CallbackData, prefix="apj"):
    action: PjAdm
    project_id: int = 0
    draft: str = ""  # which dialog a preview button belongs to: a stale one cannot save an old draft


class ProjectKindPick(CallbackData, prefix="apk"):
    kind: ProjectKind
    draft: str


class AppDecision(StrEnum):
    APPROVE = "ok"
    REJECT = "no"  # asks for a reason
    NO_REASON = "nr"
    TO_LIST = "up"  # from the waiting list to the list (if a place is free)
    TO_WAITING = "down"


class ProjectApplication(CallbackData, prefix="apa"):
    action: AppDecision
    application_id: int


class ProjectGroupPick(CallbackData, prefix="apg"):
    """Who may apply: a catalog group toggled on or off (its id) in the dialog `draft`."""

    group_id: int
    draft: str


class ProjectEditField(CallbackData, prefix="ape"):
    """«✏️ Изменить» -> the field (the dialog's step name, e.g. "when") of a saved project."""

    project_id: int
    field: str


# -- projects: the parent's side, second part ---------------------------------------------------------------

class MdAct(StrEnum):
    DELETE = "del"  # asks first
    DELETE_YES = "delok"
    KEEP = "keep"


class MyData(CallbackData, prefix="md"):
    """/mydata: deleting the children's data."""

    action: MdAct


class ProjectFieldPick(CallbackData, prefix="apf"):
    """The director's multi-select of extra child fields (`field`: a domain.child_fields name, or "done")."""

    field: str
    draft: str


# -- renewals and reminders (handlers/renewals.py, handlers/admin/renewals.py) --------------------------------

class RenewAct(StrEnum):
    RENEW = "go"  # «Продлить»: the confirmation screen with the same choice
    STOP = "stop"  # «Мы больше не занимаемся»


class Renew(CallbackData, prefix="rnw"):
    """A button under a renewal reminder; `paid_id` is the family's paid period (re-checked to be theirs)."""

    action: RenewAct
    paid_id: int


class RnAdm(StrEnum):
    LIST = "list"
    REMIND_ONE = "one"  # `item`: the paid period
    REMIND_ALL = "all"
    SETTINGS = "set"
    DAYS = "days"  # `item`: days before the end
    FOLLOWUP = "fu"  # switch the gentle follow-up on or off
    HOURS = "hours"  # `item`: hours before the follow-up
    PAID_UNTIL = "pu"  # on a receipt card: correct «оплачено до» (`item`: the receipt)
    LENGTH = "len"  # a period's card in the catalog: how long a payment lasts (`item`: the period)


class RenewalsAdmin(CallbackData, prefix="arn"):
    action: RnAdm
    item: int = 0
