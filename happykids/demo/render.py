"""How a chat looks in the terminal: message text (bold kept with ANSI where the terminal can), numbered buttons."""

from __future__ import annotations

import html
import re
import textwrap

from tgemulator import BotMessage, Button

BOLD, DIM, RESET = "\033[1m", "\033[2m", "\033[0m"


def html_to_terminal(source: str, color: bool) -> str:
    text = re.sub(r"<(b|strong)>", BOLD if color else "", source)
    text = re.sub(r"</(b|strong)>", RESET if color else "", text)
    text = re.sub(r'<a href="([^"]*)">(.*?)</a>', r"\2 (\1)", text)
    text = re.sub(r"<[^>]+>", "", text)
    return html.unescape(text)


def dim(text: str, color: bool) -> str:
    return f"{DIM}{text}{RESET}" if color else text


def render_message(message: BotMessage, numbers: dict[int, tuple[int, Button]], color: bool,
                   label: str = "Бот", *, edited: bool | None = None) -> str:
    """`numbers` (number -> (message id, button)) is extended with the buttons the user can now press by number.

    `edited`: whether to mark the message as changed (the caller knows if the person saw an older version)."""
    body = html_to_terminal(message.html or message.text, color) if message.parse_mode == "HTML" else message.text
    invoice = message.raw.get("invoice")
    if invoice:  # a Telegram invoice: the app shows it as a card with «Pay»; here /pay pays it
        amount = f"{invoice['total_amount'] // 100:,}".replace(",", " ")
        body = f"🧾 Счёт: {invoice['title']}\n{invoice['description']}\nК оплате: {amount} ₽ — /pay, чтобы оплатить"
    head = f"── {label}"
    if message.kind not in ("text", "other"):
        head += f" · {message.kind}" + (f" {message.file_name}" if message.file_name else "")
    if message.edited if edited is None else edited:
        head += " · (изменено)"
    lines = [head]
    for paragraph in (body or "").split("\n"):
        lines.extend(textwrap.wrap(paragraph, 78) or [""])
    for row in message.buttons:
        cells = []
        for button in row:
            number = len(numbers) + 1
            numbers[number] = (message.message_id, button)
            suffix = " ↗" if button.url else ""
            cells.append(f"[{number}] {button.text}{suffix}")
        lines.append("   " + "   ".join(cells))
    return "\n".join(lines)


def first_line(message: BotMessage, limit: int = 60) -> str:
    text = (message.text or message.kind).strip().split("\n")[0]
    return text if len(text) <= limit else text[: limit - 1] + "…"
