"""All tables; importing this package registers them on `Base.metadata` (Alembic needs that)."""

from happykids.db.base import Base
from happykids.db.models.admin import Admin, AuditEntry
from happykids.db.models.archive import ArchiveStatus
from happykids.db.models.broadcast import Broadcast, BroadcastDelivery
from happykids.db.models.catalog import CatalogGroup, CatalogPeriod, ChildrenOption, PaymentLink, Setting
from happykids.db.models.dialog import FsmRecord, FunnelEvent, Parent, TextOverride
from happykids.db.models.handled_update import HandledUpdate, InboxUpdate
from happykids.db.models.job_claim import JobClaim
from happykids.db.models.project import Application, Child, Consent, Project
from happykids.db.models.receipt import MessageIntent, OutboxTask, Receipt, ReceiptFile, ReviewMessage
from happykids.db.models.renewal import PaidPeriod, Reminder

__all__ = [
    "Admin", "Application", "ArchiveStatus", "AuditEntry", "Base", "Broadcast", "BroadcastDelivery", "CatalogGroup",
    "CatalogPeriod", "Child", "ChildrenOption", "Consent", "FsmRecord", "FunnelEvent", "HandledUpdate", "InboxUpdate",
    "JobClaim", "MessageIntent", "OutboxTask", "PaidPeriod", "Parent", "PaymentLink", "Project", "Receipt",
    "ReceiptFile", "Reminder", "ReviewMessage", "Setting", "TextOverride",
]
