"""Candidate generation finds the true pairs: small hand cases and recall on the demo."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from unionsync.catalog.models import Capability, ProgramItem
from unionsync.core.meta import DemoMatchTruth
from unionsync.matching.candidates import MatchRecord, candidates, code_blocks

LEFT = [
    MatchRecord(1, "Подшипник шариковый радиальный однорядный 6205-2RS", "8482109008"),
    MatchRecord(2, "Станок токарный с ЧПУ 16А20Ф3", "8458118000"),
    MatchRecord(3, "Шприц инъекционный однократного применения 5 мл", None),
]
RIGHT = [
    MatchRecord(10, "подшипники шарик. рад. 6205 2RS", "8482"),
    MatchRecord(11, "токарный обрабатывающий центр 16А20Ф3", None),
    MatchRecord(12, "шприцы одноразовые 5 мл", "9018311009"),
    MatchRecord(13, "Редуктор цилиндрический", "8483402900"),
]


def test_codes_block_at_the_deepest_common_level():
    blocks = code_blocks(LEFT, RIGHT)
    assert blocks[1] == {10}  # 10 digits on the left, 4 on the right: compared at 4
    assert blocks[2] == set()


def test_every_hand_made_true_pair_is_a_candidate():
    found = {(c.left, c.right) for c in candidates(LEFT, RIGHT, top=2)}
    assert {(1, 10), (2, 11), (3, 12)} <= found


def test_candidate_recall_on_the_demo_truth(demo_session: Session):
    """The share of the demo's true item–capability links this stage proposes."""
    items = demo_session.scalars(
        select(ProgramItem).options(selectinload(ProgramItem.program))
    ).all()
    capabilities = demo_session.scalars(
        select(Capability).options(selectinload(Capability.enterprise))
    ).all()
    truth = {
        (item, capability)
        for item, capability in demo_session.execute(
            select(DemoMatchTruth.item_id, DemoMatchTruth.capability_id)
        )
    }
    found: set[tuple[int, int]] = set()
    for country, partner in (("RU", "BY"), ("BY", "RU")):
        left = [
            MatchRecord(i.id, i.name_ru, i.tnved_code)
            for i in items
            if i.program.country_code == country
        ]
        right = [
            MatchRecord(c.id, c.product_name, c.tnved_code)
            for c in capabilities
            if c.enterprise.country_code == partner
        ]
        found |= {(c.left, c.right) for c in candidates(left, right, top=20)}
    recall = len(truth & found) / len(truth)
    per_item = len(found) / len(items)
    assert recall >= 0.95, recall
    assert per_item <= 60, per_item


def test_the_text_neighbours_do_not_depend_on_the_chunk_of_lines(monkeypatch: pytest.MonkeyPatch):
    """The n-gram product is taken a chunk of left lines at a time, fewer lines the larger the
    catalogue (its memory grows with both); the proposals are the same for any chunk."""
    from unionsync.matching import candidates as module

    kinds = ["подшипник шариковый", "станок токарный", "шприц одноразовый", "редуктор", "насос"]
    right = [
        MatchRecord(100 + n, f"{kinds[n % 5]} модель {n % 17}-{n % 7}", None) for n in range(300)
    ]
    left = [MatchRecord(n, f"{kinds[n % 5]} {n % 17}-{n % 3}", None) for n in range(40)]
    whole = candidates(left, right, top=5)
    monkeypatch.setattr(module, "PRODUCT_CELLS", 3 * len(right))  # three left lines a chunk
    assert candidates(left, right, top=5) == whole
    monkeypatch.setattr(module, "PRODUCT_CELLS", 1)  # one line a chunk
    assert candidates(left, right, top=5) == whole
