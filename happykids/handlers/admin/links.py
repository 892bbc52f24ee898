"""Links section: for a group, every period x children combination with its link and amount; gaps marked."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.models import PaymentLink
from happykids.db.unit_of_work import UnitOfWork
from happykids.domain.catalog import CatalogKind
from happykids.domain.catalog_edit import CatalogEditError, money, parse_amount
from happykids.handlers.admin.panel import InputStep, record
from happykids.services import catalog_items
from happykids.services import catalog_links as svc
from happykids.services.catalog_links import Combo
from happykids.texts.service import Markup, Texts
from happykids.ui.callbacks import (
    AdminMenu,
    ItemCard,
    LinkAct,
    LinkAction,
    LinkCard,
    LinkMatrix,
    Section,
)
from happykids.ui.keyboards.admin import Button, in_columns, keyboard, label, menu_button
from happykids.ui.states import AdminInput
from happykids.ui.view import ask, ask_again, finish_input, input_saved, show

router = Router(name="admin.links")
router.message.filter(F.chat.type == "private")


def amount_text(texts: Texts, amount: int | None) -> str:
    return money(amount, texts.fixed("panel.no_amount"))


def mark(texts: Texts, link: PaymentLink | None) -> str:
    if link is None:
        return f"⚠️ {texts.fixed('panel.no_link')}"
    return f"✅ {amount_text(texts, link.amount)}"


def hidden(texts: Texts, item: object) -> str:
    return texts.fixed("panel.hidden_mark") if getattr(item, "hidden", False) else ""


def card_data(combo: Combo) -> LinkCard:
    return LinkCard(group_id=combo.group.id, period_id=combo.period.id, children_id=combo.children.id)


# -- screens ---------------------------------------------------------------------------------------------

async def groups_screen(event: CallbackQuery | Message, session: AsyncSession, texts: Texts) -> None:
    groups = await catalog_items.list_items(session, CatalogKind.GROUP)
    buttons: list[Button] = [(label(g.title + hidden(texts, g)), LinkMatrix(group_id=g.id)) for g in groups]
    await show(event, texts.fixed("panel.links" if groups else "panel.links_no_groups"),
               keyboard(*in_columns(buttons, 1), [menu_button(texts)]))


async def matrix_screen(event: CallbackQuery | Message, session: AsyncSession, texts: Texts, group_id: int) -> bool:
    matrix = await svc.link_matrix(session, group_id)
    if matrix is None:
        return False
    back: list[Button] = [(texts.fixed("panel.btn_back"), AdminMenu(section=Section.LINKS)),
                          (texts.fixed("panel.btn_catalog"), ItemCard(kind=CatalogKind.GROUP, id=group_id))]
    if not matrix.periods or not matrix.children:
        await show(event, texts.fixed("panel.matrix_empty", group=matrix.group.title), keyboard(back))
        return True
    rows: list[str] = []
    buttons: list[Button] = []
    for period in matrix.periods:
        rows.append(f"\n<b>{escape(period.title, quote=False)}</b>{hidden(texts, period)}")
        for children in matrix.children:
            link = matrix.link(period.id, children.id)
            rows.append(f"  {escape(children.title, quote=False)}{hidden(texts, children)} — {mark(texts, link)}")
            icon = "✅" if link else "⚠️"
            buttons.append((label(f"{icon} {period.title} · {children.title}"),
                            LinkCard(group_id=group_id, period_id=period.id, children_id=children.id)))
    gaps = texts.fixed("panel.matrix_gaps", count=matrix.gaps) if matrix.gaps else texts.fixed("panel.matrix_full")
    text = texts.fixed("panel.matrix", group=matrix.group.title, rows=Markup("\n".join(rows)), gaps=gaps)
    await show(event, text, keyboard(*in_columns(buttons, 1), back))
    return True


async def card_screen(event: CallbackQuery | Message, session: AsyncSession, texts: Texts, combo: Combo) -> None:
    link = await svc.get_link(session, combo)
    # One line about the amount, saying it once: the sum, or that there is none (no line without a link).
    amount_line = "" if link is None else texts.fixed("panel.link_no_amount") if link.amount is None else \
        texts.fixed("panel.link_amount", amount=money(link.amount))
    text = texts.fixed("panel.link_card", label=combo.label, url=link.url if link else texts.fixed("panel.link_none"),
                       amount_line=Markup(amount_line))

    def act(action: LinkAct) -> LinkAction:
        return LinkAction(group_id=combo.group.id, period_id=combo.period.id, children_id=combo.children.id,
                          action=action)

    markup = keyboard(
        [(texts.fixed("panel.btn_replace_url" if link else "panel.btn_set_url"), act(LinkAct.URL))],
        [(texts.fixed("panel.btn_amount"), act(LinkAct.AMOUNT)),
         (texts.fixed("panel.btn_remove_url"), act(LinkAct.REMOVE))] if link else [],
        [(texts.fixed("panel.btn_to_matrix"), LinkMatrix(group_id=combo.group.id))],
    )
    await show(event, text, markup)


async def gone(callback: CallbackQuery, session: AsyncSession, texts: Texts, group_id: int) -> None:
    """Part of the combination was deleted meanwhile: say so, show the group's table or the group list."""
    await callback.answer(texts.fixed("panel.gone"))
    if not await matrix_screen(callback, session, texts, group_id):
        await groups_screen(callback, session, texts)


# -- navigation ------------------------------------------------------------------------------------------

@router.callback_query(AdminMenu.filter(F.section == Section.LINKS))
async def open_links(callback: CallbackQuery, session: AsyncSession, texts: Texts) -> None:
    await callback.answer()
    await groups_screen(callback, session, texts)


@router.callback_query(LinkMatrix.filter())
async def open_matrix(callback: CallbackQuery, callback_data: LinkMatrix, session: AsyncSession,
                      texts: Texts) -> None:
    if await svc.link_matrix(session, callback_data.group_id) is None:
        await gone(callback, session, texts, callback_data.group_id)
        return
    await callback.answer()
    await matrix_screen(callback, session, texts, callback_data.group_id)


@router.callback_query(LinkCard.filter())
async def open_card(callback: CallbackQuery, callback_data: LinkCard, session: AsyncSession, texts: Texts) -> None:
    combo = await svc.get_combo(session, callback_data.group_id, callback_data.period_id, callback_data.children_id)
    if combo is None:
        await gone(callback, session, texts, callback_data.group_id)
        return
    await callback.answer()
    await card_screen(callback, session, texts, combo)


# -- set a link or an amount -----------------------------------------------------------------------------

@router.callback_query(LinkAction.filter(F.action.in_({LinkAct.URL, LinkAct.AMOUNT})))
async def ask_value(callback: CallbackQuery, callback_data: LinkAction, session: AsyncSession,
                    admin_state: FSMContext, texts: Texts) -> None:
    d = callback_data
    combo = await svc.get_combo(session, d.group_id, d.period_id, d.children_id)
    if combo is None:
        await gone(callback, session, texts, d.group_id)
        return
    if d.action is LinkAct.AMOUNT and await svc.get_link(session, combo) is None:
        await callback.answer(texts.fixed("panel.need_url_first"))
        return
    step, prompt = ((AdminInput.link_url, "panel.ask_url") if d.action is LinkAct.URL
                    else (AdminInput.link_amount, "panel.ask_amount"))
    await ask(callback, admin_state, texts, step, texts.fixed(prompt, label=combo.label), card_data(combo),
              combo=[d.group_id, d.period_id, d.children_id])


async def _combo_from_input(message: Message, admin_state: FSMContext, session: AsyncSession,
                            texts: Texts) -> Combo | None:
    group_id, period_id, children_id = (await admin_state.get_data())["combo"]
    combo = await svc.get_combo(session, group_id, period_id, children_id)
    if combo is None:
        await finish_input(message, admin_state)
        await message.answer(texts.fixed("panel.gone"))
        await groups_screen(message, session, texts)
    return combo


@router.message(InputStep(AdminInput.link_url), F.text, ~F.text.startswith("/"))
async def url_typed(message: Message, admin_state: FSMContext, session: AsyncSession, texts: Texts) -> None:
    combo = await _combo_from_input(message, admin_state, session, texts)
    if combo is None:
        return
    try:
        old = await svc.set_link_url(session, combo, message.text or "")  # F.text: always set
    except CatalogEditError as exc:
        await ask_again(message, admin_state, texts, escape(str(exc), quote=False))
        return
    link = await svc.get_link(session, combo)
    await record(session, message.from_user, "link.set", combo.label, old, link.url if link else None)
    await input_saved(message, admin_state)
    await message.answer(texts.fixed("panel.url_saved"))
    await card_screen(message, session, texts, combo)


@router.message(InputStep(AdminInput.link_amount), F.text, ~F.text.startswith("/"))
async def amount_typed(message: Message, admin_state: FSMContext, session: AsyncSession, texts: Texts) -> None:
    combo = await _combo_from_input(message, admin_state, session, texts)
    if combo is None:
        return
    try:
        amount = parse_amount(message.text or "")  # F.text: always set
        old = await svc.set_link_amount(session, combo, amount)
    except CatalogEditError as exc:
        await ask_again(message, admin_state, texts, escape(str(exc), quote=False))
        return
    await record(session, message.from_user, "link.amount", combo.label, old, amount)
    await input_saved(message, admin_state)
    await message.answer(texts.fixed("panel.amount_saved"))
    await card_screen(message, session, texts, combo)


# -- remove ----------------------------------------------------------------------------------------------

@router.callback_query(LinkAction.filter(F.action.in_({LinkAct.REMOVE, LinkAct.REMOVE_YES})))
async def remove(callback: CallbackQuery, callback_data: LinkAction, session: AsyncSession, texts: Texts,
                 uow: UnitOfWork) -> None:
    d = callback_data
    combo = await svc.get_combo(session, d.group_id, d.period_id, d.children_id)
    if combo is None:
        await gone(callback, session, texts, d.group_id)
        return
    if d.action is LinkAct.REMOVE:
        await callback.answer()
        markup = keyboard(
            [(texts.fixed("panel.btn_remove_yes"), d.model_copy(update={"action": LinkAct.REMOVE_YES}))],
            [(texts.fixed("panel.btn_cancel"), card_data(combo))])
        await show(callback, texts.fixed("panel.confirm_remove_link", label=combo.label), markup)
        return
    old = await svc.remove_link(session, combo)
    if old is not None:
        await record(session, callback.from_user, "link.remove", combo.label, old, None)
        await uow.commit()
    await callback.answer(texts.fixed("panel.link_removed"))
    await card_screen(callback, session, texts, combo)
