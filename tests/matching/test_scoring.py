"""The default scorer: evidence steps, bands, and its precision/recall on the demo truth."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from unionsync.catalog.models import Capability, ProgramItem
from unionsync.core.meta import DemoMatchTruth
from unionsync.matching.candidates import MatchRecord, candidates
from unionsync.matching.scoring import (
    DEFAULT_WEIGHTS,
    Band,
    Thresholds,
    probability,
    score_candidates,
    score_pair,
)

ITEM = MatchRecord(1, "Микросхема памяти DDR4 8 Гбит", "8542323900")


def test_the_same_variant_is_accepted_with_its_reasons():
    steps = score_pair(ITEM, MatchRecord(2, "ИМС ОЗУ DDR4 8 Гбит", "8542"), 0.6)
    p = probability(steps)
    assert Thresholds().band(p) is Band.ACCEPT
    sentences = [s.sentence for s in steps]
    assert "codes agree to 4 digits" in sentences and "the same numbers" in sentences


def test_another_size_of_the_same_family_is_never_accepted_automatically():
    other = score_pair(ITEM, MatchRecord(3, "Микросхема памяти DDR4 16 Гбит", "8542323900"), 0.95)
    same = score_pair(ITEM, MatchRecord(5, "Микросхема памяти DDR4 8 Гбит", "8542323900"), 0.95)
    assert Thresholds().band(probability(other)) is not Band.ACCEPT
    assert probability(other) < 0.5 * probability(same) + 0.5
    assert any("different numbers" in s.sentence for s in other)


def test_disagreeing_codes_and_units_weigh_against():
    steps = score_pair(
        ITEM, MatchRecord(4, "Микросхема памяти DDR4 8 Гбит", "8471"), 0.9, "796", "166"
    )
    assert {s.feature for s in steps if s.weight < 0} >= {"code", "unit", "prior"}


def test_default_scorer_on_the_demo_truth(demo_session: Session):
    items = {
        i.id: i
        for i in demo_session.scalars(
            select(ProgramItem).options(selectinload(ProgramItem.program))
        )
    }
    caps = {
        c.id: c
        for c in demo_session.scalars(
            select(Capability).options(selectinload(Capability.enterprise))
        )
    }
    truth = {
        (a, b)
        for a, b in demo_session.execute(
            select(DemoMatchTruth.item_id, DemoMatchTruth.capability_id)
        )
    }
    scored = []
    for country, partner in (("RU", "BY"), ("BY", "RU")):
        left = [
            MatchRecord(i.id, i.name_ru, i.tnved_code)
            for i in items.values()
            if i.program.country_code == country
        ]
        right = [
            MatchRecord(c.id, c.product_name, c.tnved_code)
            for c in caps.values()
            if c.enterprise.country_code == partner
        ]
        pairs = candidates(left, right, top=20)
        scored += score_candidates(left, right, pairs, weights=DEFAULT_WEIGHTS)
    found = {(s.left, s.right) for s in scored if s.probability >= 0.7}
    true_positives = len(found & truth)
    precision, recall = true_positives / len(found), true_positives / len(truth)
    assert precision >= 0.75 and recall >= 0.75, (precision, recall)


def test_probabilities_alone_compare_each_pair_as_the_evidence_does(demo_session: Session):
    """`score_probabilities` (millions of pairs: levels only, forked workers preparing their
    own records) reaches the same levels and probabilities as the evidence path."""
    import numpy as np

    from unionsync.matching import scoring
    from unionsync.matching.candidates import Candidate
    from unionsync.matching.parallel import SMALL

    items = demo_session.scalars(select(ProgramItem).order_by(ProgramItem.id).limit(200)).all()
    caps = demo_session.scalars(select(Capability).order_by(Capability.id).limit(150)).all()
    left = [MatchRecord(i.id, i.name_ru, i.tnved_code) for i in items]
    right = [MatchRecord(c.id, c.product_name, c.tnved_code) for c in caps]
    rng = np.random.default_rng(4)
    pairs = [
        Candidate(a.key, b.key, float(rng.random()), float(rng.random()) * 0.95)
        for a in left
        for b in right
    ]
    assert len(pairs) > SMALL  # the forked path
    units = {("left", i.id): i.unit_okei for i in items}
    units |= {("right", c.id): c.unit_okei for c in caps}
    evidence, _shown = scoring._compared(left, right, pairs, units, None)
    alone = scoring._levels(left, right, pairs, units, None, 2, None)
    assert alone.dtype == np.int8 and np.array_equal(alone, evidence)
    assert len({tuple(row) for row in alone.tolist()}) > 20  # many kinds of pairs
    p = scoring.score_probabilities(left, right, pairs, units, processes=2, weights=DEFAULT_WEIGHTS)
    scored = score_candidates(left, right, pairs, units=units, weights=DEFAULT_WEIGHTS)
    assert np.allclose(p, [s.probability for s in scored], atol=1e-3)
