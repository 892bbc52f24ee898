"""aiogram's response classes stay built across garbage collections once the bot has used them."""

from __future__ import annotations

import gc
import weakref

from aiogram.methods.base import Response
from pydantic import BaseModel

from happykids.ui.response_types import PinResponseTypes


class Answer(BaseModel):  # a return type no other code parametrises Response with
    ok: bool


class FakeMethod:
    __returning__ = Answer


async def sent(_bot, _method):
    return "sent"


def alive_after_gc(pin: PinResponseTypes | None) -> bool:
    ref = weakref.ref(Response[Answer])
    gc.collect()
    return ref() is not None


async def test_without_a_pin_pydantic_drops_the_class_and_with_one_it_stays():
    assert not alive_after_gc(None)  # what costs a schema build on the next request
    pin = PinResponseTypes()
    assert await pin(sent, None, FakeMethod()) == "sent"  # the request itself goes through untouched
    assert alive_after_gc(pin) and len(pin) == 1
