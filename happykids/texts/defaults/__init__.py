"""Every text the bot shows, by key, with its Russian default: the single place where wording lives.

Each feature keeps its texts in its own module; the director can override any of them (stored in the DB).
"""

from happykids.texts.defaults import (
    admin,
    admin_ops,
    archive,
    dialog,
    help,
    project_notices,  # the director's side of #12 (announcements, moves, ages)
    projects,
    projects_panel,
    receipts,
    telegram_payments,  # issue #13: paying inside Telegram
)
from happykids.texts.defaults import renewals as renewal_texts
from happykids.texts.model import TextDef

DEFAULTS: dict[str, TextDef] = {}
for _module in (dialog, help, receipts, admin, admin_ops, archive, projects, projects_panel, project_notices,
                telegram_payments, renewal_texts):
    for _text in _module.TEXTS:
        if _text.key in DEFAULTS:
            raise RuntimeError(f"text key {_text.key} defined twice")
        DEFAULTS[_text.key] = _text
