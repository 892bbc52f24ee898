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


def render_message(message: BotMessage, numbers: dict[int, Button], color: bool, label: str = "Бот") -> str:
    """`numbers` is filled with the button number -> Button mapping the user can type."""
    body = html_to_terminal(message.html or message.text, color) if message.parse_mode == "HTML" else message.text
    head = f"── {label}"
    if message.kind not in ("text", "other"):
        head += f" · {message.kind}" + (f" {message.file_name}" if message.file_name else "")
    if message.edited:
        head += " · (изменено)"
    lines = [head]
    for paragraph in (body or "").split("\n"):
        lines.extend(textwrap.wrap(paragraph, 78) or [""])
    for row in message.buttons:
        cells = []
        for button in row:
            number = len(numbers) + 1
            numbers[number] = button
            suffix = " ↗" if button.url else ""
            cells.append(f"[{number}] {button.text}{suffix}")
        lines.append("   " + "   ".join(cells))
    return "\n".join(lines)
