"""Which presses the re-show after a crash (handlers/redelivery.py) treats as the panel's or the projects'.

A new button factory must be sorted here: a panel button missing from PANEL_PRESSES would get no screen after a
kill -9, one of a parent's taken for the panel would show a parent the director's menu (only admins get it, but
an admin is a parent too)."""

from __future__ import annotations

import inspect

from aiogram.filters.callback_data import CallbackData

from happykids.handlers.redelivery import PANEL_PRESSES, PROJECT_PRESSES
from happykids.ui import callbacks

PARENTS_AND_REVIEW = {"pick", "nav", "tgp", "rv", "rvp", "md", "rnw"}  # payment dialog, receipts, /mydata, renewals


def test_every_button_factory_is_sorted_once() -> None:
    prefixes = [factory.__prefix__ for factory in vars(callbacks).values()
                if inspect.isclass(factory) and issubclass(factory, CallbackData) and factory is not CallbackData]
    sorted_into = [p for p in prefixes if p in PANEL_PRESSES] + [p for p in prefixes if p in PROJECT_PRESSES]
    sorted_into += [p for p in prefixes if p in PARENTS_AND_REVIEW]
    assert sorted(sorted_into) == sorted(prefixes)
    assert not PANEL_PRESSES & PROJECT_PRESSES
