"""Projects (castings, shoots, shows), the parents' children, their consent, and the applications.

`projects.arrivals` counts applications as they arrive: the UPDATE that bumps it is also the lock that makes
"count the places, then insert" one step (services/projects.py), and its value is the arrival order.
"""

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from happykids.db.base import Base, utcnow


class Project(Base):
    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))  # domain.projects.ProjectKind
    description: Mapped[str] = mapped_column(Text, default="")  # Telegram HTML, validated like other texts
    poster_file_id: Mapped[str | None] = mapped_column(Text, nullable=True)
    starts_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # naive UTC; None: date TBA
    place: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(String(16), default="all")  # domain.projects.Audience
    audience_groups: Mapped[str] = mapped_column(Text, default="")  # catalog group codes, comma-separated
    age_min: Mapped[int | None] = mapped_column(Integer, nullable=True)
    age_max: Mapped[int | None] = mapped_column(Integer, nullable=True)
    places: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: unlimited
    deadline: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # None: until it starts
    fee_kind: Mapped[str] = mapped_column(String(16), default="free")  # domain.projects.FeeKind
    fee_amount: Mapped[int | None] = mapped_column(Integer, nullable=True)
    fee_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    cancel_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    arrivals: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # -- the parent's side (issue #12, second part) --
    # What the director asks about each child besides name and birth date: domain/child_fields.py, comma-separated.
    child_fields: Mapped[str] = mapped_column(Text, default="", server_default="")


class Child(Base):
    """A child a parent named when applying; only that parent ever sees it."""

    __tablename__ = "children"
    __table_args__ = (UniqueConstraint("parent_id", "name", "birth_date", name="uq_children_parent_child"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int] = mapped_column(BigInteger, index=True)
    name: Mapped[str] = mapped_column(Text)
    birth_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # The latest answers to the director's extra questions (each application keeps its own copy in `extra`).
    height_cm: Mapped[int | None] = mapped_column(Integer, nullable=True)
    clothing_size: Mapped[str | None] = mapped_column(String(16), nullable=True)
    shoe_size: Mapped[str | None] = mapped_column(String(8), nullable=True)
    photo_file_id: Mapped[str | None] = mapped_column(Text, nullable=True)


class Consent(Base):
    """The parent agreed to keep their children's data (given once, before the first child is stored)."""

    __tablename__ = "consents"
    parent_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    given_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Application(Base):
    __tablename__ = "project_applications"
    __table_args__ = (
        UniqueConstraint("project_id", "child_id", name="uq_project_applications_child"),
        Index("ix_project_applications_project_status", "project_id", "status", "position"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"))
    parent_id: Mapped[int] = mapped_column(BigInteger, index=True)
    status: Mapped[str] = mapped_column(String(16))  # domain.projects.ApplicationStatus
    position: Mapped[int] = mapped_column(Integer)  # arrival order within the project
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)  # why it was rejected or cancelled
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    decided_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # -- the parent's side (issue #12, second part) --
    # A waiting application offered a freed place until this time (the place is held meanwhile).
    offer_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)  # the director approved its receipt
    extra: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")  # JSON: the extra answers given
