"""«⏰ Заканчивается оплата» in the panel: who ends in the next 7 days and who is overdue, per group, with a
one-tap reminder to one family or all of them; the reminder settings (days before the end, the gentle
follow-up on/off and its delay); and /paid_<receipt> from a receipt card to correct «оплачено до».

The reminders themselves go through the scheduler (services/reminders.py): a tap only schedules them now,
so quiet hours and "at most once" hold for them too.
"""

from __future__ import annotations

import re
from html import escape

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.models import PaidPeriod, Parent
from happykids.db.repositories.catalog import group_titles
from happykids.db.unit_of_work import UnitOfWork
from happykids.domain.catalog import CatalogKind
from happykids.domain.renewals import Standing, parse_day, parse_length, standing
from happykids.domain.wording import count_of, quoted
from happykids.handlers.admin.panel import InputStep, record
from happykids.services import renewals
from happykids.texts.service import Markup, Texts
from happykids.ui.callbacks import ItemCard, RenewalsAdmin, RnAdm
from happykids.ui.keyboards.admin import label
from happykids.ui.keyboards.renewals import panel_keyboard, settings_keyboard
from happykids.ui.renewal_screens import refresh_paid_until
from happykids.ui.states import RenewalsInput
from happykids.ui.view import ask, ask_again, finish_input, input_saved, show
from happykids.workers.hub import Workers

router = Router(name="admin.renewals")
router.message.filter(F.chat.type == "private")

PAID_COMMAND = re.compile(r"^/paid_(\d+)(?:@\w+)?$")
MAX_PEOPLE = 30  # buttons on one screen; the text lists everyone


def _name(parent: Parent | None, user_id: int) -> str:
    if parent is None:
        return str(user_id)
    return " ".join(filter(None, [parent.first_name, parent.last_name])) or f"@{parent.username or user_id}"


async def list_screen(event: CallbackQuery | Message, session: AsyncSession, texts: Texts) -> None:
    rows = await renewals.ending_soon(session)
    titles = await group_titles(session)
    back = texts.fixed("panel.btn_menu")
    settings = texts.fixed("renewals_panel.btn_settings")
    if not rows:
        await show(event, texts.fixed("renewals_panel.list_empty"), panel_keyboard([], "", settings, back))
        return
    today, group = renewals.today(), None
    lines: list[str] = []
    people: list[tuple[int, str]] = []
    for row, parent in rows:
        if row.group_code != group:
            group = row.group_code
            lines.append(("\n" if lines else "") + texts.fixed("renewals_panel.group_line",
                                                               group=titles.get(group, group)))
        name = _name(parent, row.user_id)
        overdue = standing(row.paid_until, today, False) is Standing.OVERDUE
        key = "renewals_panel.person_overdue" if overdue else "renewals_panel.person_ending"
        lines.append(texts.fixed(key, name=name, until=f"{row.paid_until:%d.%m.%Y}"))
        if len(people) < MAX_PEOPLE:
            people.append((row.id, label(texts.fixed("renewals_panel.btn_remind_one", name=name))))
    text = texts.fixed("renewals_panel.list", lines=Markup("\n".join(lines)))
    await show(event, text, panel_keyboard(people, texts.fixed("renewals_panel.btn_remind_all"), settings, back))


@router.callback_query(RenewalsAdmin.filter(F.action == RnAdm.LIST))
async def open_list(callback: CallbackQuery, session: AsyncSession, texts: Texts) -> None:
    await callback.answer()
    await list_screen(callback, session, texts)


@router.callback_query(RenewalsAdmin.filter(F.action.in_({RnAdm.REMIND_ONE, RnAdm.REMIND_ALL})))
async def remind(callback: CallbackQuery, callback_data: RenewalsAdmin, session: AsyncSession, texts: Texts,
                 uow: UnitOfWork, workers: Workers) -> None:
    if callback_data.action is RnAdm.REMIND_ONE:
        rows: list[PaidPeriod] = await renewals.rows_by_id(session, [callback_data.item])
    else:
        rows = [row for row, _ in await renewals.ending_soon(session)]
    count = await renewals.remind_now(session, rows)
    await record(session, callback.from_user, "renewals.remind", "напоминание об оплате", None, str(count))
    await uow.commit()
    workers.reminders.wake()
    await callback.answer(texts.fixed("renewals_panel.reminded", count=count))


# -- settings ------------------------------------------------------------------------------------------------

async def settings_screen(callback: CallbackQuery, session: AsyncSession, texts: Texts) -> None:
    config = await renewals.load_settings(session)
    state = texts.fixed("renewals_panel.followup_on" if config.followup_on else "renewals_panel.followup_off")
    text = texts.fixed("renewals_panel.settings", days=count_of(config.days_before, "день", "дня", "дней"),
                       hours=config.followup_hours, followup=state)

    def mark(value: int, current: int, caption: str) -> str:
        return f"• {caption} •" if value == current else caption

    days = [(d, mark(d, config.days_before, texts.fixed("renewals_panel.btn_days", days=d)))
            for d in renewals.DAYS_BEFORE_CHOICES]
    hours = [(h, mark(h, config.followup_hours, texts.fixed("renewals_panel.btn_hours", hours=h)))
             for h in renewals.FOLLOWUP_HOURS_CHOICES]
    toggle = texts.fixed("renewals_panel.btn_followup_on" if config.followup_on else "renewals_panel.btn_followup_off")
    await show(callback, text, settings_keyboard(days, toggle, hours, texts.fixed("renewals_panel.btn_to_list")))


@router.callback_query(RenewalsAdmin.filter(F.action == RnAdm.SETTINGS))
async def open_settings(callback: CallbackQuery, session: AsyncSession, texts: Texts) -> None:
    await callback.answer()
    await settings_screen(callback, session, texts)


@router.callback_query(RenewalsAdmin.filter(F.action.in_({RnAdm.DAYS, RnAdm.FOLLOWUP, RnAdm.HOURS})))
async def change_settings(callback: CallbackQuery, callback_data: RenewalsAdmin, session: AsyncSession,
                          texts: Texts, uow: UnitOfWork) -> None:
    await callback.answer()
    before = await renewals.load_settings(session)
    if callback_data.action is RnAdm.DAYS and callback_data.item in renewals.DAYS_BEFORE_CHOICES:
        await renewals.set_days_before(session, callback_data.item)
    elif callback_data.action is RnAdm.HOURS and callback_data.item in renewals.FOLLOWUP_HOURS_CHOICES:
        await renewals.set_followup(session, hours=callback_data.item)
    elif callback_data.action is RnAdm.FOLLOWUP:
        await renewals.set_followup(session, on=not before.followup_on)
    after = await renewals.load_settings(session)
    if after != before:
        await record(session, callback.from_user, "renewals.settings", "напоминания", str(before), str(after))
        await uow.commit()
    await settings_screen(callback, session, texts)


# -- «оплачено до» from a receipt card ----------------------------------------------------------------------

@router.message(F.text.regexp(PAID_COMMAND))
async def paid_command(message: Message, admin_state: FSMContext, session: AsyncSession, texts: Texts) -> None:
    match = PAID_COMMAND.match(message.text or "")
    receipt_id = int(match.group(1)) if match else 0
    until = await renewals.paid_until_of(session, receipt_id)
    if until is None:
        await message.answer(texts.fixed("renewals_panel.no_paid_until", receipt=receipt_id))
        return
    await ask(message, admin_state, texts, RenewalsInput.paid_until,
              texts.fixed("renewals_panel.ask_paid_until", receipt=receipt_id, until=f"{until:%d.%m.%Y}"),
              RenewalsAdmin(action=RnAdm.LIST), receipt=receipt_id)


@router.message(InputStep(RenewalsInput.paid_until), F.text, ~F.text.startswith("/"))
async def paid_typed(message: Message, admin_state: FSMContext, session: AsyncSession, texts: Texts,
                     workers: Workers) -> None:
    day = parse_day(message.text or "")
    if day is None:
        await ask_again(message, admin_state, texts, escape(texts.fixed("renewals_panel.err_date"), quote=False))
        return
    receipt_id = int((await admin_state.get_data()).get("receipt") or 0)
    old = await renewals.paid_until_of(session, receipt_id)
    row = await renewals.correct_paid_until(session, receipt_id, day)
    if row is not None:
        await record(session, message.from_user, "renewals.paid_until", f"чек №{receipt_id}",
                     f"{old:%d.%m.%Y}" if old else None, f"{day:%d.%m.%Y}")
    await input_saved(message, admin_state)
    workers.reminders.wake()
    await message.answer(texts.fixed("renewals_panel.paid_until_set", receipt=receipt_id, until=f"{day:%d.%m.%Y}"))
    if row is not None and message.bot is not None:
        await refresh_paid_until(message.bot, session, texts, receipt_id)


# -- a period's length (from its card in «📚 Каталог») -----------------------------------------------------

@router.callback_query(RenewalsAdmin.filter(F.action == RnAdm.LENGTH))
async def ask_length(callback: CallbackQuery, callback_data: RenewalsAdmin, admin_state: FSMContext,
                     session: AsyncSession, texts: Texts) -> None:
    found = await renewals.period_length_of(session, callback_data.item)
    if found is None:
        await callback.answer(texts.fixed("panel.gone"))
        return
    title, length = found
    await ask(callback, admin_state, texts, RenewalsInput.length,
              texts.fixed("renewals_panel.ask_length", title=quoted(title), length=length.describe()),
              ItemCard(kind=CatalogKind.PERIOD, id=callback_data.item), period=callback_data.item)


@router.message(InputStep(RenewalsInput.length), F.text, ~F.text.startswith("/"))
async def length_typed(message: Message, admin_state: FSMContext, session: AsyncSession, texts: Texts,
                       uow: UnitOfWork) -> None:
    length = parse_length(message.text or "")
    if length is None:
        await ask_again(message, admin_state, texts, escape(texts.fixed("renewals_panel.err_length"), quote=False))
        return
    period_id = int((await admin_state.get_data()).get("period") or 0)
    found = await renewals.period_length_of(session, period_id)
    await finish_input(message, admin_state)
    if found is None:
        await message.answer(texts.fixed("panel.gone"))
        return
    title, old = found
    await renewals.set_period_length(session, period_id, length)
    await record(session, message.from_user, "renewals.length", title, old.describe(), length.describe())
    await uow.commit()
    await message.answer(texts.fixed("renewals_panel.length_set", title=quoted(title), length=length.describe()))
