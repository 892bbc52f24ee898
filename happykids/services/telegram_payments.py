"""Paying inside Telegram, without Telegram's types: what goes into an invoice, whether a pre-checkout query is
accepted, and recording a `successful_payment` as an approved receipt.

Why a payment is a receipt row: the panel, /receipts, statistics, the exports and the renewals all read receipts;
a payment made in Telegram is the same fact (a family paid for a group and period), only with Telegram's and the
provider's charge ids instead of a photo, and approved by itself. It is approved through services/review.py
(`approve_automatically`), the path of the director's own «Подтвердить», so the parent's message and whatever else
an approval sets off follow. Everything is recorded in the caller's transaction, with the outbox tasks (the
parent's message, the director's notice), so a kill -9 after the commit loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from happykids.config import Settings
from happykids.db.models import Receipt
from happykids.db.repositories import outbox, payments
from happykids.db.repositories import receipts as repo
from happykids.db.repositories.parents import record_event
from happykids.domain.catalog import Catalog, Choice, Link, Option
from happykids.domain.receipts import ChoiceSnapshot
from happykids.domain.reporting import FunnelStep
from happykids.domain.telegram_payments import (
    CURRENCY,
    DESCRIPTION_CHARS,
    KOPECKS,
    LABEL_CHARS,
    TITLE_CHARS,
    Payload,
    PaymentMethod,
    PaymentTask,
    ReceiptRules,
    Refusal,
    charge_key,
    check,
    fit,
    kopecks,
)
from happykids.services.receipt_intake import Sender
from happykids.services.review import approve_automatically
from happykids.texts.service import Texts

REFUSAL_TEXTS = {
    Refusal.PRICE_CHANGED: "tgpay.refused_price_changed",
    Refusal.UNAVAILABLE: "tgpay.refused_unavailable",
    Refusal.UNKNOWN: "tgpay.refused_unknown",
    Refusal.DISABLED: "tgpay.refused_disabled",
}


@dataclass(frozen=True, slots=True)
class InvoiceRequest:
    """Everything `sendInvoice` takes, checked against Telegram's limits (the handler only sends it)."""

    title: str
    description: str
    payload: str
    provider_token: str
    currency: str
    label: str
    amount: int  # kopecks
    need_email: bool = False
    need_phone_number: bool = False
    provider_data: str | None = None


@dataclass(frozen=True, slots=True)
class Charge:
    """A `successful_payment` as the bot records it."""

    telegram_charge_id: str
    provider_charge_id: str
    payload: str
    currency: str
    total_amount: int  # kopecks


def receipt_rules(settings: Settings) -> ReceiptRules | None:
    """The 54-FZ receipt data to pass to the provider, when PAYMENTS_RECEIPT_VAT_CODE is set."""
    if settings.payments_receipt_vat_code is None:
        return None
    return ReceiptRules(vat_code=settings.payments_receipt_vat_code, tax_system=settings.payments_receipt_tax_system,
                        contact=settings.payments_receipt_contact, payment_subject=settings.payments_receipt_subject)


async def invoice_for(texts: Texts, settings: Settings, choice: Choice, link: Link) -> InvoiceRequest:
    """The invoice for a combination that has an amount (the caller checked `payable_link`)."""
    if settings.payments_provider_token is None or not link.amount:
        raise ValueError("no invoice without PAYMENTS_PROVIDER_TOKEN and an amount")
    values = dict(group=choice.group.title, period=choice.period.title, children=choice.children.title)
    rules = receipt_rules(settings)
    provider_data = None
    if rules is not None:
        provider_data = rules.provider_data(await texts.plain("tgpay.receipt_item", **values), link.amount)
    return InvoiceRequest(
        title=fit(await texts.plain("tgpay.invoice_title", **values), TITLE_CHARS),
        description=fit(await texts.plain("tgpay.invoice_description", **values), DESCRIPTION_CHARS),
        payload=Payload.for_choice(choice, link.amount).encode(),
        provider_token=settings.payments_provider_token.get_secret_value(), currency=CURRENCY,
        label=fit(await texts.plain("tgpay.price_label", **values), LABEL_CHARS), amount=kopecks(link.amount),
        need_email=rules is not None and rules.contact == "email",
        need_phone_number=rules is not None and rules.contact == "phone",
        provider_data=provider_data,
    )


async def paid_after(session: AsyncSession, user_id: int, choice: Choice, shown_at: datetime) -> datetime | None:
    """When the parent paid this choice inside Telegram after the screen they press on was shown (naive UTC), if
    they did: an invoice from that old screen would take the same money twice. A new /start shows a new screen,
    from which the next period is paid as usual."""
    return await repo.paid_in_telegram_since(session, user_id, shown_at, choice.group.key, choice.period.title,
                                             choice.children.title)


def refusal(settings: Settings, catalog: Catalog, payload: str, currency: str, total_amount: int) -> Refusal | None:
    """Should the pre-checkout query be refused? None: accept it. Nothing is read from the database beyond the
    cached catalog, so the answer goes out well within Telegram's 10 seconds."""
    if not settings.telegram_payments:
        return Refusal.DISABLED
    return check(catalog, payload, currency, total_amount)


async def refusal_text(texts: Texts, reason: Refusal) -> str:
    return await texts.plain(REFUSAL_TEXTS[reason])


def _any(options: list[Option], option_id: int | None) -> Option | None:
    """An option by id, hidden or not: the money is taken, so the receipt keeps what was paid for."""
    return next((o for o in options if o.id == option_id), None)


def snapshot_of(catalog: Catalog, charge: Charge) -> ChoiceSnapshot | None:
    payload = Payload.decode(charge.payload)
    if payload is None:
        return None
    group = _any(catalog.groups, payload.group_id)
    period = _any(catalog.periods, payload.period_id)
    children = _any(catalog.children, payload.children_id)
    if group is None:
        return None
    return ChoiceSnapshot(group_code=group.key, group=group.title, period=period.title if period else "",
                          children=children.title if children else "", amount=charge.total_amount // KOPECKS,
                          url=None)


async def record_payment(session: AsyncSession, charge: Charge, sender: Sender, catalog: Catalog,
                         decided_by: str) -> Receipt | None:
    """Record the payment as a receipt, approve it and queue the director's notice, in the caller's transaction.
    None: this charge is on record already (a repeated update), and nothing changes."""
    key = charge_key(charge.telegram_charge_id)
    if await repo.by_source_key(session, key) is not None:
        return None
    choice = snapshot_of(catalog, charge)
    receipt = repo.new_receipt(session, source_key=key, user_id=sender.user_id, parent_name=sender.name,
                               username=sender.username, choice=choice, comment=None)
    receipt.method = PaymentMethod.TELEGRAM.value
    receipt.telegram_charge_id = charge.telegram_charge_id
    receipt.provider_charge_id = charge.provider_charge_id or None
    if choice is None:  # a payload this version cannot read: the sum is still known
        receipt.amount = charge.total_amount // KOPECKS
    await session.flush()
    # For the funnel the payment is the receipt: a parent who paid in Telegram sent no photo, but got as far.
    await record_event(session, sender.user_id, FunnelStep.RECEIPT, choice.group_code if choice else None)
    await approve_automatically(session, receipt.id, by_name=decided_by)
    outbox.enqueue(session, PaymentTask.NOTIFY_ADMINS, repo.subject_of(receipt.id), {"receipt_id": receipt.id})
    return receipt


# --- statistics (the panel's «Статистика» and «Платежи») ------------------------------------------------------

async def methods_line(session: AsyncSession, texts: Texts, start: datetime | None, end: datetime) -> str:
    """One line: approved payments of the period by how they were paid (link + receipt, or in Telegram)."""
    by_method = await payments.approved_by_method(session, start, end)
    link_count, link_sum = by_method.get(PaymentMethod.LINK.value, (0, 0))
    telegram_count, telegram_sum = by_method.get(PaymentMethod.TELEGRAM.value, (0, 0))
    return texts.fixed("tgpay.stats_methods", link=link_count, link_sum=_money(link_sum), telegram=telegram_count,
                       telegram_sum=_money(telegram_sum))


def _money(value: int) -> str:
    return f"{value:,}".replace(",", " ")
