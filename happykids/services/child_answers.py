"""The answers to the director's extra questions (domain/child_fields.py), stored when the application is made:
the child keeps the latest ones (offered as «Оставить» next time), the application its own copy, which is what
the director sees in its list. Nothing is stored before the parent confirms the application.
"""

from __future__ import annotations

import json
from typing import Any

from happykids.db.models import Application, Child
from happykids.domain.child_fields import COLUMN, ChildField, decode


def keep_asked(asked: str, answers: dict[str, Any]) -> dict[str, Any]:
    """Only what this project asks (an answer left from another project's dialog is dropped)."""
    return {f.value: answers[f.value] for f in decode(asked) if answers.get(f.value) not in (None, "")}


def save(child: Child, application: Application, asked: str, answers: dict[str, Any]) -> None:
    kept = keep_asked(asked, answers)
    for name, value in kept.items():
        setattr(child, COLUMN[ChildField(name)], value)
    application.extra = json.dumps(kept, ensure_ascii=False)


def of_application(application: Application) -> dict[str, Any]:
    """The answers given with this application (for the director's list)."""
    try:
        value = json.loads(application.extra or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
