"""What the parent sees on each step of the payment dialog: text and keyboard, from state + catalog.

Kept apart from the handlers so a step can be shown the same way after a press, a mistake or a stale
button, and so the admin panel can preview it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiogram.types import InlineKeyboardMarkup

from happykids.domain.catalog import Catalog, CatalogKind, Choice, Link
from happykids.texts.service import Markup, Texts
from happykids.ui.callbacks import TgPay
from happykids.ui.keyboards.dialog import confirm_keyboard, link_keyboard, options_keyboard
from happykids.ui.states import PaymentDialog, short

# In the dialog's data: PAYMENTS_PROVIDER_TOKEN was set when the parent confirmed, so the link screen also offers
# «💳 Оплатить в Telegram» (issue #13). Kept with the choice, so every redraw of that screen shows the same buttons.
INVOICE_KEY = "tgpay"


@dataclass(slots=True)
class Screen:
    text: str
    markup: InlineKeyboardMarkup | None
    state: str | None  # the state this screen belongs to (may be corrected, e.g. a vanished group -> step 1)


def choice_from(data: dict[str, Any], catalog: Catalog) -> Choice | None:
    group = catalog.find(catalog.groups, data.get("group"))
    period = catalog.find(catalog.periods, data.get("period"))
    children = catalog.find(catalog.children, data.get("children"))
    if group and period and children:
        return Choice(group, period, children)
    return None


async def amount_line(texts: Texts, link: Link | None) -> Markup:
    if link is None or link.amount is None:
        return Markup("")
    return await texts.markup("dialog.amount_line", amount=f"{link.amount:,}".replace(",", " "))


async def render(state: str | None, data: dict[str, Any], catalog: Catalog, texts: Texts) -> Screen:
    """The screen for `state`; falls back to the latest step whose choices are still valid."""
    group = catalog.find(catalog.groups, data.get("group"))
    period = catalog.find(catalog.periods, data.get("period"))
    children = catalog.find(catalog.children, data.get("children"))
    back = await texts.plain("btn.back")

    if not catalog.visible(catalog.groups):
        text = await texts.get("dialog.empty_catalog", contacts=catalog.contacts)
        return Screen(text, None, PaymentDialog.group.state)

    if state in (PaymentDialog.confirm.state, PaymentDialog.link.state) and group and period and children:
        choice = Choice(group, period, children)
        link = catalog.link_for(choice)
        values = dict(group=group.title, period=period.title, children=children.title)
        if state == PaymentDialog.confirm.state:
            if link is None:  # say now what «Подтвердить» will bring: contacts, not a payment link
                text = await texts.get("dialog.confirm_no_link", contacts=catalog.contacts, **values)
            else:
                text = await texts.get("dialog.confirm", amount_line=await amount_line(texts, link), **values)
            markup = confirm_keyboard(
                await texts.plain("btn.confirm"), back, await texts.plain("btn.restart"), short(state)
            )
            return Screen(text, markup, state)
        if link is None:
            text = await texts.get("dialog.no_link", contacts=catalog.contacts, **values)
            markup = link_keyboard("", None, await texts.plain("btn.restart"), back, short(state))
            return Screen(text, markup, state)
        text = await texts.get("dialog.link", url=link.url, amount_line=await amount_line(texts, link), **values)
        invoice = None
        if data.get(INVOICE_KEY) and link.amount:  # paying inside Telegram was on when the parent confirmed
            invoice = (await texts.plain("tgpay.btn_pay"),
                       TgPay(group=group.id, period=period.id, children=children.id))
        markup = link_keyboard(await texts.plain("btn.pay"), link.url, await texts.plain("btn.change"), None,
                               short(state), invoice)
        return Screen(text, markup, state)

    past_period = (PaymentDialog.children.state, PaymentDialog.confirm.state, PaymentDialog.link.state)
    if state in past_period and group and period:
        s = PaymentDialog.children.state
        text = await texts.get("dialog.choose_children", group=group.title, period=period.title)
        markup = options_keyboard(CatalogKind.CHILDREN, catalog.visible(catalog.children), back, short(s))
        return Screen(text, markup, s)

    if state in (PaymentDialog.period.state, *past_period) and group:
        s = PaymentDialog.period.state
        text = await texts.get("dialog.choose_period", group=group.title)
        markup = options_keyboard(CatalogKind.PERIOD, catalog.visible(catalog.periods), back, short(s))
        return Screen(text, markup, s)

    s = PaymentDialog.group.state
    text = await texts.get("dialog.choose_group")
    return Screen(text, options_keyboard(CatalogKind.GROUP, catalog.visible(catalog.groups), None, short(s)), s)
