"""The baseline of benchmarks/press_speed.py: a minimal aiogram 3 bot doing the project's protocol work per step.

Why it exists: "fast" only means something next to what aiogram itself costs. This bot walks the same dialog
(group -> period -> children -> confirm -> link, with «Назад») over the same catalog file, and makes the same
Bot API calls per update as the project: /start sends a greeting and the first step (two sendMessage), a press
is answerCallbackQuery first and then editMessageText with an inline keyboard. Its state lives in aiogram's
MemoryStorage and it long-polls like the project. It has no database, no texts service, no middlewares:
whatever the project spends above this is the project's own cost.

It runs in-process (``build(api_url, token)``, used by press_speed.py) or as a process, for the cold-start
and memory measurements::

    python benchmarks/_bare_bot.py --api-url http://127.0.0.1:PORT --token 42:TEST

It imports nothing of happykids, so its cold start is aiogram's own.
"""

from __future__ import annotations

import argparse
import asyncio
import html
from pathlib import Path
from typing import Any

import yaml
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.filters import CommandStart
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

CATALOG = Path(__file__).resolve().parents[1] / "happykids" / "catalogs" / "example.yaml"


class Step(StatesGroup):
    group = State()
    period = State()
    children = State()
    confirm = State()
    link = State()


class Pick(CallbackData, prefix="p"):
    step: str  # "group" | "period" | "children": a press on a step already passed is refused
    id: int


class Nav(CallbackData, prefix="n"):
    action: str  # "back" | "ok" | "restart"
    step: str


ORDER = ["group", "period", "children", "confirm", "link"]
STATES = {name: getattr(Step, name) for name in ORDER}


class Catalog:
    """The example catalog's titles and links, read once from the same YAML file the project imports."""

    def __init__(self, path: Path = CATALOG) -> None:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.contacts: str = raw["contacts"]
        self.options: dict[str, list[tuple[str, str]]] = {
            "group": [(g["id"], g["title"]) for g in raw["groups"]],
            "period": [(p["id"], p["title"]) for p in raw["periods"]],
            "children": [(str(c["count"]), c["title"]) for c in raw["children"]],
        }
        self.links = {(lk["group"], lk["period"], str(lk["children"])): (lk["url"], lk.get("amount"))
                      for lk in raw["links"]}

    def title(self, kind: str, index: int) -> str:
        return self.options[kind][index][1]


def _rows(buttons: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[b] for b in buttons])


def screen(catalog: Catalog, step: str, data: dict[str, Any]) -> tuple[str, InlineKeyboardMarkup]:
    """Text and keyboard of a step, in the project's shape (one option per row, «Назад» below)."""
    back = InlineKeyboardButton(text="⬅️ Назад", callback_data=Nav(action="back", step=step).pack())
    lines = [f"{label}: {html.escape(catalog.title(kind, data[kind]))}"
             for kind, label in (("group", "Группа"), ("period", "Период"), ("children", "Детей")) if kind in data]
    if step in ("group", "period", "children"):
        question = {"group": "Шаг 1 из 3. Выберите группу:", "period": "Шаг 2 из 3. Выберите период обучения:",
                    "children": "Шаг 3 из 3. Сколько детей будет заниматься?"}[step]
        buttons = [InlineKeyboardButton(text=title, callback_data=Pick(step=step, id=i).pack())
                   for i, (_key, title) in enumerate(catalog.options[step])]
        text = "\n".join(lines) + ("\n\n" if lines else "") + question
        return text, _rows(buttons + ([back] if step != "group" else []))
    key = tuple(catalog.options[kind][data[kind]][0] for kind in ("group", "period", "children"))
    url, amount = catalog.links.get(key, (None, None))
    if amount is not None:
        lines.append(f"Сумма: {amount:,} ₽".replace(",", " "))
    if step == "confirm":
        text = "Проверьте, пожалуйста:\n\n" + "\n".join(lines) + "\n\nВсё верно? Нажмите «Подтвердить»."
        confirm = InlineKeyboardButton(text="✅ Подтвердить", callback_data=Nav(action="ok", step=step).pack())
        restart = InlineKeyboardButton(text="🔄 Начать заново", callback_data=Nav(action="restart", step=step).pack())
        return text, _rows([confirm, back, restart])
    restart = InlineKeyboardButton(text="✏️ Выбрать другое", callback_data=Nav(action="restart", step=step).pack())
    if url is None:
        return "\n".join(lines) + f"\n\nСсылки нет, напишите нам: {html.escape(catalog.contacts)}", _rows([restart])
    text = f"Ваша ссылка на оплату:\n{html.escape(url)}\n\n" + "\n".join(lines) + "\n\nПришлите сюда фото чека."
    return text, _rows([InlineKeyboardButton(text="💳 Оплатить", url=url), restart])


def build_router(catalog: Catalog) -> Router:
    router = Router(name="bare")

    async def show(callback: CallbackQuery, state: FSMContext, step: str) -> None:
        await state.set_state(STATES[step])
        text, markup = screen(catalog, step, await state.get_data())
        if isinstance(callback.message, Message):
            await callback.message.edit_text(text, reply_markup=markup)

    @router.message(CommandStart())
    async def start(message: Message, state: FSMContext) -> None:
        await state.set_state(Step.group)
        await state.set_data({})
        name = html.escape(message.from_user.first_name) if message.from_user else ""
        await message.answer(f"Здравствуйте, {name}! Я помогу оплатить занятия в Happy Kids.")
        text, markup = screen(catalog, "group", {})
        await message.answer(text, reply_markup=markup)

    @router.callback_query(Pick.filter(), F.message.chat.type == "private")
    async def pick(callback: CallbackQuery, callback_data: Pick, state: FSMContext) -> None:
        await callback.answer()  # the spinner stops first, as in the project
        current = (await state.get_state() or "").rsplit(":", 1)[-1]
        if current != callback_data.step or not 0 <= callback_data.id < len(catalog.options[current]):
            return await show(callback, state, current if current in STATES else "group")
        await state.update_data({callback_data.step: callback_data.id})
        await show(callback, state, ORDER[ORDER.index(current) + 1])

    @router.callback_query(Nav.filter())
    async def nav(callback: CallbackQuery, callback_data: Nav, state: FSMContext) -> None:
        await callback.answer()
        current = (await state.get_state() or "").rsplit(":", 1)[-1]
        if callback_data.action == "restart" or current not in STATES:
            await state.set_data({})
            return await show(callback, state, "group")
        if callback_data.step != current:
            return await show(callback, state, current)
        if callback_data.action == "back":
            return await show(callback, state, "children" if current == "link" else ORDER[ORDER.index(current) - 1])
        await show(callback, state, "link" if current == "confirm" else current)

    return router


def build(api_url: str, token: str) -> tuple[Bot, Dispatcher]:
    """The bare bot and its dispatcher; the caller starts polling (``dp.start_polling(bot, ...)``)."""
    bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(api_url)),
              default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True))
    dp = Dispatcher(storage=MemoryStorage())
    dp.include_router(build_router(Catalog()))
    return bot, dp


async def _main(api_url: str, token: str) -> None:
    bot, dp = build(api_url, token)
    await dp.start_polling(bot, polling_timeout=20)  # SIGTERM / SIGINT stop it gracefully


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="the bare aiogram baseline of press_speed.py")
    parser.add_argument("--api-url", required=True, help="base URL of the Bot API (the emulator)")
    parser.add_argument("--token", required=True)
    args = parser.parse_args()
    asyncio.run(_main(args.api_url, args.token))
