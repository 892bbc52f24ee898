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


class MessageKind(StrEnum):
    """Messages about a receipt whose sending is on record (message_intents): the intent is committed before
    the Bot API call and the result after it, so a process that starts after a crash knows which of them may
    have gone out. Which of them may then be sent again is `may_repeat` below."""

    CARD = "card"  # the receipt shown to an admin (its file and the card), sent by the outbox
    RECEIVED = "received"  # «получили» to the parent
    DECISION = "decision"  # «оплата подтверждена» / «чек не принят» to the parent
    PAID_NOTICE = "paid_notice"  # an admin's notice of a payment made in Telegram (approved by itself)


class IntentStatus(StrEnum):
    SENDING = "sending"  # on record before the call: after a crash, the message may or may not have gone out
    SENT = "sent"  # Telegram answered with the message (its id is on record)


def may_repeat(kind: MessageKind) -> bool:
    """After a crash between the intent and the result, is the message sent again?

    A kill in that window lands, almost always, while the request is on its way or its answer is on the way
    back (a round trip of tens to hundreds of milliseconds), and Telegram delivers a request it received
    whatever became of the client; the part of the window before the request leaves is the return of a
    database commit and a socket write, well under a millisecond. So "may have gone out" nearly always means
    "went out", and the choice is between a near-certain duplicate and a rare loss:

    - CARD: sent again. A second card costs the admins nothing: it is sent without buttons, which are put on
      only once the card is on record (ui/receipt_copies.py), so an unrecorded copy can never be pressed and is
      never left with live buttons after the decision; the recorded copy is edited by the decision as usual.
      A missing card would leave the receipt unseen (only /receipts would show it).
    - RECEIVED and DECISION: never sent again. A parent told «оплата подтверждена» twice wonders whether they
      paid twice and calls the agency; a duplicate is what the parent sees, a loss is almost never real. The
      rare loss is logged (a warning naming the receipt), the receipt and the decision stay on record and the
      director sees them on the card; a parent who sends the receipt again is told its state.
    """
    return kind is MessageKind.CARD
