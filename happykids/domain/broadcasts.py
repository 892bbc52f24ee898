"""Broadcast vocabulary shared by the panel, the services and the sender: who a broadcast goes to, the
states of a broadcast and of each delivery, and the tallies the progress message and the report show.

Pure (no Telegram, no database), so the handler, the service and the background sender agree on one spelling.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum

CAPTION_LIMIT = 1024  # a bot's photo caption, in UTF-16 units


class AudienceKind(StrEnum):
    ALL = "all"
    GROUP = "group"
    PAID = "paid"  # a pending or approved receipt in a month
    # -- a project's (the value is its id); the recipients are computed by services/project_announce.py
    PROJECT = "project"  # the announcement: who may apply (audience, groups, age)
    PROJECT_APPROVED = "project_approved"  # the director's message to the approved participants


class BroadcastStatus(StrEnum):
    """"sending" (queued or in progress) -> "done", or, after «Остановить», "sending" -> "stopping" (the
    sender is winding down) -> "stopped". Drafts live in the panel's FSM data, never in the table."""

    DRAFT = "draft"  # the column's default; no code path writes it
    SENDING = "sending"
    STOPPING = "stopping"
    DONE = "done"
    STOPPED = "stopped"


ACTIVE = (BroadcastStatus.SENDING, BroadcastStatus.STOPPING)  # the sender still has to finish (or resume) these


class DeliveryStatus(StrEnum):
    """One recipient: pending -> sending -> sent | blocked | failed | unknown; or pending -> cancelled."""

    PENDING = "pending"
    SENDING = "sending"  # claimed by a worker, the request may be in flight
    SENT = "sent"
    BLOCKED = "blocked"  # the parent blocked the bot (now or earlier)
    FAILED = "failed"
    UNKNOWN = "unknown"  # was "sending" when the bot died: may or may not have arrived, never resent
    CANCELLED = "cancelled"  # still pending when the director stopped the broadcast (never sent)


@dataclass(frozen=True)
class Content:
    text: str  # Telegram HTML (aiogram's html_text of the director's message: entities kept, the rest escaped)
    photo: str | None = None  # file_id
    button_text: str | None = None  # one URL button under the message (a project's «Записаться»)
    button_url: str | None = None


@dataclass
class Counts:
    total: int = 0
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    unknown: int = 0
    pending: int = 0  # pending + sending
    cancelled: int = 0  # stopped before their turn

    @property
    def done(self) -> int:
        """Recipients the sender is through with (cancelled ones not included)."""
        return self.total - self.pending - self.cancelled

    @classmethod
    def from_statuses(cls, statuses: Mapping[str, int]) -> Counts:
        def n(status: DeliveryStatus) -> int:
            return statuses.get(status, 0)

        return cls(total=sum(statuses.values()), sent=n(DeliveryStatus.SENT), blocked=n(DeliveryStatus.BLOCKED),
                   failed=n(DeliveryStatus.FAILED), unknown=n(DeliveryStatus.UNKNOWN),
                   pending=n(DeliveryStatus.PENDING) + n(DeliveryStatus.SENDING),
                   cancelled=n(DeliveryStatus.CANCELLED))


class StopOutcome(Enum):
    """What a press on «⏹ Остановить рассылку» did."""

    STOPPED = "stopped"  # this press stopped it: pending rows are cancelled now
    TOO_LATE = "too_late"  # nothing was left to cancel: the last messages are on their way
    STOPPING = "stopping"  # stopped by an earlier press; the sender is winding down
    FINISHED = "finished"  # it had ended already (sent to everyone)
    WAS_STOPPED = "was_stopped"  # it had been stopped and reported already
    MISSING = "missing"
