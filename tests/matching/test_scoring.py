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
