"""The panel's wording is read by key (`texts.fixed("panel.x")`): a mistyped key would only fail when that
screen is opened, so every key the panel's code names is checked here against the registry."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import happykids
from happykids.db.change_tracking import VersionBoard
from happykids.domain.catalog import CatalogKind
from happykids.texts.defaults import DEFAULTS
from happykids.texts.service import Texts
from happykids.ui.keyboards.admin import cancel_keyboard, menu_button

PACKAGE = Path(happykids.__file__).parent
PANEL_CODE = [*sorted((PACKAGE / "handlers" / "admin").glob("*.py")),
              *sorted((PACKAGE / "ui" / "keyboards").glob("*.py"))]
KEY_LITERAL = re.compile(r"""["'](panel(?:_ops)?\.[a-z0-9_.]+)["']""")
KEY_PATTERN = re.compile(r"""f["'](panel(?:_ops)?\.[a-z0-9_]+)\.\{kind\.value\}["']""")


@pytest.fixture
def texts() -> Texts:
    return Texts(None, VersionBoard())  # type: ignore[arg-type]  # fixed texts never touch the database


def test_every_panel_key_in_the_code_exists():
    named = {key for path in PANEL_CODE for key in KEY_LITERAL.findall(path.read_text(encoding="utf-8"))}
    assert len(named) > 100  # the scan sees the panel's code
    assert sorted(key for key in named if key not in DEFAULTS) == []


def test_every_per_kind_key_exists_for_every_kind():
    patterns = {key for path in PANEL_CODE for key in KEY_PATTERN.findall(path.read_text(encoding="utf-8"))}
    assert {"panel.kind_one", "panel.kind_plural", "panel.kind_accusative"} <= patterns
    for prefix in patterns:
        for kind in CatalogKind:
            if prefix == "panel.new_title_example" and kind is CatalogKind.CHILDREN:
                continue  # children are added by a number, not a title
            assert f"{prefix}.{kind.value}" in DEFAULTS


def test_shared_buttons_read_their_labels_through_texts(texts: Texts):
    assert menu_button(texts)[0] == "🏠 Меню"
    assert cancel_keyboard("x", texts).inline_keyboard[0][0].text == "✖️ Отмена"
    assert cancel_keyboard(None, texts).inline_keyboard[0][0].callback_data == menu_button(texts)[1].pack()
