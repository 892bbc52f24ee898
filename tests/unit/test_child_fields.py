"""The extra child fields: which a project asks, in what order, and how the parent's answers are read."""

from __future__ import annotations

import pytest

from happykids.domain.child_fields import (
    ChildField,
    decode,
    encode,
    next_field,
    parse_clothing,
    parse_height,
    parse_shoe,
    previous_field,
    toggle,
)
from happykids.domain.projects import ProjectError


def test_fields_keep_their_order_and_toggle():
    assert decode("photo,height,unknown") == [ChildField.HEIGHT, ChildField.PHOTO]
    assert encode({ChildField.PHOTO, ChildField.SHOE}) == "shoe,photo"
    assert toggle(toggle("", ChildField.CLOTHING), ChildField.CLOTHING) == ""
    fields = decode("height,shoe")
    assert next_field(fields, None) is ChildField.HEIGHT and next_field(fields, ChildField.SHOE) is None
    assert previous_field(fields, ChildField.SHOE) is ChildField.HEIGHT
    assert previous_field(fields, ChildField.HEIGHT) is None


@pytest.mark.parametrize(("text", "value"), [("122", 122), (" 98 см ", 98), ("150cm", 150)])
def test_height(text, value):
    assert parse_height(text) == value


@pytest.mark.parametrize("text", ["высокая", "12", "250", "1,2 м", ""])
def test_height_refused(text):
    with pytest.raises(ProjectError):
        parse_height(text)


def test_sizes():
    assert parse_clothing("  122-128 ") == "122-128" and parse_clothing("XS") == "XS"
    assert parse_shoe("31,5") == "31,5" and parse_shoe("31.5") == "31,5" and parse_shoe("28") == "28"
    for bad in ("<b>", "---", "x" * 17):
        with pytest.raises(ProjectError):
            parse_clothing(bad)
    for bad in ("50", "10", "тридцать", "31,7"):
        with pytest.raises(ProjectError):
            parse_shoe(bad)
