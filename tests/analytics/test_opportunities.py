"""Bilateral opportunities on the demo: ranked, explained, split into supply-now and
start-production, and one of them drafted as a passport."""

from __future__ import annotations

import numpy as np
from sqlalchemy.orm import Session

from unionsync.access.policy import SYSTEM
from unionsync.analytics.opportunities import layout, opportunities, product_space


def test_ranked_and_explained(demo_session: Session):
    ranked = opportunities(demo_session, SYSTEM, "RU", "BY")
    assert len(ranked) > 20
    assert [o.score for o in ranked] == sorted((o.score for o in ranked), reverse=True)
    assert {o.kind for o in ranked} <= {"supply", "start", "watch"}
    for o in ranked:
        assert o.demand_value > 0 and 0 <= o.density <= 1 and o.items
        text = o.explanation("Беларусь")
        assert "млн RUB" in text and "Беларусь" in text
    # without a coverage answer nothing is covered: no «supply now» is claimed
    assert all(o.covered == 0 for o in ranked)


def test_product_space_from_co_production(demo_session: Session):
    products, proximity, by_country = product_space(demo_session)
    assert len(products) == proximity.shape[0] > 10
    assert np.allclose(proximity, proximity.T) and (np.diag(proximity) == 0).all()
    assert by_country["BY"] and by_country["RU"]
    points = layout(proximity)
    assert points.shape == (len(products), 2) and np.isfinite(points).all()


def test_the_page_and_the_draft_action(client):
    page = client.get("/opportunities", params={"demand": "RU"})
    assert page.status_code == 200 and 'id="opportunities"' in page.text
    assert 'id="chart-space-BY"' in page.text and 'id="chart-space-RU"' in page.text
    assert "/passports/from-item/" in page.text  # a candidate can become a draft passport
