"""What the panel is waiting for the director to type or send.

These states live in the panel's own FSM context (destiny "admin", see panel.py), apart from the payment
dialog, so an admin who also pays as a parent never loses her place in either.
"""

from aiogram.fsm.state import State, StatesGroup


class AdminInput(StatesGroup):
    new_item = State()  # a title for a new group/period, or a number for a children option
    rename = State()
    link_url = State()
    link_amount = State()
    contacts = State()
    text = State()  # a new version of a parent-facing text
    admin_id = State()  # a forwarded message or a user id
    catalog_file = State()  # the catalog YAML as a document
