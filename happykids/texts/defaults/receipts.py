"""Texts of receipt intake and review (filled in by the receipts feature)."""

from happykids.texts.model import TextDef

TEXTS: list[TextDef] = []
