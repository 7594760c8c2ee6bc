"""Stored matching: runs, the matches they found with their evidence, and reviewers' decisions.

A decision is kept twice: on the match (for the lists) and in `match_decision`, keyed by the
content of the two records (normalised name, code, enterprise), not by their ids. A program
uploaded again gets new item ids, but the same lines find the same decisions there.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from unionsync.catalog.models import Capability, Program, ProgramItem
from unionsync.db.base import Base, str_enum, utcnow
from unionsync.db.types import UtcDateTime
from unionsync.matching.scoring import Band


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Decision(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class MatchRun(Base):
    """One matching of a program's items against the partner's capabilities."""

    __tablename__ = "match_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"))
    against: Mapped[str] = mapped_column(String(2))
    top: Mapped[int] = mapped_column(Integer)
    full: Mapped[bool] = mapped_column(default=False)
    scorer: Mapped[str] = mapped_column(String(200))
    accept_threshold: Mapped[float] = mapped_column(Float)
    review_threshold: Mapped[float] = mapped_column(Float)
    status: Mapped[RunStatus] = mapped_column(str_enum(RunStatus, 10), default=RunStatus.QUEUED)
    stage: Mapped[str | None] = mapped_column(String(60))
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    items_matched: Mapped[int] = mapped_column(Integer, default=0)
    items_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    capabilities_new: Mapped[int] = mapped_column(Integer, default=0)
    candidates: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    review: Mapped[int] = mapped_column(Integer, default=0)
    decisions_reused: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(80))
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    program: Mapped[Program] = relationship()


class Match(Base):
    """A program item and a capability that may make its product, with the evidence."""

    __tablename__ = "match"
    __table_args__ = (
        UniqueConstraint("item_id", "capability_id"),
        Index("ix_match_band", "band"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("program_item.id", ondelete="CASCADE"))
    capability_id: Mapped[int] = mapped_column(
        ForeignKey("capability.id", ondelete="CASCADE"), index=True
    )
    run_id: Mapped[int | None] = mapped_column(ForeignKey("match_run.id", ondelete="SET NULL"))
    probability: Mapped[float] = mapped_column(Float)
    band: Mapped[Band] = mapped_column(str_enum(Band, 8))
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    why: Mapped[str] = mapped_column(Text)
    decision: Mapped[Decision | None] = mapped_column(str_enum(Decision, 10))
    decided_by: Mapped[str | None] = mapped_column(String(80))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    decision_reused: Mapped[bool] = mapped_column(default=False)
    # Active learning (matching/active.py): the place of this undecided match in the order that
    # teaches a model most, and that model's probability; None until ranked
    teaching_rank: Mapped[int | None] = mapped_column()
    learner_probability: Mapped[float | None] = mapped_column(Float)

    item: Mapped[ProgramItem] = relationship()
    capability: Mapped[Capability] = relationship()


class MatchDecision(Base):
    """A reviewer's verdict on two records' contents; reused on re-upload, used for training."""

    __tablename__ = "match_decision"
    __table_args__ = (UniqueConstraint("left_key", "right_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    left_key: Mapped[str] = mapped_column(String(40))
    right_key: Mapped[str] = mapped_column(String(40))
    left_name: Mapped[str] = mapped_column(String(500))
    right_name: Mapped[str] = mapped_column(String(500))
    left_code: Mapped[str | None] = mapped_column(String(10))
    right_code: Mapped[str | None] = mapped_column(String(10))
    decision: Mapped[Decision] = mapped_column(str_enum(Decision, 10))
    decided_by: Mapped[str] = mapped_column(String(80))
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class MatchSeen(Base):
    """The content a record had when it was last matched (what makes a run incremental)."""

    __tablename__ = "match_seen"
    __table_args__ = (UniqueConstraint("program_id", "against", "kind", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"))
    against: Mapped[str] = mapped_column(String(2))
    kind: Mapped[str] = mapped_column(String(10))  # "item" or "capability"
    record_id: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(40))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("match_run.id", ondelete="SET NULL"))
