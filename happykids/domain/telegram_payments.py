"""Paying inside Telegram, as plain rules: what an invoice's payload says, when a payment is refused, the receipt
data a payment provider needs for 54-FZ.

Why a payload of its own: Telegram hands the payload back in the pre-checkout query and in `successful_payment`,
and it is all the bot learns there about what is being paid for. So it names the choice by ids (never titles) and
carries the price the parent saw: a price changed since the invoice is then caught before the money moves. The
first field is the kind of thing paid for, so a project fee can later be a second kind with its own fields.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum

from happykids.domain.catalog import Catalog, Choice, Link

CURRENCY = "RUB"
KOPECKS = 100  # Telegram takes amounts in the currency's minimal units
MAX_PAYLOAD_BYTES = 128
TITLE_CHARS, DESCRIPTION_CHARS, LABEL_CHARS = 32, 255, 64  # Telegram's limits on an invoice
RECEIPT_ITEM_CHARS = 128  # ЮKassa: `description` of a receipt item


class PaymentMethod(StrEnum):
    """How a payment reached the agency (stored on the receipt row, shown in statistics and exports)."""

    LINK = "link"  # the payment link, then a photo or PDF of the receipt checked by the director
    TELEGRAM = "telegram"  # an invoice paid inside Telegram: approved by itself


class PaymentTask(StrEnum):
    """The outbox task of a Telegram payment (workers/telegram_payment_tasks.py runs it); the parent's message
    and the rest of the approval are the receipt's own tasks (ReceiptTask)."""

    NOTIFY_ADMINS = "tgpay.notify_admins"  # a notice card, without buttons, to every admin


class PayloadKind(StrEnum):
    COMBINATION = "c"  # group, period, children: the payment dialog
    # PROJECT_FEE = "p" (project id, amount) is the next kind; it is not taken yet


class Refusal(StrEnum):
    """Why a pre-checkout query is refused; each is a text the parent reads in the payment window."""

    PRICE_CHANGED = "price_changed"
    UNAVAILABLE = "unavailable"  # an option hidden or removed, or the combination lost its link or amount
    UNKNOWN = "unknown"  # a payload the bot never made (an old version, or forged)
    DISABLED = "disabled"  # payments inside Telegram were switched off since the invoice


@dataclass(frozen=True, slots=True)
class Payload:
    """What an invoice is for: ids of the choice and the amount in roubles the parent was shown."""

    kind: PayloadKind
    group_id: int
    period_id: int
    children_id: int
    amount: int

    def encode(self) -> str:
        text = ":".join((self.kind.value, str(self.group_id), str(self.period_id), str(self.children_id),
                         str(self.amount)))
        if len(text.encode()) > MAX_PAYLOAD_BYTES:  # five short numbers never are; a guard for the next kind
            raise ValueError("invoice payload too long")
        return text

    @classmethod
    def decode(cls, text: str) -> Payload | None:
        """The payload, or None for one this version does not know (never raises on what a client sends)."""
        parts = text.split(":")
        if len(parts) != 5 or parts[0] != PayloadKind.COMBINATION.value:
            return None
        if not all(p.isdigit() for p in parts[1:]):
            return None
        group_id, period_id, children_id, amount = (int(p) for p in parts[1:])
        return cls(PayloadKind.COMBINATION, group_id, period_id, children_id, amount)

    @classmethod
    def for_choice(cls, choice: Choice, amount: int) -> Payload:
        return cls(PayloadKind.COMBINATION, choice.group.id, choice.period.id, choice.children.id, amount)


def kopecks(roubles: int) -> int:
    return roubles * KOPECKS


def payable_link(catalog: Catalog, choice: Choice) -> Link | None:
    """The combination's link if it can be paid inside Telegram: it has an amount."""
    link = catalog.link_for(choice)
    return link if link is not None and link.amount else None


def choice_of(catalog: Catalog, payload: Payload) -> Choice | None:
    """The choice the payload names, if every option of it is still offered to parents."""
    group = catalog.find(catalog.groups, payload.group_id)
    period = catalog.find(catalog.periods, payload.period_id)
    children = catalog.find(catalog.children, payload.children_id)
    return Choice(group, period, children) if group and period and children else None


def check(catalog: Catalog, payload_text: str, currency: str, total_amount: int) -> Refusal | None:
    """May the parent pay this now? None: yes. The price is what the catalog says at this moment, so a price
    changed after the invoice was sent is refused (the parent gets a new invoice at the new price)."""
    payload = Payload.decode(payload_text)
    if payload is None:
        return Refusal.UNKNOWN
    choice = choice_of(catalog, payload)
    link = payable_link(catalog, choice) if choice else None
    if link is None or link.amount is None:
        return Refusal.UNAVAILABLE
    if link.amount != payload.amount or currency != CURRENCY or total_amount != kopecks(link.amount):
        return Refusal.PRICE_CHANGED
    return None


def fit(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class ReceiptRules:
    """The 54-FZ receipt data ЮKassa needs with a payment made in Telegram (`provider_data`), from the
    PAYMENTS_RECEIPT_* settings: VAT code (1-12), tax system (1-6, only when the shop has several), what is sold
    (`service`) and how it is paid (`full_payment`). The customer's e-mail or phone is asked by Telegram
    (need_email / need_phone_number) and passed to the provider, so it is not in here."""

    vat_code: int
    tax_system: int | None = None
    contact: str = "email"  # email | phone
    payment_subject: str = "service"
    payment_mode: str = "full_payment"

    def provider_data(self, item: str, amount: int) -> str:
        receipt: dict[str, object] = {"items": [{
            "description": fit(item, RECEIPT_ITEM_CHARS),
            "quantity": "1.00",
            "amount": {"value": f"{amount}.00", "currency": CURRENCY},
            "vat_code": self.vat_code,
            "payment_mode": self.payment_mode,
            "payment_subject": self.payment_subject,
        }]}
        if self.tax_system is not None:
            receipt["tax_system_code"] = self.tax_system
        return json.dumps({"receipt": receipt}, ensure_ascii=False)


def charge_key(telegram_charge_id: str) -> str:
    """The receipt row's unique source key for a Telegram payment: a repeated update for the same charge hits it."""
    return f"tgpay:{telegram_charge_id}"
