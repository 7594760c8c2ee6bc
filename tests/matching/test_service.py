"""Stored matching runs: quality on the demo truth, incremental re-runs, decisions reused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from unionsync.access.models import AuditEntry, Role, Side
from unionsync.access.policy import SYSTEM, PermissionDeniedError, Principal
from unionsync.catalog.models import Capability, Organization, Program, ProgramItem
from unionsync.core.errors import DomainValidationError
from unionsync.core.meta import DemoMatchTruth
from unionsync.matching.model import train
from unionsync.matching.models import Decision, Match, MatchDecision, MatchRun, RunStatus
from unionsync.matching.pairs import NamePair, as_records
from unionsync.matching.scoring import Band
from unionsync.matching.service import (
    Engine,
    decide,
    decisions_as_pairs,
    execute_run,
    request_run,
)
from unionsync.matching.vectors import VectorStore

BY_EDITOR = Principal("by-ed", Side.BY, Role.EDITOR, user_id=1)
RU_EDITOR = Principal("ru-ed", Side.RU, Role.EDITOR, user_id=2)


def run(session: Session, program_id: int, top: int = 5, **options: object) -> MatchRun:
    queued = request_run(session, SYSTEM, program_id, Engine(), top=top, **options)  # type: ignore[arg-type]
    session.commit()
    return execute_run(session, queued.id, Engine())


def first_program(session: Session, country: str) -> Program:
    return session.scalars(
        select(Program).where(Program.country_code == country).order_by(Program.id)
    ).first()


def test_runs_of_every_program_find_the_demo_truth(demo_session: Session):
    """Precision and recall of stored runs against the generator's links (an item has up to 13
    true producers, so 15 are kept per item; bench/match_demo.py gives the table)."""
    for program in demo_session.scalars(select(Program)).all():
        finished = run(demo_session, program.id, top=15)
        assert finished.status is RunStatus.DONE and finished.against != program.country_code
    truth = set(demo_session.execute(select(DemoMatchTruth.item_id, DemoMatchTruth.capability_id)))
    kept = set(
        demo_session.execute(
            select(Match.item_id, Match.capability_id).where(Match.band == Band.ACCEPT)
        )
    )
    every = set(demo_session.execute(select(Match.item_id, Match.capability_id)))
    precision = len(kept & truth) / len(kept)
    recall_accepted = len(kept & truth) / len(truth)
    recall_listed = len(every & truth) / len(truth)
    assert precision >= 0.9, precision
    assert recall_accepted >= 0.65 and recall_listed >= 0.8, (recall_accepted, recall_listed)


def test_a_second_run_compares_only_what_changed(demo_session: Session):
    program = first_program(demo_session, "RU")
    first = run(demo_session, program.id)
    assert first.items_matched == len(program.items) and first.items_unchanged == 0
    again = run(demo_session, program.id)
    assert (again.items_matched, again.capabilities_new, again.candidates) == (0, 0, 0)
    item = program.items[0]
    item.name_ru = item.name_ru + " (уточнено)"
    enterprise = demo_session.scalars(
        select(Organization).where(
            Organization.country_code == "BY", Organization.tax_id.is_not(None)
        )
    ).first()
    demo_session.add(
        Capability(
            enterprise_id=enterprise.id,
            product_name=program.items[1].name_ru,
            tnved_code=program.items[1].tnved_code,
            unit_okei=program.items[1].unit_okei,
            capacity_per_year=100,
        )
    )
    demo_session.commit()
    third = run(demo_session, program.id)
    assert third.items_matched == 1 and third.capabilities_new == 1
    assert third.items_unchanged == len(program.items) - 1
    new_cap = demo_session.scalars(select(Capability).order_by(Capability.id.desc())).first()
    assert (
        demo_session.scalar(
            select(Match.band).where(
                Match.item_id == program.items[1].id, Match.capability_id == new_cap.id
            )
        )
        is Band.ACCEPT
    )


def test_a_runs_progress_is_not_audited(demo_session: Session):
    """The trail holds the run's request, start and end, not every progress step."""
    program = first_program(demo_session, "RU")
    before = demo_session.scalar(select(func.max(AuditEntry.seq))) or 0
    finished = run(demo_session, program.id)
    assert finished.status is RunStatus.DONE and finished.total > 0
    entries = demo_session.scalars(
        select(AuditEntry).where(AuditEntry.seq > before, AuditEntry.entity == "match_run")
    ).all()
    assert [entry.action for entry in entries] == ["create", "update", "update"]
    assert all("done" not in (entry.after or {}) for entry in entries)


def test_full_run_and_top_limit(demo_session: Session):
    program = first_program(demo_session, "BY")
    run(demo_session, program.id, top=2)
    full = run(demo_session, program.id, top=2, full=True)
    assert full.items_matched == len(program.items)
    per_item = (
        demo_session.execute(
            select(Match.item_id).join(ProgramItem).where(ProgramItem.program_id == program.id)
        )
        .scalars()
        .all()
    )
    assert max(per_item.count(i) for i in set(per_item)) <= 2


def test_decisions_follow_the_content_into_a_reuploaded_program(demo_session: Session):
    program = first_program(demo_session, "RU")
    run(demo_session, program.id)
    match = demo_session.scalars(
        select(Match)
        .join(ProgramItem)
        .where(ProgramItem.program_id == program.id, Match.band == Band.ACCEPT)
        .order_by(Match.id)
    ).first()
    item = match.item
    with pytest.raises(PermissionDeniedError):
        decide(demo_session, BY_EDITOR, match.id, Decision.REJECTED)  # a Russian program
    decide(demo_session, RU_EDITOR, match.id, Decision.REJECTED)
    demo_session.commit()
    copy = {k: getattr(item, k) for k in ("position", "name_ru", "tnved_code", "unit_okei")}
    capability_id = match.capability_id
    demo_session.delete(item)  # the program is uploaded again: the line comes back with a new id
    demo_session.commit()
    assert demo_session.scalar(select(Match.id).where(Match.id == match.id)) is None
    reborn = ProgramItem(program_id=program.id, **copy)
    demo_session.add(reborn)
    demo_session.commit()
    again = run(demo_session, program.id)
    assert again.decisions_reused == 1
    reused = demo_session.scalars(
        select(Match).where(Match.item_id == reborn.id, Match.capability_id == capability_id)
    ).one()
    assert reused.decision is Decision.REJECTED and reused.decision_reused
    assert reused.decided_by == "ru-ed"
    decide(demo_session, RU_EDITOR, reused.id, None)  # withdrawn: forgotten by content too
    demo_session.commit()
    assert demo_session.scalars(select(MatchDecision)).all() == []


def test_requests_are_checked(demo_session: Session):
    program = first_program(demo_session, "BY")
    with pytest.raises(PermissionDeniedError):
        request_run(demo_session, RU_EDITOR, program.id, Engine())
    with pytest.raises(DomainValidationError):
        request_run(demo_session, BY_EDITOR, program.id, Engine(), against="KZ")
    with pytest.raises(DomainValidationError):
        request_run(demo_session, BY_EDITOR, program.id, Engine(), top=0)


class CountingEmbedder:
    """Deterministic vectors from letters, counting what it was asked to embed."""

    name = "counting"

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def passages(self, texts):
        self.embedded += list(texts)
        rows = np.zeros((len(texts), 8), dtype=np.float32)
        for i, text in enumerate(texts):
            for ch in text:
                rows[i, ord(ch) % 8] += 1
        return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-9)

    def query(self, text):
        return self.passages([text])[0]


def test_vectors_are_computed_once_per_name_and_kept(tmp_path: Path):
    embedder = CountingEmbedder()
    store = VectorStore(embedder, tmp_path)
    first = store.vectors(["подшипник 6205", "станок", "подшипник 6205"])
    assert embedder.embedded == ["подшипник 6205", "станок"]
    assert np.allclose(first[0], first[2])
    reopened = VectorStore(embedder, tmp_path)
    again = reopened.vectors(["станок", "редуктор"])
    assert embedder.embedded[-1:] == ["редуктор"] and len(embedder.embedded) == 3
    assert np.allclose(again[0], first[1]) and len(reopened) == 3


def test_runs_with_sentence_vectors_embed_each_name_once(demo_session: Session, tmp_path: Path):
    embedder = CountingEmbedder()
    engine = Engine(vectors_dir=tmp_path / "vectors", embedder=embedder)
    program = first_program(demo_session, "BY")
    queued = request_run(demo_session, SYSTEM, program.id, engine)
    demo_session.commit()
    execute_run(demo_session, queued.id, engine)
    first = len(embedder.embedded)
    assert first == len(set(embedder.embedded)) > len(program.items)
    evidence = demo_session.scalars(select(Match.evidence)).all()
    assert any(step["feature"] == "meaning" for steps in evidence for step in steps)
    again = request_run(demo_session, SYSTEM, program.id, engine, full=True)
    demo_session.commit()
    execute_run(demo_session, again.id, engine)
    assert len(embedder.embedded) == first  # a full re-run reads every vector from the store


def test_a_run_can_score_with_a_trained_model(demo_session: Session, tmp_path: Path):
    """Reviewers' decisions become training pairs, and the model they train scores runs."""
    program = first_program(demo_session, "RU")
    run(demo_session, program.id, top=15)  # wide enough to keep some wrong matches
    matches = demo_session.scalars(
        select(Match).join(ProgramItem).where(ProgramItem.program_id == program.id)
    ).all()
    truth = set(demo_session.execute(select(DemoMatchTruth.item_id, DemoMatchTruth.capability_id)))
    for match in matches:  # a reviewer who knows the truth
        verdict = (match.item_id, match.capability_id) in truth
        decide(
            demo_session, RU_EDITOR, match.id, Decision.ACCEPTED if verdict else Decision.REJECTED
        )
    demo_session.commit()
    rows = decisions_as_pairs(demo_session, SYSTEM)
    # one decision per distinct pair of contents (two items may name the same product)
    assert 0 < len(rows) <= len(matches) and {r["label"] for r in rows} == {0, 1}
    pairs = [
        NamePair(r["left_name"], r["right_name"], r["left_code"] or None, r["right_code"] or None)
        for r in rows
    ]
    scorer = train(*as_records(pairs), [int(r["label"]) for r in rows])
    scorer.save(tmp_path / "model.joblib")
    engine = Engine(model_path=tmp_path / "model.joblib")
    queued = request_run(demo_session, SYSTEM, program.id, engine, top=15, full=True)
    demo_session.commit()
    finished = execute_run(demo_session, queued.id, engine)
    assert finished.status is RunStatus.DONE and finished.scorer == "model model.joblib"
    assert finished.decisions_reused >= len(matches)  # the verdicts survive a full re-run
