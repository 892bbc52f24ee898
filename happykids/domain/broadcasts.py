"""Broadcast vocabulary shared by the panel, the services and the sender: who a broadcast goes to."""

from enum import StrEnum


class AudienceKind(StrEnum):
    ALL = "all"
    GROUP = "group"
    PAID = "paid"  # a pending or approved receipt in a month
