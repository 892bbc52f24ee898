"""The parent's payment dialog: /start, group -> period -> children -> confirmation -> link.

A press is answered first (the spinner stops at once), then the next step is shown. The catalog comes from
memory (services/caches.py); the dialog state and funnel events are written once per update, in the update's
transaction, and committed before the parent sees the new step (ui/view.py).
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.repositories.parents import record_event, record_events
from happykids.domain.catalog import Catalog, CatalogKind
from happykids.domain.reporting import FunnelStep
from happykids.services.caches import CatalogCache
from happykids.texts.service import Texts
from happykids.ui.callbacks import Nav, NavAction, Pick
from happykids.ui.dialog_screens import choice_from, render
from happykids.ui.keyboards.projects import entry_keyboard
from happykids.ui.states import PaymentDialog, short
from happykids.ui.view import VIEW_KEYS, show_step

router = Router(name="payment")

STEP_STATE = {CatalogKind.GROUP: PaymentDialog.group, CatalogKind.PERIOD: PaymentDialog.period,
              CatalogKind.CHILDREN: PaymentDialog.children}
STEP_FIELD = {CatalogKind.GROUP: "group", CatalogKind.PERIOD: "period", CatalogKind.CHILDREN: "children"}
NEXT_STATE = {CatalogKind.GROUP: PaymentDialog.period, CatalogKind.PERIOD: PaymentDialog.children,
              CatalogKind.CHILDREN: PaymentDialog.confirm}
BACK_STATE = {
    PaymentDialog.period.state: PaymentDialog.group,
    PaymentDialog.children.state: PaymentDialog.period,
    PaymentDialog.confirm.state: PaymentDialog.children,
    PaymentDialog.link.state: PaymentDialog.children,
}
KEEP_ON_RESTART = ("confirmed",)  # the last confirmed choice: a receipt sent later still belongs to it


async def reset_choices(state: FSMContext) -> None:
    """Back to step 1, keeping the last confirmed choice and what the screen engine knows of the live dialog
    message (which it is, to retire it later; what it shows, so a double tap edits nothing twice)."""
    data = await state.get_data()
    kept = {k: data[k] for k in (*KEEP_ON_RESTART, *VIEW_KEYS) if k in data}
    await state.set_data(kept)
    await state.set_state(PaymentDialog.group)


async def start_dialog(message: Message, state: FSMContext, session: AsyncSession, texts: Texts, bot: Bot,
                       catalog_cache: CatalogCache) -> None:
    await reset_choices(state)
    await record_event(session, message.chat.id, FunnelStep.STARTED)
    name = message.from_user.first_name if message.from_user else ""
    await message.answer(await texts.get("dialog.greeting", name_part=f", {name}" if name else ""),
                         reply_markup=entry_keyboard(await texts.plain("projects.btn_list")))
    catalog = await catalog_cache.get(session)
    await show_step(bot, message.chat.id, state, await render(PaymentDialog.group.state, {}, catalog, texts))


@router.message(CommandStart(), F.chat.type == "private")
async def cmd_start(message: Message, state: FSMContext, session: AsyncSession, texts: Texts, bot: Bot,
                    catalog_cache: CatalogCache) -> None:
    await start_dialog(message, state, session, texts, bot, catalog_cache)


async def show_current(callback: CallbackQuery, state: FSMContext, texts: Texts, bot: Bot, catalog: Catalog,
                       popup_key: str | None = None) -> None:
    """Answer the button (so the spinner stops) and show the step the parent is really on."""
    await callback.answer(await texts.plain(popup_key) if popup_key else None)
    screen = await render(await state.get_state(), await state.get_data(), catalog, texts)
    await show_step(bot, callback.from_user.id, state, screen, pressed=_accessible(callback))


def _accessible(callback: CallbackQuery) -> Message | None:
    return callback.message if isinstance(callback.message, Message) else None


@router.callback_query(Pick.filter(), F.message.chat.type == "private")
async def on_pick(callback: CallbackQuery, callback_data: Pick, state: FSMContext, session: AsyncSession,
                  texts: Texts, bot: Bot, catalog_cache: CatalogCache) -> None:
    catalog = await catalog_cache.get(session)
    if await state.get_state() != STEP_STATE[callback_data.step].state:
        await show_current(callback, state, texts, bot, catalog, "dialog.stale_button")
        return
    options = {CatalogKind.GROUP: catalog.groups, CatalogKind.PERIOD: catalog.periods,
               CatalogKind.CHILDREN: catalog.children}
    option = catalog.find(options[callback_data.step], callback_data.id)
    if option is None:
        await show_current(callback, state, texts, bot, catalog, "dialog.unavailable_option")
        return

    await callback.answer()
    await state.update_data({STEP_FIELD[callback_data.step]: option.id, "mistakes": 0})
    if callback_data.step is CatalogKind.GROUP:
        await record_event(session, callback.from_user.id, FunnelStep.GROUP, option.key)
    screen = await render(NEXT_STATE[callback_data.step].state, await state.get_data(), catalog, texts)
    await show_step(bot, callback.from_user.id, state, screen, pressed=_accessible(callback))


@router.callback_query(Nav.filter(F.action == NavAction.BACK), F.message.chat.type == "private")
async def on_back(callback: CallbackQuery, callback_data: Nav, state: FSMContext, session: AsyncSession,
                  texts: Texts, bot: Bot, catalog_cache: CatalogCache) -> None:
    catalog = await catalog_cache.get(session)
    current = await state.get_state()
    if short(current) != callback_data.step or current not in BACK_STATE:
        await show_current(callback, state, texts, bot, catalog, "dialog.stale_button")
        return
    await state.update_data(mistakes=0)
    await state.set_state(BACK_STATE[current])
    await show_current(callback, state, texts, bot, catalog)


@router.callback_query(Nav.filter(F.action == NavAction.RESTART), F.message.chat.type == "private")
async def on_restart(callback: CallbackQuery, state: FSMContext, session: AsyncSession, texts: Texts,
                     bot: Bot, catalog_cache: CatalogCache) -> None:
    await reset_choices(state)
    await show_current(callback, state, texts, bot, await catalog_cache.get(session))


@router.callback_query(Nav.filter(F.action == NavAction.CONFIRM), F.message.chat.type == "private")
async def on_confirm(callback: CallbackQuery, callback_data: Nav, state: FSMContext, session: AsyncSession,
                     texts: Texts, bot: Bot, catalog_cache: CatalogCache) -> None:
    current = await state.get_state()
    catalog = await catalog_cache.get(session)
    choice = choice_from(await state.get_data(), catalog)
    if current != PaymentDialog.confirm.state or callback_data.step != short(current) or choice is None:
        await show_current(callback, state, texts, bot, catalog, "dialog.stale_button")
        return

    await callback.answer()
    link = catalog.link_for(choice)
    await state.update_data(
        mistakes=0,
        confirmed={
            "group_code": choice.group.key, "group": choice.group.title, "period": choice.period.title,
            "children": choice.children.title, "amount": link.amount if link else None,
            "url": link.url if link else None,
        },
    )
    steps = [FunnelStep.CONFIRMED, FunnelStep.LINK] if link else [FunnelStep.CONFIRMED]
    await record_events(session, callback.from_user.id, steps, choice.group.key)
    screen = await render(PaymentDialog.link.state, await state.get_data(), catalog, texts)
    await show_step(bot, callback.from_user.id, state, screen, pressed=_accessible(callback))
