from happykids.domain.mistakes import MistakeLevel, escalate


def test_escalation_error_then_instruction_then_contacts():
    assert [escalate(n) for n in (1, 2, 3, 4, 10)] == [
        MistakeLevel.ERROR, MistakeLevel.INSTRUCTION, MistakeLevel.CONTACTS, MistakeLevel.CONTACTS,
        MistakeLevel.CONTACTS,
    ]
