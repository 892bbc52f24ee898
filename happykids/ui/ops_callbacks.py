"""Buttons of the «Платежи», «Статистика» and «Рассылка» sections (64-byte limit: ids and codes only)."""

from enum import Enum

from aiogram.filters.callback_data import CallbackData

from happykids.services.broadcast import AudienceKind
from happykids.services.funnel import Period


class PayAct(str, Enum):
    SEARCH = "find"
    EXPORT = "exp"


class PaymentsAction(CallbackData, prefix="apy"):
    action: PayAct


class Fmt(str, Enum):
    XLSX = "xlsx"
    CSV = "csv"


class PaymentsExport(CallbackData, prefix="apx"):
    month: str  # "all" or "YYYY-MM"
    fmt: Fmt


class StatsPeriod(CallbackData, prefix="ast"):
    period: Period


class BcAct(str, Enum):
    NEW = "new"
    AUDIENCE = "aud"  # back to choosing recipients for the same text
    GROUPS = "grp"  # the list of groups
    SEND = "send"
    CANCEL = "cancel"


class BroadcastAction(CallbackData, prefix="abc"):
    action: BcAct
    draft: str = ""  # which draft the button belongs to: a stale button cannot send an old text


class BroadcastAudience(CallbackData, prefix="abu"):
    draft: str
    kind: AudienceKind
    group_id: int = 0


class BroadcastStop(CallbackData, prefix="abs"):
    """«⏹ Остановить рассылку» under the progress message of a broadcast being sent."""
    broadcast_id: int
