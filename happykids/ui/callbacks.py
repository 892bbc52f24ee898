"""Every inline button's data, as validated CallbackData factories (64-byte limit: ids, never titles)."""

from enum import Enum

from aiogram.filters.callback_data import CallbackData


class Step(str, Enum):
    GROUP = "g"
    PERIOD = "p"
    CHILDREN = "c"


class Pick(CallbackData, prefix="pick"):
    """A parent chose an option on a step; `step` lets us refuse a press on a step already passed."""

    step: Step
    id: int


class NavAction(str, Enum):
    BACK = "back"
    CONFIRM = "ok"
    RESTART = "restart"


class Nav(CallbackData, prefix="nav"):
    action: NavAction
    step: str  # the screen the button was on: refuses Back/Confirm pressed on an outdated screen


class ReviewAction(str, Enum):
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
