"""Inline keyboards of projects, both sides. Plain InlineKeyboardMarkup rows, like the payment dialog's
(aiogram's builder deep-copies the keyboard on every button)."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from happykids.ui.callbacks import PjStep, ProjectCard, ProjectsList, ProjectStep

Row = Sequence[InlineKeyboardButton]


def button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def url_button(text: str, url: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, url=url)


def rows(*lines: Row) -> InlineKeyboardMarkup:
    """One row per argument; empty rows are skipped, so optional buttons can be passed as []."""
    return InlineKeyboardMarkup(inline_keyboard=[list(line) for line in lines if line])


def step(text: str, what: PjStep, project_id: int, item: int = 0) -> InlineKeyboardButton:
    return button(text, ProjectStep(step=what, project_id=project_id, item=item))


def entry_keyboard(label: str) -> InlineKeyboardMarkup:
    """«🎬 Проекты» under the greeting."""
    return rows([button(label, ProjectsList())])


def list_keyboard(projects: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    return rows(*([button(title, ProjectCard(project_id=pid))] for pid, title in projects))


def back_to(label: str, data: CallbackData) -> list[InlineKeyboardButton]:
    return [button(label, data)]
