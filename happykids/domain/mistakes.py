"""How the bot answers repeated mistakes: first a short error, then an instruction, then the contacts."""

from enum import StrEnum


class MistakeLevel(StrEnum):
    ERROR = "error"
    INSTRUCTION = "instruction"
    CONTACTS = "contacts"


def escalate(mistakes_in_a_row: int) -> MistakeLevel:
    """`mistakes_in_a_row` counts the current mistake too (1 for the first)."""
    if mistakes_in_a_row <= 1:
        return MistakeLevel.ERROR
    if mistakes_in_a_row == 2:
        return MistakeLevel.INSTRUCTION
    return MistakeLevel.CONTACTS
