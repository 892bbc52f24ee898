"""The rules of paying inside Telegram: the payload round trip, when a payment is refused, the 54-FZ data."""

from __future__ import annotations

import json

import pytest

from happykids.domain.catalog import Catalog, Choice, Link, Option
from happykids.domain.telegram_payments import Payload, PayloadKind, ReceiptRules, Refusal, check, kopecks

KIDS, MONTH, ONE = Option(1, "kids", "Малыши"), Option(2, "month", "1 месяц"), Option(3, "1", "1 ребёнок")


def catalog(*, amount: int | None = 6000, hidden: bool = False) -> Catalog:
    group = Option(KIDS.id, KIDS.key, KIDS.title, hidden=hidden)
    return Catalog(groups=[group], periods=[MONTH], children=[ONE],
                   links=[Link("kids", "month", 1, "https://pay.example.com/k", amount)])


PAYLOAD = Payload.for_choice(Choice(KIDS, MONTH, ONE), 6000).encode()


def test_the_payload_names_the_choice_and_the_price_and_comes_back():
    assert PAYLOAD == "c:1:2:3:6000"
    assert Payload.decode(PAYLOAD) == Payload(PayloadKind.COMBINATION, 1, 2, 3, 6000)


@pytest.mark.parametrize("text", ["", "c:1:2:3", "p:1:6000", "c:1:2:x:6000", "c:1:2:3:6000:9", "c:-1:2:3:6000"])
def test_a_payload_this_version_did_not_make_is_not_read(text):
    assert Payload.decode(text) is None


def test_a_payment_at_the_catalog_price_is_accepted():
    assert check(catalog(), PAYLOAD, "RUB", kopecks(6000)) is None


@pytest.mark.parametrize(("kwargs", "currency", "total", "reason"), [
    (dict(amount=6500), "RUB", 600_000, Refusal.PRICE_CHANGED),  # the director changed the price
    ({}, "RUB", 6000, Refusal.PRICE_CHANGED),  # roubles where kopecks belong
    ({}, "USD", 600_000, Refusal.PRICE_CHANGED),
    (dict(hidden=True), "RUB", 600_000, Refusal.UNAVAILABLE),  # the group was hidden
    (dict(amount=None), "RUB", 600_000, Refusal.UNAVAILABLE),  # the combination lost its amount
])
def test_a_payment_that_no_longer_matches_the_catalog_is_refused(kwargs, currency, total, reason):
    assert check(catalog(**kwargs), PAYLOAD, currency, total) is reason


def test_an_unknown_payload_is_refused():
    assert check(catalog(), "project:7", "RUB", 600_000) is Refusal.UNKNOWN


def test_receipt_data_is_what_yookassa_reads():
    data = json.loads(ReceiptRules(vat_code=1).provider_data("Занятия " + "x" * 200, 6000))
    [item] = data["receipt"]["items"]
    assert item["amount"] == {"value": "6000.00", "currency": "RUB"} and item["quantity"] == "1.00"
    assert item["vat_code"] == 1 and len(item["description"]) == 128 and "tax_system_code" not in data["receipt"]
    with_tax = json.loads(ReceiptRules(vat_code=4, tax_system=2).provider_data("Занятия", 100))
    assert with_tax["receipt"]["tax_system_code"] == 2
