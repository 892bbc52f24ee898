"""The parent's buttons under a renewal reminder: «Продлить» opens the payment dialog's confirmation screen with
the same group, period and children (the amount as the catalog says now; «Назад» changes anything), and
«Мы больше не занимаемся» ends the reminders for that group.

Renewing is two taps: «Продлить», then «Подтвердить» (handled by the payment dialog, handlers/payment.py).
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.models import PaidPeriod
from happykids.handlers.payment import reset_choices
from happykids.services import renewals
from happykids.services.caches import CatalogCache
from happykids.texts.service import Texts
from happykids.ui.callbacks import Renew, RenewAct
from happykids.ui.dialog_screens import render
from happykids.ui.states import PaymentDialog
from happykids.ui.view import commit_before_showing, retire, show_step

router = Router(name="renewals")
router.callback_query.filter(F.message.chat.type == "private")


async def _row_of(callback: CallbackQuery, callback_data: Renew, session: AsyncSession) -> PaidPeriod | None:
    """The paid period the button is about, if it is this parent's."""
    rows = await renewals.rows_by_id(session, [callback_data.paid_id])
    return rows[0] if rows and rows[0].user_id == callback.from_user.id else None


@router.callback_query(Renew.filter(F.action == RenewAct.RENEW))
async def on_renew(callback: CallbackQuery, callback_data: Renew, state: FSMContext, session: AsyncSession,
                   texts: Texts, bot: Bot, catalog_cache: CatalogCache) -> None:
    row = await _row_of(callback, callback_data, session)
    catalog = await catalog_cache.get(session)
    group = next((g for g in catalog.visible(catalog.groups) if row and g.key == row.group_code), None)
    period = next((p for p in catalog.visible(catalog.periods) if row and p.key == row.period_code), None)
    children = next((c for c in catalog.visible(catalog.children)
                     if row and c.key == str(row.children_count or 1)), None)
    await reset_choices(state)
    if group is None or period is None or children is None:
        # The group or period is gone (or hidden): choose again, starting with what is still there.
        await callback.answer(await texts.plain("renewals.gone"))
        data = {"group": group.id} if group else {}
        await state.update_data(data)
        target = PaymentDialog.period.state if group else PaymentDialog.group.state
    else:
        await callback.answer()
        await state.update_data({"group": group.id, "period": period.id, "children": children.id, "mistakes": 0})
        target = PaymentDialog.confirm.state
    await show_step(bot, callback.from_user.id, state, await render(target, await state.get_data(), catalog, texts))


@router.callback_query(Renew.filter(F.action == RenewAct.STOP))
async def on_stop(callback: CallbackQuery, callback_data: Renew, session: AsyncSession, texts: Texts,
                  bot: Bot, catalog_cache: CatalogCache) -> None:
    row = await _row_of(callback, callback_data, session)
    await callback.answer()
    if row is None:
        return
    await renewals.stop(session, row.user_id, row.group_code)
    catalog = await catalog_cache.get(session)
    title = next((g.title for g in catalog.groups if g.key == row.group_code), row.group_code)
    await commit_before_showing()
    if isinstance(callback.message, Message):
        await retire(bot, callback.from_user.id, callback.message.message_id)
    await bot.send_message(callback.from_user.id, await texts.get("renewals.stopped", group=title))
