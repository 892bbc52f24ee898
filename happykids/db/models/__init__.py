"""All tables; importing this package registers them on `Base.metadata` (Alembic needs that)."""

from happykids.db.base import Base
from happykids.db.models.admin import Admin, AuditEntry
from happykids.db.models.broadcast import Broadcast, BroadcastDelivery
from happykids.db.models.catalog import CatalogGroup, CatalogPeriod, ChildrenOption, PaymentLink, Setting
from happykids.db.models.dialog import FsmRecord, FunnelEvent, Parent, TextOverride
from happykids.db.models.project import Application, Child, Consent, Project
from happykids.db.models.receipt import OutboxTask, Receipt, ReceiptFile, ReviewMessage

__all__ = [
    "Admin", "Application", "AuditEntry", "Base", "Broadcast", "BroadcastDelivery", "CatalogGroup",
    "CatalogPeriod", "Child", "ChildrenOption", "Consent", "FsmRecord", "FunnelEvent", "OutboxTask", "Parent",
    "PaymentLink", "Project", "Receipt", "ReceiptFile", "ReviewMessage", "Setting", "TextOverride",
]
