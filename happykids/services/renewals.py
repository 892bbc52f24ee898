"""Renewals: an approved payment sets "paid until" for the family and group and schedules its reminders; the
gentle follow-up reminds a parent who took a link (the funnel's "link" event) and sent no receipt. Rules in
domain/renewals.py, the scheduler in services/reminders.py, the messages in workers/reminders.py.

Everything here runs in the caller's transaction (the approval, the press, the link) and never commits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.models import PaidPeriod, Parent, Receipt, Reminder
from happykids.db.repositories import renewals as repo
from happykids.db.repositories.catalog import get_setting, set_setting
from happykids.db.repositories.parents import get_parent
from happykids.domain import clock
from happykids.domain.renewals import (
    DEFAULT_DAYS_BEFORE,
    DEFAULT_FOLLOWUP_HOURS,
    ENDING_WINDOW_DAYS,
    ONE_MONTH,
    PeriodLength,
    ReminderKind,
    at_remind_time,
    effective_length,
    new_paid_until,
    over_day,
    soon_day,
)
from happykids.services import reminders

log = logging.getLogger(__name__)

DAYS_BEFORE_KEY = "renewals.days_before"
FOLLOWUP_ON_KEY = "followup.enabled"
FOLLOWUP_HOURS_KEY = "followup.hours"
DAYS_BEFORE_CHOICES = (1, 2, 3, 5, 7)
FOLLOWUP_HOURS_CHOICES = (3, 12, 24, 48)
OVER_STALE_DAYS = 30  # «период закончился» missed for a month (bot down): no longer worth sending


@dataclass(frozen=True, slots=True)
class RenewalSettings:
    """What the director sets in the panel (not env: it is the agency's rule, changed without a restart)."""

    days_before: int = DEFAULT_DAYS_BEFORE
    followup_on: bool = True
    followup_hours: int = DEFAULT_FOLLOWUP_HOURS


async def load_settings(session: AsyncSession) -> RenewalSettings:
    def number(text: str, default: int) -> int:
        return int(text) if text.isdigit() else default
    return RenewalSettings(
        days_before=number(await get_setting(session, DAYS_BEFORE_KEY), DEFAULT_DAYS_BEFORE),
        followup_on=await get_setting(session, FOLLOWUP_ON_KEY, "1") != "0",
        followup_hours=number(await get_setting(session, FOLLOWUP_HOURS_KEY), DEFAULT_FOLLOWUP_HOURS),
    )


async def set_days_before(session: AsyncSession, days: int) -> None:
    await set_setting(session, DAYS_BEFORE_KEY, str(days))


async def set_followup(session: AsyncSession, *, on: bool | None = None, hours: int | None = None) -> None:
    if on is not None:
        await set_setting(session, FOLLOWUP_ON_KEY, "1" if on else "0")
    if hours is not None:
        await set_setting(session, FOLLOWUP_HOURS_KEY, str(hours))


def today() -> date:
    return clock.local_now().date()


def _prefix(user_id: int, group_code: str) -> str:
    return f"renewal:{user_id}:{group_code}:"


# -- the payment link and the gentle follow-up ---------------------------------------------------------------

FOLLOWUP_LOOKBACK = timedelta(hours=max(FOLLOWUP_HOURS_CHOICES) + 24)  # older links: too late to follow up
FOLLOWUP_STALE = timedelta(days=2)  # a follow-up this late (the bot was down) is not sent any more


async def feed_followups(session: AsyncSession) -> int:
    """Schedule the one follow-up of every recent payment link that has none yet (the scheduler runs this each
    round, workers/scheduler.py). A link is the funnel's "link" event, committed with the press that showed it;
    reading them here keeps that press within its budget of statements (tests/e2e/test_statement_budget.py)
    and loses nothing: a link without its reminder is found again next round, and the reminder's key (one per
    event) makes a second look — another replica — change nothing. Whether the follow-up is still wanted
    (switched off, receipt sent, newer link) is asked when it is due. The caller commits."""
    events = await repo.links_without_followup(session, clock.utc_now() - FOLLOWUP_LOOKBACK)
    if not events:
        return 0
    config = await load_settings(session)
    for event in events:
        await reminders.schedule(session, ReminderKind.FOLLOWUP, f"{repo.FOLLOWUP_PREFIX}{event.id}", event.user_id,
                                 at_utc=event.at + timedelta(hours=config.followup_hours),
                                 payload={"event": event.id, "group": event.group_code, "at": event.at.isoformat()})
    return len(events)


async def followup_unwanted(session: AsyncSession, reminder: Reminder, payload: dict[str, object]) -> str | None:
    """Why the follow-up of a link is no longer worth sending, or None to send it."""
    if not (await load_settings(session)).followup_on:
        return "follow-up switched off"
    if clock.utc_now() - reminder.due_at > FOLLOWUP_STALE:
        return "too late to be useful"
    if await _blocked(session, reminder.chat_id):
        return "parent blocked the bot"
    if await repo.receipt_since(session, reminder.chat_id, datetime.fromisoformat(str(payload.get("at")))):
        return "a receipt came"
    if await repo.newer_link_exists(session, reminder.chat_id, int(str(payload.get("event", 0)))):
        return "a newer link was given (it has its own follow-up)"
    return None


# -- paid until ---------------------------------------------------------------------------------------------

async def on_payment_approved(session: AsyncSession, receipt: Receipt) -> PaidPeriod | None:
    """An approved payment (by the director, or automatically): the family's paid-until in the group moves on by
    the period's length, from today or from the current end when renewing early; its reminders follow."""
    if not receipt.group_code:
        return None  # a receipt sent before any choice: nothing to renew
    # The receipt keeps the titles of the choice; titles are unique in each list, so they name the period and the
    # children option (one renamed since: the length is read from the old title, «Продлить» starts a new choice).
    period_code = await repo.period_code_by_title(session, receipt.period_title) if receipt.period_title else None
    children = await repo.children_count_by_title(session, receipt.children_title) if receipt.children_title else None
    length = await _length(session, period_code) if period_code else effective_length(receipt.period_title or "",
                                                                                        None, None)
    current = await repo.get(session, receipt.user_id, receipt.group_code)
    until = new_paid_until(today(), current.paid_until if current else None, length)
    row = await repo.save(session, receipt.user_id, receipt.group_code, until, period_code=period_code,
                          children_count=children, receipt_id=receipt.id)
    await _reschedule(session, row)
    log.info("Receipt %s approved: %s/%s paid until %s", receipt.id, receipt.user_id, receipt.group_code, until)
    return row


async def _length(session: AsyncSession, period_code: str | None) -> PeriodLength:
    found = await repo.period_length(session, period_code) if period_code else None
    return ONE_MONTH if found is None else effective_length(*found)


async def _reschedule(session: AsyncSession, row: PaidPeriod) -> None:
    """The reminders of the row's current paid-until, and none of an earlier one."""
    await reminders.cancel_about(session, row.user_id, _prefix(row.user_id, row.group_code), "paid-until changed")
    config = await load_settings(session)
    payload = {"group": row.group_code, "until": row.paid_until.isoformat()}
    base = f"{_prefix(row.user_id, row.group_code)}{row.paid_until.isoformat()}"
    soon = soon_day(row.paid_until, config.days_before)
    if soon > today():  # a period shorter than the notice: no «скоро заканчивается» right after paying
        await reminders.schedule(session, ReminderKind.RENEWAL_SOON, f"{base}:soon", row.user_id,
                                 at_local=at_remind_time(soon), payload=payload)
    await reminders.schedule(session, ReminderKind.RENEWAL_OVER, f"{base}:over", row.user_id,
                             at_local=at_remind_time(over_day(row.paid_until)), payload=payload)


async def period_length_of(session: AsyncSession, period_id: int) -> tuple[str, PeriodLength] | None:
    """(title, length) of a catalog period, for the panel; None when it is gone."""
    period = await repo.get_period(session, period_id)
    if period is None:
        return None
    return period.title, effective_length(period.title, period.months, period.days)


async def set_period_length(session: AsyncSession, period_id: int, length: PeriodLength) -> None:
    """A period's new length: payments approved from now on count with it (paid-until dates stay as they are)."""
    await repo.set_period_length(session, period_id, length.months, length.days)


async def correct_paid_until(session: AsyncSession, receipt_id: int, until: date) -> PaidPeriod | None:
    """The director corrects the date on the receipt card; None when the receipt set no paid period."""
    row = await repo.by_receipt(session, receipt_id)
    if row is None:
        return None
    await repo.set_paid_until(session, row.id, until)
    await session.refresh(row)
    await _reschedule(session, row)
    return row


async def paid_until_of(session: AsyncSession, receipt_id: int) -> date | None:
    row = await repo.by_receipt(session, receipt_id)
    return row.paid_until if row else None


async def stop(session: AsyncSession, user_id: int, group_code: str) -> bool:
    """«Мы больше не занимаемся»: no more reminders for that group (a new payment starts them again)."""
    stopped = await repo.stop(session, user_id, group_code)
    await reminders.cancel_about(session, user_id, _prefix(user_id, group_code), "the family stopped")
    return stopped


async def renewal_due(session: AsyncSession, kind: str, chat_id: int,
                      payload: dict[str, object]) -> PaidPeriod | str:
    """The paid period a renewal reminder is about, or why it is no longer relevant."""
    row = await repo.get(session, chat_id, str(payload.get("group", "")))
    if row is None:
        return "no paid period"
    if row.stopped_at is not None:
        return "the family stopped"
    if await _blocked(session, chat_id):
        return "parent blocked the bot"
    if kind == ReminderKind.RENEWAL_SOON or kind == ReminderKind.RENEWAL_OVER:
        if payload.get("until") != row.paid_until.isoformat():
            return "paid again or the date was corrected"
        if kind == ReminderKind.RENEWAL_SOON and today() > row.paid_until:
            return "the period is over already (the after-the-end reminder follows)"
        if kind == ReminderKind.RENEWAL_OVER and today() > over_day(row.paid_until) + timedelta(days=OVER_STALE_DAYS):
            return "too late to be useful"
    return row


async def _blocked(session: AsyncSession, user_id: int) -> bool:
    parent = await get_parent(session, user_id)
    return parent is not None and parent.blocked


# -- the panel ----------------------------------------------------------------------------------------------

async def ending_soon(session: AsyncSession) -> list[tuple[PaidPeriod, Parent | None]]:
    """Families whose period ends in the next ENDING_WINDOW_DAYS days or has ended unpaid, by group."""
    return await repo.ending(session, today() + timedelta(days=ENDING_WINDOW_DAYS))


async def remind_now(session: AsyncSession, rows: list[PaidPeriod]) -> int:
    """The director's one tap: a reminder to each of these families now (quiet hours still apply), at most one
    per family and group a day, so a double tap or «всем» after «одному» does not send it twice."""
    now = clock.utc_now()
    count = 0
    for row in rows:
        if row.stopped_at is not None:
            continue
        key = f"{_prefix(row.user_id, row.group_code)}manual:{today().isoformat()}"
        count += await reminders.schedule(session, ReminderKind.RENEWAL_MANUAL, key, row.user_id, at_utc=now,
                                          payload={"group": row.group_code, "until": row.paid_until.isoformat()})
    return count


async def rows_by_id(session: AsyncSession, ids: list[int]) -> list[PaidPeriod]:
    found = [await repo.get_by_id(session, row_id) for row_id in ids]
    return [row for row in found if row is not None]
