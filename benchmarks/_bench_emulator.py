"""The loopback Bot API of press_speed.py, with a stopwatch, and the simulated parents who press.

Why it exists: the benchmark measures a press from the moment the emulator *hands the update out* in
getUpdates (not from when it was queued: a bot that fetches slowly is measured on throughput instead) to the
moment the emulator *receives* answerCallbackQuery ("the spinner stops") and editMessageText ("the next
screen is shown"). tgemulator has no timing hooks, so this subclass adds them without editing it:

* ``push_update`` (public) is overridden to learn each step's update_id;
* ``updates.get`` (the queue behind getUpdates) is wrapped on the instance to stamp the hand-out, and the
  first poll of a freshly spawned bot (``on_first_poll`` lets _bench_spawn.py read the bot's CPU time then);
* ``world.emit`` (every visible change: a new or edited bot message, a callback answer) is wrapped on the
  instance to stamp the answer and the screen, and to wake the parent waiting for it.

Waking one future per parent replaces ``FakeUser.wait_for``, which wakes every waiter on every change (fine
for tests, quadratic with a thousand parents at once, and it would be the benchmark measuring itself).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tgemulator import BotAPIEmulator, FakeUser

# The walk of every parent after /start: the whole dialog with two steps back (8 presses, 9 updates).
PRESSES = ["Малыши", "1 месяц", "Назад", "1 месяц", "2 ребёнка", "Назад", "2 ребёнка", "Подтвердить"]


@dataclass
class StepTiming:
    kind: str  # "start" | "press"
    label: str = ""  # the command or the button's text
    chat_id: int | None = None  # the parent's (for the diagnosis of one who got stuck)
    pushed_at: float = 0.0
    update_id: int | None = None
    handed_at: float | None = None  # the emulator gave the update to the bot in getUpdates
    ack_at: float | None = None  # answerCallbackQuery received
    screen_at: float | None = None  # the next screen received (edit for a press, the keyboard message for /start)
    done: asyncio.Future[None] = field(default_factory=lambda: asyncio.get_running_loop().create_future())

    @property
    def ack_ms(self) -> float | None:
        return None if self.ack_at is None or self.handed_at is None else (self.ack_at - self.handed_at) * 1000

    @property
    def screen_ms(self) -> float | None:
        return None if self.screen_at is None or self.handed_at is None else (self.screen_at - self.handed_at) * 1000

    @property
    def felt_ms(self) -> float | None:
        """From the parent's tap (the update queued) to the screen: includes waiting to be fetched."""
        return None if self.screen_at is None else (self.screen_at - self.pushed_at) * 1000

    @property
    def felt_ack_ms(self) -> float | None:
        """From the parent's tap to the spinner stopping, waiting to be fetched included."""
        return None if self.ack_at is None else (self.ack_at - self.pushed_at) * 1000


class TimedEmulator(BotAPIEmulator):
    """BotAPIEmulator that stamps hand-out, answer and screen of the one step each chat is waiting on."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.waiting: dict[int, StepTiming] = {}  # chat id -> its step in progress
        self.steps: list[StepTiming] = []
        self.first_poll_at: float | None = None
        self.on_first_poll: Callable[[], None] | None = None  # called the moment the first getUpdates arrives
        self.polled = asyncio.Event()
        original_get = self.updates.get

        async def timed_get(**kwargs: Any) -> list[dict[str, Any]]:
            if self.first_poll_at is None:
                self.first_poll_at = time.perf_counter()
                if self.on_first_poll is not None:
                    self.on_first_poll()
            self.polled.set()
            batch = await original_get(**kwargs)
            now = time.perf_counter()
            for update in batch:
                step = self.waiting.get(_chat_of(update))
                if step is not None and step.update_id == update["update_id"] and step.handed_at is None:
                    step.handed_at = now
            return batch

        original_emit = self.world.emit

        def timed_emit(kind: str, chat_id: int, payload: Any) -> None:
            original_emit(kind, chat_id, payload)
            step = self.waiting.get(chat_id)
            if step is None or step.done.done():
                return
            now = time.perf_counter()
            if kind == "callback_answer" and step.ack_at is None:
                step.ack_at = now
            elif ((kind == "edit" and step.kind == "press") or (kind == "new" and step.kind == "start")) \
                    and payload.from_bot and payload.buttons and step.screen_at is None:
                step.screen_at = now
                if step.kind == "start" or step.ack_at is not None:
                    step.done.set_result(None)
            if kind == "callback_answer" and step.screen_at is not None:
                step.done.set_result(None)  # the edit came before the answer (not what a good bot does)

        self.updates.get = timed_get  # type: ignore[method-assign]
        self.world.emit = timed_emit  # type: ignore[method-assign]

    def push_update(self, update: dict[str, Any]) -> int:
        update_id = super().push_update(update)
        step = self.waiting.get(_chat_of(update))
        if step is not None and step.update_id is None:
            step.update_id = update_id
        return update_id

    def api_calls(self, since: int = 0) -> int:
        """Bot API requests after the first ``since`` calls, long polls not counted."""
        return sum(1 for method, _ in self.calls[since:] if method != "getUpdates")


def _chat_of(update: dict[str, Any]) -> int | None:
    if "message" in update:
        return update["message"]["chat"]["id"]
    if "callback_query" in update:
        return update["callback_query"]["message"]["chat"]["id"]
    return None


async def do_step(emu: TimedEmulator, user: FakeUser, kind: str, label: str, timeout: float) -> StepTiming:
    """One action of a parent, waited for until its screen is shown (TimeoutError after ``timeout``)."""
    step = StepTiming(kind, label, chat_id=user.id)
    emu.waiting[user.id] = step
    emu.steps.append(step)
    step.pushed_at = time.perf_counter()
    if kind == "start":
        await user.send_command(label)
    else:
        await user.press(label)
    try:
        await asyncio.wait_for(asyncio.shield(step.done), timeout)
    finally:
        emu.waiting.pop(user.id, None)
    return step


async def walk(emu: TimedEmulator, user: FakeUser, presses: list[str], timeout: float) -> None:
    """A parent: /start, then the presses, each waiting for the previous screen."""
    await do_step(emu, user, "start", "/start", timeout)
    if presses:  # the greeting may come first with a button of its own («🎬 Проекты»): wait for the step's
        await _until_button(user, presses[0], timeout)
    for label in presses:
        await do_step(emu, user, "press", label, timeout)


async def _until_button(user: FakeUser, label: str, timeout: float) -> None:
    """Until the newest message with buttons has one labelled ``label`` (what ``FakeUser.press`` will press)."""
    deadline = time.perf_counter() + timeout
    while True:
        with_keyboard = [m for m in user.bot_messages if m.buttons]
        if with_keyboard and any(label in b.text for row in with_keyboard[-1].buttons for b in row):
            return
        if time.perf_counter() > deadline:
            raise TimeoutError(f"no button {label!r}")
        await asyncio.sleep(0.005)


async def crowd(emu: TimedEmulator, parents: int, presses: list[str], *, first_id: int, timeout: float,
                at_once: int | None = None) -> int:
    """``parents`` parents walking at once (or ``at_once`` at a time); returns how many did not finish."""
    gate = asyncio.Semaphore(at_once or parents)

    async def one(index: int) -> bool:
        async with gate:
            try:
                await walk(emu, emu.user(first_id + index, f"Родитель {index}"), presses, timeout)
            except (TimeoutError, LookupError):
                return False
            return True

    results = await asyncio.gather(*(one(i) for i in range(parents)))
    return results.count(False)
