"""Catalog section: groups, periods and children options — add, rename, hide/show, reorder, delete."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.unit_of_work import UnitOfWork
from happykids.domain.catalog import CatalogKind
from happykids.domain.catalog_edit import CatalogEditError, ItemInUse, parse_children_count
from happykids.domain.renewals import effective_length
from happykids.domain.wording import quoted
from happykids.handlers.admin.panel import InputStep, record
from happykids.services import catalog_items as svc
from happykids.texts.service import Texts
from happykids.ui.callbacks import (  # renewals: a period's length
    AdminMenu,
    CatalogFile,
    FileAct,
    ItemAct,
    ItemAction,
    ItemAdd,
    ItemCard,
    ItemList,
    LinkMatrix,
    RenewalsAdmin,
    RnAdm,
    Section,
)
from happykids.ui.keyboards.admin import Button, in_columns, keyboard, label, menu_button
from happykids.ui.states import AdminInput
from happykids.ui.view import ask, ask_again, commit_before_showing, finish_input, input_saved, show

router = Router(name="admin.catalog")
router.message.filter(F.chat.type == "private")


def describe(texts: Texts, kind: CatalogKind, title: str) -> str:
    """How an item is named in the audit log: «группа «Малыши»»."""
    return f"{texts.fixed(f'panel.kind_one.{kind.value}').lower()} {quoted(title)}"


def plural(texts: Texts, kind: CatalogKind) -> str:
    """The list's name: «Группы», «Периоды обучения», «Количество детей»."""
    return texts.fixed(f"panel.kind_plural.{kind.value}")


# -- screens ---------------------------------------------------------------------------------------------

async def catalog_screen(event: CallbackQuery | Message, session: AsyncSession, texts: Texts) -> None:
    counts = {kind: len(await svc.list_items(session, kind)) for kind in CatalogKind}
    text = texts.fixed("panel.catalog", groups=counts[CatalogKind.GROUP], periods=counts[CatalogKind.PERIOD],
                       children=counts[CatalogKind.CHILDREN])
    markup = keyboard(
        [(plural(texts, kind), ItemList(kind=kind)) for kind in (CatalogKind.GROUP, CatalogKind.PERIOD)],
        [(plural(texts, CatalogKind.CHILDREN), ItemList(kind=CatalogKind.CHILDREN))],
        [(texts.fixed("panel.btn_export"), CatalogFile(action=FileAct.EXPORT))],
        [(texts.fixed("panel.btn_import"), CatalogFile(action=FileAct.IMPORT))],
        [menu_button(texts)],
    )
    await show(event, text, markup)


async def list_screen(event: CallbackQuery | Message, session: AsyncSession, texts: Texts, kind: CatalogKind) -> None:
    items = await svc.list_items(session, kind)
    title = plural(texts, kind)
    mark = texts.fixed("panel.hidden_mark")
    if items:
        lines = "\n".join(f"{i}. {item.title}{mark if item.hidden else ''}" for i, item in enumerate(items, 1))
        text = texts.fixed("panel.items", title=title, lines=lines)
    else:
        text = texts.fixed("panel.items_empty", title=title)
    buttons: list[Button] = [(label(f"{item.title}{mark if item.hidden else ''}"),
                              ItemCard(kind=kind, id=item.id)) for item in items]
    markup = keyboard(*in_columns(buttons, 1), [(texts.fixed("panel.btn_add"), ItemAdd(kind=kind))],
                      [(texts.fixed("panel.btn_back"), AdminMenu(section=Section.CATALOG))])
    await show(event, text, markup)


async def item_screen(event: CallbackQuery | Message, session: AsyncSession, texts: Texts, kind: CatalogKind,
                      item_id: int) -> bool:
    """The item's card; False (and nothing shown) when it no longer exists."""
    item = await svc.get_item(session, kind, item_id)
    if item is None:
        return False
    place, total = await svc.position_of(session, kind, item_id)
    text = texts.fixed("panel.item", kind=texts.fixed(f"panel.kind_one.{kind.value}"), title=item.title,
                       code=svc.code_of(item), place=place, total=total,
                       visibility=texts.fixed("panel.hidden" if item.hidden else "panel.visible"),
                       links=await svc.links_count(session, kind, item_id))

    def act(action: ItemAct) -> ItemAction:
        return ItemAction(kind=kind, id=item_id, action=action)

    markup = keyboard(
        [(texts.fixed("panel.btn_rename"), act(ItemAct.RENAME))],
        [(texts.fixed("panel.btn_show"), act(ItemAct.SHOW)) if item.hidden
         else (texts.fixed("panel.btn_hide"), act(ItemAct.HIDE))],
        [(texts.fixed("panel.btn_up"), act(ItemAct.UP)), (texts.fixed("panel.btn_down"), act(ItemAct.DOWN))],
        [(texts.fixed("panel.btn_group_links"), LinkMatrix(group_id=item_id))] if kind is CatalogKind.GROUP else [],
        [length_button(texts, item, item_id)] if kind is CatalogKind.PERIOD else [],  # renewals
        [(texts.fixed("panel.btn_delete"), act(ItemAct.DELETE))],
        [(texts.fixed("panel.btn_back"), ItemList(kind=kind))],
    )
    await show(event, text, markup)
    return True


def length_button(texts: Texts, period: object, item_id: int) -> tuple[str, RenewalsAdmin]:
    """Renewals: how long a payment for the period lasts, and the way to change it (handlers/admin/renewals.py)."""
    length = effective_length(getattr(period, "title", ""), getattr(period, "months", None),
                              getattr(period, "days", None))
    return (texts.fixed("renewals_panel.btn_length", length=length.describe()),
            RenewalsAdmin(action=RnAdm.LENGTH, item=item_id))


async def item_or_list(callback: CallbackQuery, session: AsyncSession, texts: Texts, kind: CatalogKind,
                       item_id: int, popup: str | None = None) -> None:
    """Answer the press and show the card; if the item vanished (deleted elsewhere), say so and list."""
    item = await svc.get_item(session, kind, item_id)
    await callback.answer(popup if item is not None else texts.fixed("panel.gone"))
    if item is None or not await item_screen(callback, session, texts, kind, item_id):
        await list_screen(callback, session, texts, kind)


# -- navigation ------------------------------------------------------------------------------------------

@router.callback_query(AdminMenu.filter(F.section == Section.CATALOG))
async def open_catalog(callback: CallbackQuery, session: AsyncSession, texts: Texts) -> None:
    await callback.answer()
    await catalog_screen(callback, session, texts)


@router.callback_query(ItemList.filter())
async def open_list(callback: CallbackQuery, callback_data: ItemList, session: AsyncSession, texts: Texts) -> None:
    await callback.answer()
    await list_screen(callback, session, texts, callback_data.kind)


@router.callback_query(ItemCard.filter())
async def open_item(callback: CallbackQuery, callback_data: ItemCard, session: AsyncSession, texts: Texts) -> None:
    await item_or_list(callback, session, texts, callback_data.kind, callback_data.id)


# -- add -------------------------------------------------------------------------------------------------

@router.callback_query(ItemAdd.filter())
async def add_item(callback: CallbackQuery, callback_data: ItemAdd, admin_state: FSMContext, texts: Texts) -> None:
    kind = callback_data.kind
    prompt = texts.fixed("panel.ask_new_children") if kind is CatalogKind.CHILDREN else texts.fixed(
        "panel.ask_new_title", example=texts.fixed(f"panel.new_title_example.{kind.value}"))
    await ask(callback, admin_state, texts, AdminInput.new_item, prompt, ItemList(kind=kind), kind=kind.value)


@router.message(InputStep(AdminInput.new_item), F.text, ~F.text.startswith("/"))
async def add_item_typed(message: Message, admin_state: FSMContext, session: AsyncSession, texts: Texts) -> None:
    kind = CatalogKind((await admin_state.get_data())["kind"])
    typed = message.text or ""  # F.text: always set here
    item: svc.CatalogRow
    try:
        if kind is CatalogKind.CHILDREN:
            item = await svc.add_children(session, parse_children_count(typed))
        else:
            item = await svc.add_item(session, kind, typed)
    except CatalogEditError as exc:
        await ask_again(message, admin_state, texts, escape(str(exc), quote=False))
        return
    await record(session, message.from_user, "catalog.add", describe(texts, kind, item.title))
    await input_saved(message, admin_state)
    await message.answer(texts.fixed("panel.added"))
    await item_screen(message, session, texts, kind, item.id)


# -- rename ----------------------------------------------------------------------------------------------

@router.callback_query(ItemAction.filter(F.action == ItemAct.RENAME))
async def rename(callback: CallbackQuery, callback_data: ItemAction, session: AsyncSession,
                 admin_state: FSMContext, texts: Texts) -> None:
    kind, item_id = callback_data.kind, callback_data.id
    item = await svc.get_item(session, kind, item_id)
    if item is None:
        await item_or_list(callback, session, texts, kind, item_id)
        return
    await ask(callback, admin_state, texts, AdminInput.rename, texts.fixed("panel.ask_rename", title=item.title),
              ItemCard(kind=kind, id=item_id), kind=kind.value, id=item_id)


@router.message(InputStep(AdminInput.rename), F.text, ~F.text.startswith("/"))
async def rename_typed(message: Message, admin_state: FSMContext, session: AsyncSession, texts: Texts) -> None:
    data = await admin_state.get_data()
    kind, item_id = CatalogKind(data["kind"]), int(data["id"])
    try:
        old, new = await svc.rename_item(session, kind, item_id, message.text or "")  # F.text: always set
    except CatalogEditError as exc:
        if await svc.get_item(session, kind, item_id) is None:  # deleted meanwhile: asking again is pointless
            await finish_input(message, admin_state)
            await message.answer(texts.fixed("panel.gone"))
            await list_screen(message, session, texts, kind)
            return
        await ask_again(message, admin_state, texts, escape(str(exc), quote=False))
        return
    await record(session, message.from_user, "catalog.rename", describe(texts, kind, new), old, new)
    await input_saved(message, admin_state)
    await message.answer(texts.fixed("panel.renamed"))
    await item_screen(message, session, texts, kind, item_id)


# -- hide / show / reorder -------------------------------------------------------------------------------

@router.callback_query(ItemAction.filter(F.action.in_({ItemAct.HIDE, ItemAct.SHOW})))
async def toggle_hidden(callback: CallbackQuery, callback_data: ItemAction, session: AsyncSession,
                        texts: Texts, uow: UnitOfWork) -> None:
    kind, item_id, hide = callback_data.kind, callback_data.id, callback_data.action is ItemAct.HIDE
    item = await svc.get_item(session, kind, item_id)
    if item is not None and item.hidden != hide:  # a repeated press changes nothing and logs nothing
        await svc.set_hidden(session, kind, item_id, hide)
        await record(session, callback.from_user, "catalog.hide" if hide else "catalog.show",
                     describe(texts, kind, item.title))
        await uow.commit()
    await item_or_list(callback, session, texts, kind, item_id,
                       texts.fixed("panel.hidden_done" if hide else "panel.shown_done"))


@router.callback_query(ItemAction.filter(F.action.in_({ItemAct.UP, ItemAct.DOWN})))
async def move(callback: CallbackQuery, callback_data: ItemAction, session: AsyncSession, texts: Texts,
               uow: UnitOfWork) -> None:
    kind, item_id, up = callback_data.kind, callback_data.id, callback_data.action is ItemAct.UP
    item = await svc.get_item(session, kind, item_id)
    if item is None:
        await item_or_list(callback, session, texts, kind, item_id)
        return
    old_place, _ = await svc.position_of(session, kind, item_id)
    if not await svc.move_item(session, kind, item_id, -1 if up else 1):
        await callback.answer(texts.fixed("panel.at_top" if up else "panel.at_bottom"))
        return
    new_place, _ = await svc.position_of(session, kind, item_id)
    await record(session, callback.from_user, "catalog.move", describe(texts, kind, item.title), old_place, new_place)
    await uow.commit()
    await item_or_list(callback, session, texts, kind, item_id, texts.fixed("panel.moved"))


# -- delete ----------------------------------------------------------------------------------------------

@router.callback_query(ItemAction.filter(F.action == ItemAct.DELETE))
async def delete_ask(callback: CallbackQuery, callback_data: ItemAction, session: AsyncSession,
                     texts: Texts) -> None:
    kind, item_id = callback_data.kind, callback_data.id
    item = await svc.get_item(session, kind, item_id)
    if item is None:
        await item_or_list(callback, session, texts, kind, item_id)
        return
    await callback.answer()
    receipts = await svc.receipts_count(session, kind, item)
    if receipts:
        reason = str(ItemInUse(receipts))
        hide = ItemAction(kind=kind, id=item_id, action=ItemAct.HIDE)
        markup = keyboard([(texts.fixed("panel.btn_hide"), hide)] if not item.hidden else [],
                          [(texts.fixed("panel.btn_back"), ItemCard(kind=kind, id=item_id))])
        await show(callback, texts.fixed("panel.delete_refused", title=item.title, reason=reason), markup)
        return
    text = texts.fixed("panel.confirm_delete", what=texts.fixed(f"panel.kind_accusative.{kind.value}"),
                       title=item.title, links=await svc.links_count(session, kind, item_id))
    markup = keyboard(
        [(texts.fixed("panel.btn_delete_yes"), ItemAction(kind=kind, id=item_id, action=ItemAct.DELETE_YES))],
        [(texts.fixed("panel.btn_cancel"), ItemCard(kind=kind, id=item_id))])
    await show(callback, text, markup)


@router.callback_query(ItemAction.filter(F.action == ItemAct.DELETE_YES))
async def delete_confirmed(callback: CallbackQuery, callback_data: ItemAction, session: AsyncSession,
                           texts: Texts) -> None:
    kind, item_id = callback_data.kind, callback_data.id
    try:
        title, links = await svc.delete_item(session, kind, item_id)
    except ItemInUse:
        # A receipt arrived between the question and the answer: show the refusal instead.
        await delete_ask(callback, ItemAction(kind=kind, id=item_id, action=ItemAct.DELETE), session, texts)
        return
    except CatalogEditError:
        await item_or_list(callback, session, texts, kind, item_id)
        return
    await record(session, callback.from_user, "catalog.delete", describe(texts, kind, title),
                 old=f"ссылок: {links}" if links else None)
    await callback.answer(texts.fixed("panel.deleted"))  # before the commit: a redelivery after it never answers
    await commit_before_showing()
    await list_screen(callback, session, texts, kind)
