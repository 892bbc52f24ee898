"""The bot's one scheduler: "send this to that parent at that time", durable and sent at most once.

Any feature schedules a reminder in the same transaction as the change that needs it:

    await reminders.schedule(session, ReminderKind.RENEWAL_SOON, key, chat_id, at_local=..., payload={...})

and registers an executor for its kind in workers/reminders.py (kind -> how to compose the message and whether
it is still relevant). The job workers/scheduler.py sends what is due. A `key` names the reminder for good: a
second schedule() with the same key does nothing, so "one reminder per link" or "one per paid-until date" is
a unique index, not a hope; cancel() withdraws the ones a later change made pointless.

Why a table of its own and not the outbox (workers/outbox.py), whose tasks also have `due_at`:
- the outbox runs the tasks of one kind strictly in creation order (head of line, so archives reach MEGA in
  order): a renewal reminder due in three months would hold back a follow-up due tomorrow;
- the outbox retries until done (at least once); a reminder to a parent must go out at most once, and its row
  is the intent that says so (below) — the outbox would need a second record (message_intents) per reminder;
- reminders are found and withdrawn by what they are about (a family, a group, a link), shown in the panel,
  and delayed by quiet hours: all of it is columns and queries here, none of it fits an opaque payload.
APScheduler (3.x: a synchronous job store that pickles callables, one scheduler per store) and taskiq (a broker
to run) would add a process model and still need the intent record; a small table polled by the worker is
simpler, and tested (tests/unit/test_renewals_scheduler.py, tests/e2e/test_renewals*.py).

At most once across kill -9: the worker claims a due row with a conditional UPDATE scheduled -> sending and
commits that before calling Telegram; only then it sends, and records `sent` after. A process that dies in
between leaves `sending`: the message may or may not have gone out, and — as for «оплата подтверждена»
(domain/outbox.py, may_repeat) — a kill in that window nearly always lands while the request is already with
Telegram, so sending again would nearly always be a duplicate: a parent reminded twice to pay wonders whether
the agency lost her payment. Such a row becomes `uncertain` (logged), never re-sent. The same conditional
UPDATE is the claim between replicas: of several workers exactly one turns a row into `sending`.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.repositories import reminders as repo
from happykids.domain.clock import to_utc

log = logging.getLogger(__name__)


async def schedule(session: AsyncSession, kind: str, key: str, chat_id: int, *, at_local: datetime | None = None,
                   at_utc: datetime | None = None, payload: dict[str, Any] | None = None) -> bool:
    """Schedule a reminder in the caller's transaction (it exists exactly when the caller's change commits).
    Give the moment in the agency's local time (`at_local`, e.g. 10:00 on a day) or in UTC. False if a reminder
    with this key exists already. Quiet hours are applied when it falls due, not here."""
    if (at_local is None) == (at_utc is None):
        raise ValueError("give exactly one of at_local and at_utc")
    due = at_utc if at_utc is not None else to_utc(at_local)  # type: ignore[arg-type]
    created = await repo.schedule(session, kind, key, chat_id, due, payload)
    log.debug("Reminder %s for %s at %s UTC: %s", key, chat_id, due, "scheduled" if created else "exists")
    return created


async def cancel(session: AsyncSession, keys: list[str], why: str) -> int:
    """Withdraw waiting reminders by key, in the caller's transaction."""
    return await repo.cancel(session, keys, why)


async def cancel_about(session: AsyncSession, chat_id: int, key_prefix: str, why: str) -> int:
    """Withdraw the chat's waiting reminders whose key starts with `key_prefix` (e.g. everything about one group)."""
    return await repo.cancel_for(session, chat_id, key_prefix, why)
