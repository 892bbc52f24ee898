"""Catalog section: groups, periods and children options — add, rename, hide/show, reorder, delete."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.ui.callbacks import (
    AdminMenu,
    CatalogFile,
    FileAct,
    ItemAct,
    ItemAction,
    ItemAdd,
    ItemCard,
    ItemList,
    LinkMatrix,
    Section,
)
from happykids.handlers.admin.panel import InputStep, record
from happykids.ui.view import ask, ask_again, finish_input, show
from happykids.ui.states import AdminInput
from happykids.ui.keyboards.admin import Button, in_columns, keyboard, label, menu_button
from happykids.domain.catalog import CatalogKind
from happykids.domain.catalog_edit import CatalogEditError, ItemInUse, parse_children_count
from happykids.services import catalog_items as svc
from happykids.texts.defaults import admin as t
from happykids.texts.service import fill

router = Router(name="admin.catalog")
router.message.filter(F.chat.type == "private")


def describe(kind: CatalogKind, title: str) -> str:
    """How an item is named in the audit log: «группа «Малыши»»."""
    return f"{t.KIND_ONE[kind.value].lower()} «{title}»"


# -- screens ---------------------------------------------------------------------------------------------

async def catalog_screen(event: CallbackQuery | Message, session: AsyncSession) -> None:
    counts = {kind: len(await svc.list_items(session, kind)) for kind in CatalogKind}
    text = fill(t.CATALOG, {"groups": counts[CatalogKind.GROUP], "periods": counts[CatalogKind.PERIOD],
                            "children": counts[CatalogKind.CHILDREN]})
    markup = keyboard(
        [(t.KIND_PLURAL[kind.value], ItemList(kind=kind)) for kind in (CatalogKind.GROUP, CatalogKind.PERIOD)],
        [(t.KIND_PLURAL["c"], ItemList(kind=CatalogKind.CHILDREN))],
        [(t.BTN_EXPORT, CatalogFile(action=FileAct.EXPORT))],
        [(t.BTN_IMPORT, CatalogFile(action=FileAct.IMPORT))],
        [menu_button()],
    )
    await show(event, text, markup)


async def list_screen(event: CallbackQuery | Message, session: AsyncSession, kind: CatalogKind) -> None:
    items = await svc.list_items(session, kind)
    title = t.KIND_PLURAL[kind.value]
    if items:
        lines = "\n".join(f"{i}. {item.title}{t.HIDDEN_MARK if item.hidden else ''}"
                          for i, item in enumerate(items, 1))
        text = fill(t.ITEMS, {"title": title, "lines": lines})
    else:
        text = fill(t.ITEMS_EMPTY, {"title": title})
    buttons: list[Button] = [(label(f"{item.title}{t.HIDDEN_MARK if item.hidden else ''}"),
                              ItemCard(kind=kind, id=item.id)) for item in items]
    markup = keyboard(*in_columns(buttons, 1), [(t.BTN_ADD, ItemAdd(kind=kind))],
                      [(t.BTN_BACK, AdminMenu(section=Section.CATALOG))])
    await show(event, text, markup)


async def item_screen(event: CallbackQuery | Message, session: AsyncSession, kind: CatalogKind, item_id: int) -> bool:
    """The item's card; False (and nothing shown) when it no longer exists."""
    item = await svc.get_item(session, kind, item_id)
    if item is None:
        return False
    place, total = await svc.position_of(session, kind, item_id)
    code = svc.code_of(item)
    text = fill(t.ITEM, {"kind": t.KIND_ONE[kind.value], "title": item.title, "code": code, "place": place,
                         "total": total, "visibility": t.HIDDEN if item.hidden else t.VISIBLE,
                         "links": await svc.links_count(session, kind, item_id)})

    def act(action: ItemAct) -> ItemAction:
        return ItemAction(kind=kind, id=item_id, action=action)

    markup = keyboard(
        [(t.BTN_RENAME, act(ItemAct.RENAME))],
        [(t.BTN_SHOW, act(ItemAct.SHOW)) if item.hidden else (t.BTN_HIDE, act(ItemAct.HIDE))],
        [(t.BTN_UP, act(ItemAct.UP)), (t.BTN_DOWN, act(ItemAct.DOWN))],
        [(t.BTN_GROUP_LINKS, LinkMatrix(group_id=item_id))] if kind is CatalogKind.GROUP else [],
        [(t.BTN_DELETE, act(ItemAct.DELETE))],
        [(t.BTN_BACK, ItemList(kind=kind))],
    )
    await show(event, text, markup)
    return True


async def item_or_list(callback: CallbackQuery, session: AsyncSession, kind: CatalogKind, item_id: int,
                       popup: str | None = None) -> None:
    """Answer the press and show the card; if the item vanished (deleted elsewhere), say so and list."""
    item = await svc.get_item(session, kind, item_id)
    await callback.answer(popup if item is not None else t.GONE)
    if item is None or not await item_screen(callback, session, kind, item_id):
        await list_screen(callback, session, kind)


# -- navigation ------------------------------------------------------------------------------------------

@router.callback_query(AdminMenu.filter(F.section == Section.CATALOG))
async def open_catalog(callback: CallbackQuery, session: AsyncSession) -> None:
    await callback.answer()
    await catalog_screen(callback, session)


@router.callback_query(ItemList.filter())
async def open_list(callback: CallbackQuery, callback_data: ItemList, session: AsyncSession) -> None:
    await callback.answer()
    await list_screen(callback, session, callback_data.kind)


@router.callback_query(ItemCard.filter())
async def open_item(callback: CallbackQuery, callback_data: ItemCard, session: AsyncSession) -> None:
    await item_or_list(callback, session, callback_data.kind, callback_data.id)


# -- add -------------------------------------------------------------------------------------------------

@router.callback_query(ItemAdd.filter())
async def add_item(callback: CallbackQuery, callback_data: ItemAdd, admin_state: FSMContext) -> None:
    kind = callback_data.kind
    prompt = t.ASK_NEW_CHILDREN if kind is CatalogKind.CHILDREN else fill(
        t.ASK_NEW_TITLE, {"example": t.NEW_TITLE_EXAMPLE[kind.value]})
    await ask(callback, admin_state, AdminInput.new_item, prompt, ItemList(kind=kind), kind=kind.value)


@router.message(InputStep(AdminInput.new_item), F.text, ~F.text.startswith("/"))
async def add_item_typed(message: Message, admin_state: FSMContext, session: AsyncSession) -> None:
    kind = CatalogKind((await admin_state.get_data())["kind"])
    try:
        if kind is CatalogKind.CHILDREN:
            item = await svc.add_children(session, parse_children_count(message.text))
        else:
            item = await svc.add_item(session, kind, message.text)
    except CatalogEditError as exc:
        return await ask_again(message, admin_state, escape(str(exc), quote=False))
    await record(session, message.from_user, "catalog.add", describe(kind, item.title))
    await session.commit()
    await finish_input(message, admin_state)
    await message.answer(t.ADDED)
    await item_screen(message, session, kind, item.id)


# -- rename ----------------------------------------------------------------------------------------------

@router.callback_query(ItemAction.filter(F.action == ItemAct.RENAME))
async def rename(callback: CallbackQuery, callback_data: ItemAction, session: AsyncSession,
                 admin_state: FSMContext) -> None:
    kind, item_id = callback_data.kind, callback_data.id
    item = await svc.get_item(session, kind, item_id)
    if item is None:
        return await item_or_list(callback, session, kind, item_id)
    await ask(callback, admin_state, AdminInput.rename, fill(t.ASK_RENAME, {"title": item.title}),
              ItemCard(kind=kind, id=item_id), kind=kind.value, id=item_id)


@router.message(InputStep(AdminInput.rename), F.text, ~F.text.startswith("/"))
async def rename_typed(message: Message, admin_state: FSMContext, session: AsyncSession) -> None:
    data = await admin_state.get_data()
    kind, item_id = CatalogKind(data["kind"]), int(data["id"])
    try:
        old, new = await svc.rename_item(session, kind, item_id, message.text)
    except CatalogEditError as exc:
        if await svc.get_item(session, kind, item_id) is None:  # deleted meanwhile: asking again is pointless
            await finish_input(message, admin_state)
            await message.answer(t.GONE)
            return await list_screen(message, session, kind)
        return await ask_again(message, admin_state, escape(str(exc), quote=False))
    await record(session, message.from_user, "catalog.rename", describe(kind, new), old, new)
    await session.commit()
    await finish_input(message, admin_state)
    await message.answer(t.RENAMED)
    await item_screen(message, session, kind, item_id)


# -- hide / show / reorder -------------------------------------------------------------------------------

@router.callback_query(ItemAction.filter(F.action.in_({ItemAct.HIDE, ItemAct.SHOW})))
async def toggle_hidden(callback: CallbackQuery, callback_data: ItemAction, session: AsyncSession) -> None:
    kind, item_id, hide = callback_data.kind, callback_data.id, callback_data.action is ItemAct.HIDE
    item = await svc.get_item(session, kind, item_id)
    if item is not None and item.hidden != hide:  # a repeated press changes nothing and logs nothing
        await svc.set_hidden(session, kind, item_id, hide)
        await record(session, callback.from_user, "catalog.hide" if hide else "catalog.show", describe(kind, item.title))
        await session.commit()
    await item_or_list(callback, session, kind, item_id, t.HIDDEN_DONE if hide else t.SHOWN_DONE)


@router.callback_query(ItemAction.filter(F.action.in_({ItemAct.UP, ItemAct.DOWN})))
async def move(callback: CallbackQuery, callback_data: ItemAction, session: AsyncSession) -> None:
    kind, item_id, up = callback_data.kind, callback_data.id, callback_data.action is ItemAct.UP
    item = await svc.get_item(session, kind, item_id)
    if item is None:
        return await item_or_list(callback, session, kind, item_id)
    old_place, _ = await svc.position_of(session, kind, item_id)
    if not await svc.move_item(session, kind, item_id, -1 if up else 1):
        return await callback.answer(t.AT_TOP if up else t.AT_BOTTOM)
    new_place, _ = await svc.position_of(session, kind, item_id)
    await record(session, callback.from_user, "catalog.move", describe(kind, item.title), old_place, new_place)
    await session.commit()
    await item_or_list(callback, session, kind, item_id, t.MOVED)


# -- delete ----------------------------------------------------------------------------------------------

@router.callback_query(ItemAction.filter(F.action == ItemAct.DELETE))
async def delete_ask(callback: CallbackQuery, callback_data: ItemAction, session: AsyncSession) -> None:
    kind, item_id = callback_data.kind, callback_data.id
    item = await svc.get_item(session, kind, item_id)
    if item is None:
        return await item_or_list(callback, session, kind, item_id)
    await callback.answer()
    receipts = await svc.receipts_count(session, kind, item)
    if receipts:
        reason = str(ItemInUse(receipts))
        markup = keyboard([(t.BTN_HIDE, ItemAction(kind=kind, id=item_id, action=ItemAct.HIDE))] if not item.hidden
                          else [], [(t.BTN_BACK, ItemCard(kind=kind, id=item_id))])
        return await show(callback, fill(t.DELETE_REFUSED, {"title": item.title, "reason": reason}), markup)
    text = fill(t.CONFIRM_DELETE, {"what": t.KIND_ACCUSATIVE[kind.value], "title": item.title,
                                   "links": await svc.links_count(session, kind, item_id)})
    markup = keyboard([(t.BTN_DELETE_YES, ItemAction(kind=kind, id=item_id, action=ItemAct.DELETE_YES))],
                      [(t.BTN_CANCEL, ItemCard(kind=kind, id=item_id))])
    await show(callback, text, markup)


@router.callback_query(ItemAction.filter(F.action == ItemAct.DELETE_YES))
async def delete_confirmed(callback: CallbackQuery, callback_data: ItemAction, session: AsyncSession) -> None:
    kind, item_id = callback_data.kind, callback_data.id
    try:
        title, links = await svc.delete_item(session, kind, item_id)
    except ItemInUse:
        # A receipt arrived between the question and the answer: show the refusal instead.
        return await delete_ask(callback, ItemAction(kind=kind, id=item_id, action=ItemAct.DELETE), session)
    except CatalogEditError:
        return await item_or_list(callback, session, kind, item_id)
    await record(session, callback.from_user, "catalog.delete", describe(kind, title),
                 old=f"ссылок: {links}" if links else None)
    await session.commit()
    await callback.answer(t.DELETED)
    await list_screen(callback, session, kind)
