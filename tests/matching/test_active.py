"""Active learning: the pairs whose decision teaches most come first in the review."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.matching.test_service import RU_EDITOR, first_program, run
from unionsync.access.policy import SYSTEM
from unionsync.core.listing import ListParams
from unionsync.core.meta import DemoMatchTruth
from unionsync.matching.active import MIN_EACH, learner, teaching_order, teaching_values
from unionsync.matching.features import PairRecord
from unionsync.matching.models import Decision, Match
from unionsync.matching.service import (
    TEACHING_STEP,
    MatchFilter,
    decide,
    list_matches,
    rank_for_teaching,
    teaching_due,
    teaching_state,
)


def test_values_peak_at_the_threshold_and_fall_to_zero_where_certain():
    values = teaching_values(np.array([0.3, 0.0, 1.0, 0.65, 0.15]), 0.3)
    assert values.tolist() == pytest.approx([1.0, 1 - 0.3 / 0.7, 0.0, 0.5, 1 - 0.15 / 0.7])


def test_order_takes_a_few_pairs_of_each_item_before_more_of_one():
    values = np.array([0.99, 0.98, 0.97, 0.5, 0.4])
    assert teaching_order(values, ["a", "a", "a", "b", "c"], per_group=2) == [0, 1, 3, 4, 2]


def test_no_model_until_both_verdicts_are_there_a_few_times():
    pairs = [PairRecord(f"болт М{n}") for n in range(10)]
    assert learner(pairs, pairs, [1] * 8 + [0] * 2) is None
    assert learner(pairs, pairs, [1] * 7 + [0] * MIN_EACH) is not None


def test_decisions_teach_a_model_that_orders_the_review(demo_session: Session):
    program = first_program(demo_session, "RU")
    run(demo_session, program.id, top=15)  # enough candidates to hold false ones too
    truth = set(demo_session.execute(select(DemoMatchTruth.item_id, DemoMatchTruth.capability_id)))
    matches = demo_session.scalars(select(Match).order_by(Match.id)).all()
    assert rank_for_teaching(demo_session) == 0  # nothing decided yet: no model
    # an analyst decides the first eight true and the first eight false pairs, by the truth
    true_ones = [m for m in matches if (m.item_id, m.capability_id) in truth][:8]
    false_ones = [m for m in matches if (m.item_id, m.capability_id) not in truth][:8]
    assert len(false_ones) == 8
    for match in true_ones + false_ones:
        verdict = Decision.ACCEPTED if match in true_ones else Decision.REJECTED
        decide(demo_session, RU_EDITOR, match.id, verdict)
    demo_session.commit()
    assert teaching_due(demo_session)
    undecided = len(demo_session.scalars(select(Match.id).where(Match.decision.is_(None))).all())
    assert rank_for_teaching(demo_session) == undecided
    decided, learnt = teaching_state(demo_session)  # decisions are kept per two contents
    assert decided == learnt >= 2 * MIN_EACH and not teaching_due(demo_session)
    ranked = demo_session.scalars(
        select(Match).where(Match.decision.is_(None)).order_by(Match.teaching_rank)
    ).all()
    assert [m.teaching_rank for m in ranked] == list(range(undecided))
    # the model learnt from 16 decisions tells the true pairs from the others
    p = np.array([m.learner_probability for m in ranked])
    true = np.array([(m.item_id, m.capability_id) in truth for m in ranked])
    assert roc_auc_score(true, p) > 0.9  # 1.0 measured
    # and its least certain pairs come first
    listed = list_matches(
        demo_session,
        SYSTEM,
        MatchFilter(undecided=True, teaching_centre=0.7),
        ListParams(page=1, per_page=10),
    ).items
    assert [m.id for m in listed] == [m.id for m in ranked[:10]]
    assert all(m.decision is None for m in listed)
    # a few more decisions and the order is due to be learnt again
    for match in ranked[:10]:
        decide(demo_session, RU_EDITOR, match.id, Decision.REJECTED)
    demo_session.commit()
    now, _learnt = teaching_state(demo_session)
    assert now - learnt >= TEACHING_STEP and teaching_due(demo_session)
