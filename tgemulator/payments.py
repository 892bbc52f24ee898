"""Payments as Telegram runs them: ``sendInvoice``, the pre-checkout query and ``successful_payment``.

Why it exists: a bot that takes money inside Telegram has three places to get wrong, and real Telegram is
unforgiving in each. ``sendInvoice`` is refused for a bad currency, prices not in the currency's minimal units
(a total outside Telegram's limits), a payload outside 1-128 bytes, a missing provider token or provider data
that is not JSON. When the user presses «Pay», the bot gets a ``pre_checkout_query`` and must answer it
within 10 seconds, exactly once; only after ``ok=True`` does the user's money move and the bot get a message
with ``successful_payment``. ``FakeUser.pay`` plays the user's side: it fails the test (``emu.errors``) when
the query is never answered, and ``answerPreCheckoutQuery`` refuses a second answer as Telegram does.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import EmulatorError, bad_request
from .registry import Call, api

if TYPE_CHECKING:
    from .client import FakeUser

ANSWER_SECONDS = 10.0  # Telegram cancels the payment when the bot has not answered by then

# Currencies a payment provider may take (a part of Telegram's list) and their limits in minimal units:
# Telegram accepts totals worth about US$1 to US$10 000 (https://core.telegram.org/bots/payments#supported-currencies).
# Not the exact day's rates: enough to catch roubles sent where kopecks are expected.
CURRENCIES: dict[str, tuple[int, int]] = {
    "RUB": (8_000, 80_000_000),
    "USD": (100, 1_000_000),
    "EUR": (100, 1_000_000),
    "KZT": (45_000, 450_000_000),
    "UAH": (4_000, 40_000_000),
    "BYN": (300, 3_000_000),
    "UZS": (1_200_000, 12_000_000_000),
}
STARS = "XTR"  # Telegram Stars: no provider token, one price, whole stars

MAX_TITLE, MAX_DESCRIPTION, MAX_PAYLOAD_BYTES = 32, 255, 128


@dataclass
class Invoice:
    """What the bot put into an invoice message, as Telegram keeps it (the Message JSON shows only a part)."""

    chat_id: int
    message_id: int
    title: str
    currency: str
    total_amount: int
    payload: str
    provider_token: str
    need: dict[str, bool]
    provider_data: Any = None


@dataclass
class PreCheckout:
    """A ``pre_checkout_query`` sent to the bot and the bot's answer, if any."""

    query: dict[str, Any]
    answered: asyncio.Event = field(default_factory=asyncio.Event)
    ok: bool | None = None
    error_message: str | None = None
    expired: bool = False  # Telegram's 10 seconds passed: a late answer is refused


@dataclass
class PaymentResult:
    """What the user saw: paid (``message`` is the ``successful_payment`` message) or refused with a reason."""

    ok: bool
    error_message: str | None = None
    message: dict[str, Any] | None = None

    @property
    def successful_payment(self) -> dict[str, Any]:
        if self.message is None:
            raise LookupError(f"the payment did not go through: {self.error_message!r}")
        return dict(self.message["successful_payment"])


@dataclass
class PaymentDesk:
    """The emulator's memory of invoices and pre-checkout queries (``World.payments``)."""

    invoices: dict[tuple[int, int], Invoice] = field(default_factory=dict)
    queries: dict[str, PreCheckout] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def next_id(self) -> int:
        return next(self._ids)

    def last_invoice(self, chat_id: int) -> Invoice:
        mine = [inv for (chat, _), inv in self.invoices.items() if chat == chat_id]
        if not mine:
            raise LookupError(f"the bot has sent no invoice to chat {chat_id}")
        return max(mine, key=lambda inv: inv.message_id)


# -- validation (what Telegram refuses) -----------------------------------------------------------------
def check_invoice(params: dict[str, Any]) -> int:
    """Raise Telegram's error for an invoice it would refuse; return the total in minimal units."""
    title, description = params.get("title") or "", params.get("description") or ""
    if not 1 <= len(title) <= MAX_TITLE:
        raise bad_request("INVOICE_TITLE_INVALID" if title else "title is empty")
    if not 1 <= len(description) <= MAX_DESCRIPTION:
        raise bad_request("INVOICE_DESCRIPTION_INVALID" if description else "description is empty")
    payload = params.get("payload") or ""
    if not 1 <= len(payload.encode("utf-8")) <= MAX_PAYLOAD_BYTES:
        raise bad_request("INVOICE_PAYLOAD_INVALID" if payload else "payload is empty")
    currency = params.get("currency") or ""
    stars = currency == STARS
    if not stars and currency not in CURRENCIES:
        raise bad_request("CURRENCY_INVALID")
    token = params.get("provider_token") or ""
    if not stars and not token:
        raise bad_request("PAYMENT_PROVIDER_INVALID")
    prices = params.get("prices") or []
    if not prices:
        raise bad_request("prices must be non-empty")
    if stars and len(prices) != 1:
        raise bad_request("STARS_INVOICE_INVALID")
    for price in prices:
        if not str(price.get("label") or "").strip():
            raise bad_request("LABEL_INVALID")
        if not isinstance(price.get("amount"), int) or isinstance(price.get("amount"), bool):
            raise bad_request("PRICE_INVALID")
    total = sum(int(price["amount"]) for price in prices)
    low, high = (1, 10_000) if stars else CURRENCIES[currency]
    if not low <= total <= high:
        raise bad_request("CURRENCY_TOTAL_AMOUNT_INVALID")
    _check_tips(params, stars)
    provider_data = params.get("provider_data")
    if provider_data is not None:
        try:
            json.loads(provider_data)
        except (TypeError, ValueError):
            raise bad_request("DATA_JSON_INVALID") from None
    photo_url = params.get("photo_url")
    if photo_url and not str(photo_url).startswith(("http://", "https://")):
        raise bad_request("PHOTO_INVALID")
    if params.get("send_email_to_provider") and not params.get("need_email"):
        raise bad_request("INVOICE_EMAIL_NOT_REQUESTED")  # the provider would get an empty e-mail
    if params.get("send_phone_number_to_provider") and not params.get("need_phone_number"):
        raise bad_request("INVOICE_PHONE_NOT_REQUESTED")
    _check_pay_button(params.get("reply_markup"))
    return total


def _check_tips(params: dict[str, Any], stars: bool) -> None:
    max_tip = params.get("max_tip_amount") or 0
    suggested = params.get("suggested_tip_amounts") or []
    if stars and (max_tip or suggested):
        raise bad_request("STARS_INVOICE_INVALID")
    if suggested and not max_tip:
        raise bad_request("SUGGESTED_TIP_AMOUNTS_INVALID")
    if len(suggested) > 4 or any(not 0 < tip <= max_tip for tip in suggested) or suggested != sorted(set(suggested)):
        raise bad_request("SUGGESTED_TIP_AMOUNTS_INVALID")


def _check_pay_button(markup: Any) -> None:
    """An invoice's own keyboard must start with a Pay button (Telegram adds one when there is no keyboard)."""
    if not markup:
        return
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    if rows is None:
        raise bad_request("REPLY_MARKUP_INVALID")
    if not rows or not rows[0] or not rows[0][0].get("pay"):
        raise bad_request("REPLY_MARKUP_BUY_EMPTY")


def _need(params: dict[str, Any]) -> dict[str, bool]:
    names = ("need_name", "need_phone_number", "need_email", "need_shipping_address")
    return {name: bool(params.get(name)) for name in names}


@api("sendInvoice", sends=True)
async def send_invoice(call: Call) -> Any:
    world = call.emu.world
    chat = world.require_reachable(call.get("chat_id"))
    params = {key: call.get(key) for key in call.params}
    params["prices"] = call.params.get("prices") or []
    params["reply_markup"] = call.params.get("reply_markup")
    params["suggested_tip_amounts"] = call.params.get("suggested_tip_amounts")
    total = check_invoice(params)
    invoice_json = {"title": params["title"], "description": params["description"],
                    "start_parameter": params.get("start_parameter") or "", "currency": params["currency"],
                    "total_amount": total}
    message = world.post_from_bot(chat, {"invoice": invoice_json}, markup=params["reply_markup"])
    world.payments.invoices[(chat.id, message.message_id)] = Invoice(
        chat_id=chat.id, message_id=message.message_id, title=params["title"], currency=params["currency"],
        total_amount=total, payload=params["payload"], provider_token=params.get("provider_token") or "",
        need=_need(params),
        provider_data=json.loads(params["provider_data"]) if params.get("provider_data") else None,
    )
    return message.raw


@api("answerPreCheckoutQuery")
async def answer_pre_checkout_query(call: Call) -> Any:
    record = call.emu.world.payments.queries.get(call.get("pre_checkout_query_id"))
    if record is None or record.answered.is_set() or record.expired:
        raise bad_request("QUERY_ID_INVALID")
    ok = bool(call.get("ok"))
    error_message = call.get("error_message")
    if not ok and not (error_message or "").strip():
        raise bad_request("error_message is empty")  # the user must be told why they cannot pay
    record.ok, record.error_message = ok, error_message if not ok else None
    record.answered.set()
    return True


# -- the user's side ---------------------------------------------------------------------------------------
def default_order_info(user: FakeUser, need: dict[str, bool]) -> dict[str, Any]:
    info: dict[str, Any] = {}
    if need["need_name"]:
        info["name"] = " ".join(p for p in (user.first_name, user.last_name) if p)
    if need["need_phone_number"]:
        info["phone_number"] = "79001234567"
    if need["need_email"]:
        info["email"] = f"user{user.id}@example.com"
    if need["need_shipping_address"]:
        info["shipping_address"] = {"country_code": "RU", "state": "", "city": "Екатеринбург",
                                    "street_line1": "ул. Ленина, 1", "street_line2": "", "post_code": "620000"}
    return info


async def pay(user: FakeUser, message_id: int | None = None, *, order_info: dict[str, Any] | None = None,
              timeout: float = ANSWER_SECONDS) -> PaymentResult:
    """The user pays an invoice (the newest in the chat unless ``message_id`` is given).

    The bot gets a ``pre_checkout_query``; no answer within ``timeout`` (Telegram's 10 s) is recorded in
    ``emu.errors`` and the payment fails. ``ok=True`` is followed by the ``successful_payment`` message."""
    emu, world = user._emu, user._emu.world  # noqa: SLF001 - the user's own handle on the emulator
    desk = world.payments
    invoice = desk.last_invoice(user.id) if message_id is None else desk.invoices.get((user.id, message_id))
    if invoice is None:
        raise LookupError(f"message #{message_id} in chat {user.id} is not an invoice")
    number = desk.next_id()
    query: dict[str, Any] = {"id": f"{7_700_000_000_000 + number}", "from": user.to_api(),
                             "currency": invoice.currency, "total_amount": invoice.total_amount,
                             "invoice_payload": invoice.payload}
    info = order_info if order_info is not None else default_order_info(user, invoice.need)
    if info:
        query["order_info"] = info
    record = PreCheckout(query)
    desk.queries[query["id"]] = record
    user.mark()
    emu.push_update({"pre_checkout_query": query})
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(record.answered.wait(), timeout)
    if not record.answered.is_set():
        record.expired = True
        emu.errors.append(EmulatorError("answerPreCheckoutQuery", {"pre_checkout_query_id": query["id"]},
                                        f"pre_checkout_query not answered within {timeout:g} s: the payment "
                                        "was cancelled", 400))
        return PaymentResult(False, "timeout")
    if not record.ok:
        world.emit("payment_refused", user.id, {"error_message": record.error_message})
        return PaymentResult(False, record.error_message)
    payment: dict[str, Any] = {
        "currency": invoice.currency, "total_amount": invoice.total_amount, "invoice_payload": invoice.payload,
        "telegram_payment_charge_id": f"tg_charge_{number:06d}_{user.id}",
        "provider_payment_charge_id": f"provider_{number:06d}",
    }
    if info:
        payment["order_info"] = info
    message = await user._send({"successful_payment": payment}, None)  # noqa: SLF001
    return PaymentResult(True, None, message)


async def send_successful_payment(user: FakeUser, payment: dict[str, Any]) -> dict[str, Any]:
    """The same ``successful_payment`` delivered again as a new message (a new update): the bot must not
    record the charge twice."""
    return await user._send({"successful_payment": dict(payment)}, None)  # noqa: SLF001
