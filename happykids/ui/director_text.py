"""What the director sends (text or caption, with the app's formatting) as the Telegram HTML parents get.

The one way her typing becomes a message: the texts editor, broadcasts and every future place she writes
use `director_html`. Her Bold/Italic buttons (entities) are kept, typed tags such as <b> work, and a `<` or
`&` that is not part of a tag is just a character (tgtext/typed.py, the pure part, explains the rules).
"""

from __future__ import annotations

from aiogram.types import Message

from tgtext.explain import explain_tag_issue
from tgtext.html import parse_html
from tgtext.typed import Formatted, to_html


def director_html(message: Message) -> Formatted:
    """The message's text, or its caption when it has none, as Telegram HTML (with typed-tag issues)."""
    if message.text is not None:
        text, entities = message.text, message.entities
    else:
        text, entities = message.caption or "", message.caption_entities
    return to_html(text, [entity.model_dump(mode="json", exclude_none=True) for entity in entities or []])


def shown_text(html_text: str) -> str:
    """What a person reads of `html_text` (no tags, characters decoded): the length Telegram counts."""
    return parse_html(html_text, strict=False).text


def tag_problems(formatted: Formatted) -> list[str]:
    """Each typed tag that cannot work, explained in plain Russian (empty when all is well)."""
    return [explain_tag_issue(issue) for issue in formatted.issues]
