"""What the parent reads about their receipt: "получили", a duplicate, the director's decision."""

from __future__ import annotations

from happykids.db.models import Receipt
from happykids.domain.receipts import ReceiptStatus
from happykids.domain.telegram_payments import PaymentMethod
from happykids.texts.service import Markup, Texts


async def received_text(texts: Texts, receipt: Receipt, pages: int) -> str:
    pages_part = await texts.markup("receipt.pages", count=pages) if pages > 1 else Markup("")
    if receipt.project_id is not None:  # a project fee (services/project_payments.py)
        return await texts.get("projects.receipt_received", pages=pages_part, project=receipt.group_title or "",
                               child=receipt.children_title or "")
    if not receipt.group_title:
        return await texts.get("receipt.received_no_choice", pages=pages_part)
    return await texts.get("receipt.received", pages=pages_part, group=receipt.group_title,
                           period=receipt.period_title or "", children=receipt.children_title or "")


async def duplicate_text(texts: Texts, status: str) -> str:
    key = {ReceiptStatus.APPROVED: "receipt.duplicate_approved",
           ReceiptStatus.REJECTED: "receipt.duplicate_rejected"}.get(ReceiptStatus(status), "receipt.duplicate_pending")
    return await texts.get(key)


async def decision_text(texts: Texts, receipt: Receipt, contacts: str) -> str:
    if receipt.status == ReceiptStatus.APPROVED and receipt.project_id is not None:
        child = f", {receipt.children_title}" if receipt.children_title else ""
        return await texts.get("projects.receipt_approved", project=receipt.group_title or "", child=child)
    if receipt.status == ReceiptStatus.APPROVED:
        details = (await texts.markup("receipt.details", group=receipt.group_title, period=receipt.period_title or "")
                   if receipt.group_title else Markup(""))
        if receipt.method == PaymentMethod.TELEGRAM:  # paid inside Telegram: approved by itself, no receipt to send
            return await texts.get("tgpay.paid", details=details)
        return await texts.get("receipt.approved", details=details)
    reason = (await texts.markup("receipt.reason", reason=receipt.reject_reason)
              if receipt.reject_reason else Markup(""))
    return await texts.get("receipt.rejected", reason=reason, contacts=contacts)
