"""The payment dialog's steps as an aiogram StatesGroup."""

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
