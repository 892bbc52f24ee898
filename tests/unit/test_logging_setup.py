"""What the operator's log shows at each level: no line per update at INFO, every update at DEBUG."""

from __future__ import annotations

import logging

import pytest

from happykids.app.logging_setup import setup_logging


@pytest.fixture(autouse=True)
def _restore_logging():
    root, event = logging.getLogger(), logging.getLogger("aiogram.event")
    saved = root.handlers[:], root.level, event.level
    yield
    root.handlers[:], _, _ = saved
    root.setLevel(saved[1])
    event.setLevel(saved[2])


def test_info_hides_the_line_per_update():
    setup_logging("INFO")
    assert not logging.getLogger("aiogram.event").isEnabledFor(logging.INFO)
    assert logging.getLogger("aiogram.dispatcher").isEnabledFor(logging.INFO)  # start and stop stay


def test_debug_shows_every_update():
    logging.getLogger("aiogram.event").setLevel(logging.NOTSET)
    setup_logging("DEBUG")
    assert logging.getLogger("aiogram.event").isEnabledFor(logging.INFO)
