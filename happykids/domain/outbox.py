"""The outbox's vocabulary: the states of a task and the kinds of work a handler can leave for later.

A kind names an executor in the workers layer; services record tasks of these kinds in the same
transaction as the change that needs them. Kinds are stored as text, so renaming one strands old tasks.
"""

from enum import StrEnum


class TaskStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"  # gave up (or a bug repeated MAX_ATTEMPTS times); logged, kept for a look


class ReceiptTask(StrEnum):
    """The follow-up of a receipt (workers/receipt_tasks.py runs them)."""

    NOTIFY_ADMINS = "receipt.notify_admins"
    ARCHIVE = "receipt.archive"
    ACK_PARENT = "receipt.ack_parent"  # "получили" (an album's: once its last part is in)
    TELL_PARENT = "receipt.tell_parent"  # the decision
    SHOW_DECISION = "receipt.show_decision"  # edit every admin's copy


INTAKE_TASKS = frozenset({ReceiptTask.ACK_PARENT, ReceiptTask.NOTIFY_ADMINS, ReceiptTask.ARCHIVE})
