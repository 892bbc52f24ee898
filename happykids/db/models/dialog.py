"""Parents, their dialog state, the funnel events and the director's text overrides."""

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from happykids.db.base import Base, utcnow


class Parent(Base):
    """Everyone who wrote to the bot; `blocked` is set when Telegram says they blocked it."""

    __tablename__ = "parents"
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    first_name: Mapped[str] = mapped_column(Text, default="")
    last_name: Mapped[str | None] = mapped_column(Text, nullable=True)
    username: Mapped[str | None] = mapped_column(String(64), nullable=True)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    first_seen: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class FsmRecord(Base):
    """aiogram FSM state and data, one row per storage key, so a dialog survives restarts."""

    __tablename__ = "fsm_records"
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(255), nullable=True)
    data: Mapped[str] = mapped_column(Text, default="{}")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class FunnelEvent(Base):
    """One step a parent reached; only the user id and the group code, nothing more personal."""

    __tablename__ = "funnel_events"
    __table_args__ = (Index("ix_funnel_events_kind_at", "kind", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    group_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    project_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the projects' funnel (project_*)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class TextOverride(Base):
    __tablename__ = "text_overrides"
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
