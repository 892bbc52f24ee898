"""Handled Telegram update ids (db/models/handled_update.py): record one, ask about one, prune old ones; and on
PostgreSQL, where several replicas may share the database, claim one at the start of its handling together with
its chat's lock (db/unit_of_work.py says why), and hold the lock on receiving updates at all (app/receiving_lock.py)."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import BigInteger, DateTime, Integer, Table, delete, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from happykids.db.base import utcnow
from happykids.db.models import HandledUpdate
from happykids.db.upserts import insert_for

_RECORD = insert(cast(Table, HandledUpdate.__table__))


async def record_handled(session: AsyncSession, update_id: int) -> None:
    """In the update's own transaction: the id is there exactly when its work is. A Core statement on the
    session's connection: the ORM's execute machinery (events, ORM compile state) cost as much CPU as the
    INSERT itself, and this table is neither mapped into the session's objects nor a tracked one."""
    connection = await session.connection()
    await connection.execute(_RECORD, {"update_id": update_id, "handled_at": utcnow()})


async def was_handled(session: AsyncSession, update_id: int) -> bool:
    found = await session.scalar(select(HandledUpdate.update_id).where(HandledUpdate.update_id == update_id))
    return found is not None


async def highest_handled(session: AsyncSession) -> int:
    """The newest recorded id (0 if none): an update above it cannot have been handled before."""
    return int(await session.scalar(select(func.max(HandledUpdate.update_id))) or 0)


async def prune_handled(session: AsyncSession, before: datetime) -> int:
    result = await session.execute(delete(HandledUpdate).where(HandledUpdate.handled_at < before))
    return int(getattr(result, "rowcount", 0) or 0)


async def claim_update(session: AsyncSession, update_id: int, chat_id: int | None) -> bool:
    """PostgreSQL, one statement at the start of an update: wait for the chat's lock (a session-level advisory
    lock keyed by the chat id: held across the update's commits, until `release_chat`), then record the id.
    False: another replica has handled it (the row is there), or handled it while we waited (a concurrent insert
    of the same id waits for the other transaction and then does nothing)."""
    rows = select(literal(update_id, BigInteger), literal(utcnow(), DateTime))
    if chat_id is not None:
        rows = rows.select_from(select(func.pg_advisory_lock(literal(chat_id, BigInteger))).cte("chat_lock"))
    claimed = await session.execute(
        insert_for("postgresql", HandledUpdate).from_select(["update_id", "handled_at"], rows)
        .on_conflict_do_nothing(index_elements=[HandledUpdate.update_id]).returning(HandledUpdate.update_id))
    return claimed.first() is not None


async def release_chat(connection: AsyncConnection, chat_id: int, update_id: int) -> None:
    """The update ran to its end: mark it finished and let the chat's next update in (after the update's last
    commit). One round trip, outside a transaction: the mark rides along in a CTE.

    The unlock is computed from the mark's row (`FROM` the count of marked rows), so the UPDATE has run and holds
    its row before the lock is let go: a second delivery waiting for the lock then reads the mark `FOR SHARE`
    (`finished_before`) and waits for its commit. With both in the select list PostgreSQL could unlock first, and
    the second delivery read "not finished" and showed the screen again (a duplicate edit, seen under load)."""
    outside = await connection.execution_options(isolation_level="AUTOCOMMIT")
    mark = (update(HandledUpdate).where(HandledUpdate.update_id == update_id).values(finished=True)
            .returning(HandledUpdate.update_id).cte("finished"))
    marked = select(func.count().label("marked")).select_from(mark).subquery()
    await outside.execute(select(func.pg_advisory_unlock(literal(chat_id, BigInteger))).select_from(marked))


async def finished_before(session: AsyncSession, update_id: int) -> bool:
    """PostgreSQL, for an update claimed elsewhere: did its handling run to its end? FOR SHARE waits for the
    statement that marks it (it unlocks the chat in the same statement, so the mark may still be committing)."""
    found = await session.scalar(select(HandledUpdate.finished).where(HandledUpdate.update_id == update_id)
                                 .with_for_update(read=True))
    return bool(found)


# Two int4 keys: PostgreSQL keeps them apart from the one-bigint keys of the chats' locks above.
RECEIVING_KEYS = (0x484B, 0x5250)


async def take_receiving_lock(connection: AsyncConnection, *, shared: bool) -> bool:
    """Session-level, on a connection the caller keeps for the process's life; False: another copy holds it."""
    take = func.pg_try_advisory_lock_shared if shared else func.pg_try_advisory_lock
    outside = await connection.execution_options(isolation_level="AUTOCOMMIT")
    return bool(await outside.scalar(select(take(*(literal(key, Integer) for key in RECEIVING_KEYS)))))


async def give_back_receiving_lock(connection: AsyncConnection, *, shared: bool) -> None:
    give_back = func.pg_advisory_unlock_shared if shared else func.pg_advisory_unlock
    outside = await connection.execution_options(isolation_level="AUTOCOMMIT")
    await outside.scalar(select(give_back(*(literal(key, Integer) for key in RECEIVING_KEYS))))
