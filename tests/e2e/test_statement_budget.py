"""How much database work one button press costs: counted, never timed.

The real bot polls the emulator; every SQL statement the engine sends is counted. A press in the payment
dialog may cost at most three statements, one commit and one connection from the pool (the catalog and the
admin list come from memory, the dialog state is written once). A change to the catalog is still seen by the
very next press.

The polling inbox (app/polling.py) is counted apart: one transaction per getUpdates batch stores it, whatever
its size, and one removes the updates handled meanwhile. With one parent pressing, every batch holds one press
and every removal one update; with many parents at once, each holds dozens.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator

from sqlalchemy import event, update

from happykids.app import App
from happykids.db.change_tracking import BACKGROUND
from happykids.db.models import CatalogGroup
from happykids.domain.catalog import CatalogKind
from happykids.ui.callbacks import Pick
from tests.e2e.test_payment_dialog import step

MAX_STATEMENTS_PER_PRESS = 3
MAX_COMMITS_PER_PRESS = 1
MAX_CONNECTIONS_PER_PRESS = 1  # one unit of work: one session, one pooled connection
MAX_INBOX_STATEMENTS_PER_BATCH = 2  # INSERT the new batch, DELETE the handled ones
MAX_INBOX_COMMITS_PER_BATCH = 2
INBOX = "update_inbox"


@contextlib.contextmanager
def counting(app: App) -> Iterator[Counter[str]]:
    counts: Counter[str] = Counter()

    def on_statement(conn, _cursor, statement: str, _parameters, context, _many) -> None:
        verb = statement.lstrip().split(None, 1)[0].upper()
        if context is not None and context.execution_options.get(BACKGROUND):
            counts[f"BACKGROUND {verb}"] += 1  # the caches' look at the versions, once a second, no update's
            counts["CHECKOUT"] -= 1
        elif INBOX in statement:
            conn.info["inbox"] = True
            counts[f"INBOX {verb}"] += 1
        else:
            counts[verb] += 1

    def on_commit(conn) -> None:
        # A transaction that wrote the inbox is polling's, one per batch; its checkout is not the press's either.
        if conn.info.pop("inbox", False):
            counts["INBOX COMMIT"] += 1
            counts["CHECKOUT"] -= 1
        else:
            counts["COMMIT"] += 1

    def on_checkout(*_args) -> None:
        counts["CHECKOUT"] += 1

    engine = app.engine.sync_engine
    event.listen(engine, "before_cursor_execute", on_statement)
    event.listen(engine, "commit", on_commit)
    event.listen(engine.pool, "checkout", on_checkout)
    try:
        yield counts
    finally:
        event.remove(engine, "before_cursor_execute", on_statement)
        event.remove(engine, "commit", on_commit)
        event.remove(engine.pool, "checkout", on_checkout)


def statements(counts: Counter[str]) -> int:
    return sum(n for kind, n in counts.items() if kind in ("SELECT", "INSERT", "UPDATE", "DELETE"))


async def test_a_press_costs_at_most_three_statements_and_one_commit(emu, bot):
    parent = emu.user(1101, "Вера")
    await step(emu, parent.send_command("/start"))
    await bot.workers.stop()  # the background jobs poll the database on their own clock: count only the presses
    presses = ["Малыши", "1 месяц", "Назад", "1 месяц", "1 ребёнок", "Назад", "1 ребёнок", "Подтвердить"]
    for label in presses:
        with counting(bot) as counts:
            await step(emu, parent.press(label))
        assert statements(counts) <= MAX_STATEMENTS_PER_PRESS, (label, dict(counts))
        assert counts["COMMIT"] <= MAX_COMMITS_PER_PRESS, (label, dict(counts))
        assert counts["CHECKOUT"] <= MAX_CONNECTIONS_PER_PRESS, (label, dict(counts))
        inbox = sum(n for kind, n in counts.items() if kind.startswith("INBOX ") and kind != "INBOX COMMIT")
        assert counts["INBOX INSERT"] == 1, (label, dict(counts))  # the press was kept before it was confirmed
        assert inbox <= MAX_INBOX_STATEMENTS_PER_BATCH, (label, dict(counts))
        assert 1 <= counts["INBOX COMMIT"] <= MAX_INBOX_COMMITS_PER_BATCH, (label, dict(counts))
    assert "Ваша ссылка на оплату" in parent.bot_messages[-1].text


async def test_a_stale_press_writes_nothing(emu, bot):
    parent = emu.user(1102, "Лена")
    await step(emu, parent.send_command("/start"))
    await bot.workers.stop()
    dialog = [m for m in parent.bot_messages if m.buttons][-1]
    await step(emu, parent.press("Малыши"))
    stale = Pick(step=CatalogKind.GROUP, id=2).pack()  # a group button from the step that has passed
    with counting(bot) as counts:
        await step(emu, parent.press_data(dialog.message_id, stale))
    assert counts["INSERT"] == counts["UPDATE"] == counts["DELETE"] == 0, dict(counts)
    assert parent.callback_answers[-1]["text"]  # the popup says the button is outdated


async def test_a_catalog_change_is_seen_by_the_next_press(emu, bot):
    parent = emu.user(1103, "Ира")
    await step(emu, parent.send_command("/start"))
    async with bot.sessions() as session, session.begin():  # as the panel or another process would
        await session.execute(update(CatalogGroup).where(CatalogGroup.code == "kids").values(title="Крошки"))
    await step(emu, parent.send_command("/start"))
    assert "Крошки" in [m for m in parent.bot_messages if m.buttons][-1].button_texts()
