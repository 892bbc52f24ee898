"""Links section: for a group, every period x children combination with its link and amount; gaps marked."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.ui.callbacks import (
    AdminMenu,
    ItemCard,
    LinkAct,
    LinkAction,
    LinkCard,
    LinkMatrix,
    Section,
)
from happykids.handlers.admin.panel import InputStep, record
from happykids.ui.view import ask, ask_again, finish_input, show
from happykids.ui.states import AdminInput
from happykids.ui.keyboards.admin import Button, in_columns, keyboard, label, menu_button
from happykids.db.models import PaymentLink
from happykids.domain.catalog import CatalogKind
from happykids.domain.catalog_edit import CatalogEditError, parse_amount
from happykids.services import catalog_items
from happykids.services import catalog_links as svc
from happykids.services.catalog_links import Combo
from happykids.texts.defaults import admin as t
from happykids.texts.service import Markup, fill

router = Router(name="admin.links")
router.message.filter(F.chat.type == "private")


def money(amount: int | None) -> str:
    return f"{amount:,} ₽".replace(",", " ") if amount is not None else t.NO_AMOUNT


def mark(link: PaymentLink | None) -> str:
    if link is None:
        return f"⚠️ {t.NO_LINK}"
    return f"✅ {money(link.amount)}"


def hidden(item: object) -> str:
    return t.HIDDEN_MARK if getattr(item, "hidden", False) else ""


def card_data(combo: Combo) -> LinkCard:
    return LinkCard(group_id=combo.group.id, period_id=combo.period.id, children_id=combo.children.id)


# -- screens ---------------------------------------------------------------------------------------------

async def groups_screen(event: CallbackQuery | Message, session: AsyncSession) -> None:
    groups = await catalog_items.list_items(session, CatalogKind.GROUP)
    buttons: list[Button] = [(label(g.title + hidden(g)), LinkMatrix(group_id=g.id)) for g in groups]
    await show(event, t.LINKS if groups else t.LINKS_NO_GROUPS, keyboard(*in_columns(buttons, 1), [menu_button()]))


async def matrix_screen(event: CallbackQuery | Message, session: AsyncSession, group_id: int) -> bool:
    matrix = await svc.link_matrix(session, group_id)
    if matrix is None:
        return False
    back = [(t.BTN_BACK, AdminMenu(section=Section.LINKS)), (t.BTN_CATALOG, ItemCard(kind=CatalogKind.GROUP, id=group_id))]
    if not matrix.periods or not matrix.children:
        await show(event, fill(t.MATRIX_EMPTY, {"group": matrix.group.title}), keyboard(back))
        return True
    rows, buttons = [], []
    for period in matrix.periods:
        rows.append(f"\n<b>{escape(period.title, quote=False)}</b>{hidden(period)}")
        for children in matrix.children:
            link = matrix.link(period.id, children.id)
            rows.append(f"  {escape(children.title, quote=False)}{hidden(children)} — {mark(link)}")
            icon = "✅" if link else "⚠️"
            buttons.append((label(f"{icon} {period.title} · {children.title}"),
                            LinkCard(group_id=group_id, period_id=period.id, children_id=children.id)))
    gaps = fill(t.MATRIX_GAPS, {"count": matrix.gaps}) if matrix.gaps else t.MATRIX_FULL
    text = fill(t.MATRIX, {"group": matrix.group.title, "rows": Markup("\n".join(rows)), "gaps": gaps})
    await show(event, text, keyboard(*in_columns(buttons, 1), back))
    return True


async def card_screen(event: CallbackQuery | Message, session: AsyncSession, combo: Combo) -> None:
    link = await svc.get_link(session, combo)
    text = fill(t.LINK_CARD, {"label": combo.label, "url": link.url if link else t.LINK_NONE,
                              "amount": money(link.amount) if link else "—"})

    def act(action: LinkAct) -> LinkAction:
        return LinkAction(group_id=combo.group.id, period_id=combo.period.id, children_id=combo.children.id,
                          action=action)

    markup = keyboard(
        [(t.BTN_REPLACE_URL if link else t.BTN_SET_URL, act(LinkAct.URL))],
        [(t.BTN_AMOUNT, act(LinkAct.AMOUNT)), (t.BTN_REMOVE_URL, act(LinkAct.REMOVE))] if link else [],
        [(t.BTN_TO_MATRIX, LinkMatrix(group_id=combo.group.id))],
    )
    await show(event, text, markup)


async def gone(callback: CallbackQuery, session: AsyncSession, group_id: int) -> None:
    """Part of the combination was deleted meanwhile: say so, show the group's table or the group list."""
    await callback.answer(t.GONE)
    if not await matrix_screen(callback, session, group_id):
        await groups_screen(callback, session)


# -- navigation ------------------------------------------------------------------------------------------

@router.callback_query(AdminMenu.filter(F.section == Section.LINKS))
async def open_links(callback: CallbackQuery, session: AsyncSession) -> None:
    await callback.answer()
    await groups_screen(callback, session)


@router.callback_query(LinkMatrix.filter())
async def open_matrix(callback: CallbackQuery, callback_data: LinkMatrix, session: AsyncSession) -> None:
    if await svc.link_matrix(session, callback_data.group_id) is None:
        return await gone(callback, session, callback_data.group_id)
    await callback.answer()
    await matrix_screen(callback, session, callback_data.group_id)


@router.callback_query(LinkCard.filter())
async def open_card(callback: CallbackQuery, callback_data: LinkCard, session: AsyncSession) -> None:
    combo = await svc.get_combo(session, callback_data.group_id, callback_data.period_id, callback_data.children_id)
    if combo is None:
        return await gone(callback, session, callback_data.group_id)
    await callback.answer()
    await card_screen(callback, session, combo)


# -- set a link or an amount -----------------------------------------------------------------------------

@router.callback_query(LinkAction.filter(F.action.in_({LinkAct.URL, LinkAct.AMOUNT})))
async def ask_value(callback: CallbackQuery, callback_data: LinkAction, session: AsyncSession,
                    admin_state: FSMContext) -> None:
    d = callback_data
    combo = await svc.get_combo(session, d.group_id, d.period_id, d.children_id)
    if combo is None:
        return await gone(callback, session, d.group_id)
    if d.action is LinkAct.AMOUNT and await svc.get_link(session, combo) is None:
        return await callback.answer(t.NEED_URL_FIRST)
    step, prompt = ((AdminInput.link_url, t.ASK_URL) if d.action is LinkAct.URL
                    else (AdminInput.link_amount, t.ASK_AMOUNT))
    await ask(callback, admin_state, step, fill(prompt, {"label": combo.label}), card_data(combo),
              combo=[d.group_id, d.period_id, d.children_id])


async def _combo_from_input(message: Message, admin_state: FSMContext, session: AsyncSession) -> Combo | None:
    group_id, period_id, children_id = (await admin_state.get_data())["combo"]
    combo = await svc.get_combo(session, group_id, period_id, children_id)
    if combo is None:
        await finish_input(message, admin_state)
        await message.answer(t.GONE)
        await groups_screen(message, session)
    return combo


@router.message(InputStep(AdminInput.link_url), F.text, ~F.text.startswith("/"))
async def url_typed(message: Message, admin_state: FSMContext, session: AsyncSession) -> None:
    combo = await _combo_from_input(message, admin_state, session)
    if combo is None:
        return
    try:
        old = await svc.set_link_url(session, combo, message.text)
    except CatalogEditError as exc:
        return await ask_again(message, admin_state, escape(str(exc), quote=False))
    link = await svc.get_link(session, combo)
    await record(session, message.from_user, "link.set", combo.label, old, link.url)
    await session.commit()
    await finish_input(message, admin_state)
    await message.answer(t.URL_SAVED)
    await card_screen(message, session, combo)


@router.message(InputStep(AdminInput.link_amount), F.text, ~F.text.startswith("/"))
async def amount_typed(message: Message, admin_state: FSMContext, session: AsyncSession) -> None:
    combo = await _combo_from_input(message, admin_state, session)
    if combo is None:
        return
    try:
        amount = parse_amount(message.text)
        old = await svc.set_link_amount(session, combo, amount)
    except CatalogEditError as exc:
        return await ask_again(message, admin_state, escape(str(exc), quote=False))
    await record(session, message.from_user, "link.amount", combo.label, old, amount)
    await session.commit()
    await finish_input(message, admin_state)
    await message.answer(t.AMOUNT_SAVED)
    await card_screen(message, session, combo)


# -- remove ----------------------------------------------------------------------------------------------

@router.callback_query(LinkAction.filter(F.action.in_({LinkAct.REMOVE, LinkAct.REMOVE_YES})))
async def remove(callback: CallbackQuery, callback_data: LinkAction, session: AsyncSession) -> None:
    d = callback_data
    combo = await svc.get_combo(session, d.group_id, d.period_id, d.children_id)
    if combo is None:
        return await gone(callback, session, d.group_id)
    if d.action is LinkAct.REMOVE:
        await callback.answer()
        markup = keyboard([(t.BTN_REMOVE_YES, d.model_copy(update={"action": LinkAct.REMOVE_YES}))],
                          [(t.BTN_CANCEL, card_data(combo))])
        return await show(callback, fill(t.CONFIRM_REMOVE_LINK, {"label": combo.label}), markup)
    old = await svc.remove_link(session, combo)
    if old is not None:
        await record(session, callback.from_user, "link.remove", combo.label, old, None)
        await session.commit()
    await callback.answer(t.LINK_REMOVED)
    await card_screen(callback, session, combo)
