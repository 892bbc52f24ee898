"""What parents choose from: groups, study periods, children counts, and the payment link matrix."""

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from happykids.db.base import Base


class _Choice:
    """What every kind of option has: a button title, its place in the list, and whether parents see it."""

    title: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)


class CatalogGroup(_Choice, Base):
    __tablename__ = "catalog_groups"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)


class CatalogPeriod(_Choice, Base):
    __tablename__ = "catalog_periods"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    # How long a payment for it lasts (renewals): months, or days when months is None.
    months: Mapped[int | None] = mapped_column(Integer, nullable=True)
    days: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ChildrenOption(_Choice, Base):
    __tablename__ = "catalog_children"
    id: Mapped[int] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(Integer, unique=True)


class PaymentLink(Base):
    __tablename__ = "payment_links"
    __table_args__ = (UniqueConstraint("group_id", "period_id", "children_id", name="uq_payment_links_combo"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("catalog_groups.id", ondelete="CASCADE"))
    period_id: Mapped[int] = mapped_column(ForeignKey("catalog_periods.id", ondelete="CASCADE"))
    children_id: Mapped[int] = mapped_column(ForeignKey("catalog_children.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(Text)
    amount: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Setting(Base):
    """Small key/value settings the director edits (the agency's contacts, for one)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
