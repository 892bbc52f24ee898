"""Every FSM state in one place, grouped by feature.

The parent's dialog uses the default FSM context; the panel's input steps live in the panel's own context
(destiny "admin", see handlers/admin/panel.py), so an admin who also pays as a parent never loses her place.
"""

from aiogram.fsm.state import State, StatesGroup


class PaymentDialog(StatesGroup):
    group = State()
    period = State()
    children = State()
    confirm = State()
    link = State()  # the link was shown; next the parent sends a receipt


# The order Back walks through.
ORDER = [PaymentDialog.group, PaymentDialog.period, PaymentDialog.children, PaymentDialog.confirm]
CHOOSING = {s.state for s in ORDER}


def short(state: str | None) -> str:
    """A compact screen name for callback data ("PaymentDialog:period" -> "period")."""
    return (state or "none").split(":")[-1]


# -- the receipt review --

class RejectReason(StatesGroup):
    waiting = State()  # the admin's next text is the reason for rejecting `reject_receipt`


# -- the director's panel (destiny "admin") --

class AdminInput(StatesGroup):
    new_item = State()  # a title for a new group/period, or a number for a children option
    rename = State()
    link_url = State()
    link_amount = State()
    contacts = State()
    text = State()  # a new version of a parent-facing text
    text_search = State()  # a word to find texts by
    admin_id = State()  # a forwarded message or a user id
    catalog_file = State()  # the catalog YAML as a document


class PaymentsInput(StatesGroup):
    query = State()


class BroadcastInput(StatesGroup):
    content = State()


# -- projects --

class ProjectDialog(StatesGroup):
    """A parent applying to a project (the default context, like the payment dialog: /start leaves it)."""

    consent = State()
    child = State()  # choose a remembered child or a new one
    name = State()  # typed: the new child's name
    birth = State()  # typed: the new child's birth date
    confirm = State()
    extra = State()  # the director's extra questions (height, sizes, a photo), one by one (`pj_field`)
    pay = State()  # the payment link was shown: the next photo or PDF is the receipt of `pj_app`


PROJECT_CHOOSING = {ProjectDialog.consent.state, ProjectDialog.child.state, ProjectDialog.confirm.state}


class ProjectInput(StatesGroup):
    """The director's guided dialog for a new project, and her reasons (destiny "admin")."""

    title = State()
    kind = State()  # buttons: the kind of project
    description = State()
    when = State()
    place = State()
    places = State()
    deadline = State()
    fee = State()
    preview = State()  # buttons: save as a draft or publish
    fields = State()  # buttons: which extra child fields to ask (after the fee, before the preview)
    reject_reason = State()
    cancel_reason = State()
    # -- the director's side of #12, second part
    poster = State()  # a photo, or «Без афиши»
    who = State()  # buttons: every parent, or toggled groups
    ages = State()  # typed: «5-9», or «Любой возраст»
    to_approved = State()  # a message (text or a photo) to the approved participants


class RenewalsInput(StatesGroup):
    """The director's typed answers in renewals."""

    paid_until = State()  # a new «оплачено до» date for the receipt in the data
    length = State()  # a period's length: «3 мес» or «14 дней»
