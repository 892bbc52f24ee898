"""«Платежи»: find a parent and their receipts; export all payments or one month as XLSX / CSV.

The data work is in services/payments_export.py; this module only talks to Telegram.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.config import Settings
from happykids.domain.receipts import ReceiptStatus
from happykids.handlers.admin.panel import InputStep
from happykids.services.payments_export import (
    STATUS_ICONS,
    Month,
    ParentMatch,
    agency_tz,
    export_filename,
    load_payments,
    months_with_payments,
    overview,
    search_parents,
    summary,
    to_csv,
    to_xlsx,
)
from happykids.services.telegram_payments import methods_line
from happykids.texts.service import Markup, Texts
from happykids.ui.callbacks import AdminMenu, Fmt, PayAct, PaymentsAction, PaymentsExport, Section
from happykids.ui.keyboards import payments as kb
from happykids.ui.states import PaymentsInput
from happykids.ui.view import ask, ask_again, finish_input, show

router = Router(name="admin.payments")

SEARCH_LIMIT = 5  # parents shown in full; more matches -> "уточните запрос"
RECEIPTS_PER_PARENT = 5
MESSAGE_BUDGET = 3800  # characters of one answer (Telegram allows 4096)


def money(value: int) -> str:
    return f"{value:,}".replace(",", " ")


async def overview_text(session: AsyncSession, settings: Settings, texts: Texts) -> str:
    data = await overview(session, agency_tz(settings))
    return texts.fixed(
        "panel_ops.payments", total=data.total, pending=data.count(ReceiptStatus.PENDING),
        approved=data.count(ReceiptStatus.APPROVED), rejected=data.count(ReceiptStatus.REJECTED),
        month=data.month.title, month_sum=money(data.month_sum), month_count=data.month_count,
    ) + "\n\n" + await methods_line(
        session, texts, None, datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=1))  # all time (issue #13)


@router.callback_query(AdminMenu.filter(F.section == Section.PAYMENTS))
async def open_payments(callback: CallbackQuery, session: AsyncSession, settings: Settings, texts: Texts) -> None:
    await callback.answer()
    await show(callback, await overview_text(session, settings, texts), kb.payments_menu(texts))


# -- search ----------------------------------------------------------------------------------------------

@router.callback_query(PaymentsAction.filter(F.action == PayAct.SEARCH))
async def ask_query(callback: CallbackQuery, admin_state: FSMContext, texts: Texts) -> None:
    await ask(callback, admin_state, texts, PaymentsInput.query, texts.fixed("panel_ops.ask_query"),
              AdminMenu(section=Section.PAYMENTS))


@router.message(InputStep(PaymentsInput.query), F.text, ~F.text.startswith("/"))
async def on_query(message: Message, admin_state: FSMContext, session: AsyncSession, settings: Settings,
                   texts: Texts) -> None:
    query = (message.text or "").strip()[:100]  # F.text: always set
    matches, total = await search_parents(session, query, agency_tz(settings), limit=SEARCH_LIMIT,
                                          receipts_per_parent=RECEIPTS_PER_PARENT)
    if not matches:
        await ask_again(message, admin_state, texts, texts.fixed("panel_ops.nothing_found", query=query))
        return
    await finish_input(message, admin_state)
    await message.answer(search_text(texts, query, matches, total), reply_markup=kb.search_results(texts),
                         disable_web_page_preview=True)


@router.message(InputStep(PaymentsInput.query), ~F.text)
async def on_query_not_text(message: Message, admin_state: FSMContext, texts: Texts) -> None:
    await ask_again(message, admin_state, texts, texts.fixed("panel_ops.ask_query").split("\n")[0])


def search_text(texts: Texts, query: str, matches: list[ParentMatch], total: int) -> str:
    shown = texts.fixed("panel_ops.found_shown", limit=len(matches)) if total > len(matches) else ""
    lines = [texts.fixed("panel_ops.found", total=total, query=query, shown=Markup(shown))]
    used = len(lines[0])
    for match in matches:
        block = ["", texts.fixed("panel_ops.parent", name=match.name or "—", username=match.username,
                                 user_id=match.user_id)]
        if not match.receipts:
            block.append(texts.fixed("panel_ops.no_receipts"))
        for row in match.receipts:
            block.append(texts.fixed(
                "panel_ops.receipt_line",
                icon=STATUS_ICONS.get(row.status, "•"), date=_date(row.created_at),
                group=row.group or "—", period=row.period or "—", children=row.children or "—",
                amount=f", {money(row.amount)} ₽" if row.amount else "", status=row.status_title,
                decided=f" ({row.decided_by})" if row.decided_by and row.status != ReceiptStatus.PENDING else "",
            ))
        if match.total_receipts > len(match.receipts):
            block.append(texts.fixed("panel_ops.more_receipts", count=match.total_receipts - len(match.receipts)))
        size = sum(len(line) + 1 for line in block)
        if used + size > MESSAGE_BUDGET:
            lines.append("\n…")
            break
        lines += block
        used += size
    return "\n".join(lines)


def _date(moment: datetime) -> str:
    return moment.strftime("%d.%m.%Y")


# -- export ----------------------------------------------------------------------------------------------

@router.callback_query(PaymentsAction.filter(F.action == PayAct.EXPORT))
async def open_export(callback: CallbackQuery, session: AsyncSession, settings: Settings, texts: Texts) -> None:
    await callback.answer()
    months = await months_with_payments(session, agency_tz(settings), limit=6)
    await show(callback, texts.fixed("panel_ops.export"), kb.export_menu(texts, months))


@router.callback_query(PaymentsExport.filter())
async def export(callback: CallbackQuery, callback_data: PaymentsExport, session: AsyncSession,
                 settings: Settings, bot: Bot, texts: Texts) -> None:
    tz = agency_tz(settings)
    try:
        month = None if callback_data.month == "all" else Month.parse(callback_data.month)
    except ValueError:
        await callback.answer(texts.fixed("panel.gone"))
        return
    rows = await load_payments(session, tz, month)
    if not rows:
        await callback.answer(texts.fixed("panel_ops.export_empty"), show_alert=True)
        return
    await callback.answer(texts.fixed("panel_ops.export_preparing"))
    if callback_data.fmt is Fmt.XLSX:
        data = await asyncio.to_thread(to_xlsx, rows)
    else:
        data = to_csv(rows)
    period = texts.fixed("panel_ops.period_month", month=month.title) if month else texts.fixed("panel_ops.period_all")
    counts = summary(rows)
    caption = texts.fixed("panel_ops.export_caption", {**counts, "period": period,
                                                        "approved_sum": money(counts["approved_sum"])})
    await bot.send_document(callback.from_user.id,
                            BufferedInputFile(data, export_filename(month, callback_data.fmt.value)), caption=caption)
