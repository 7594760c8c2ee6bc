"""A demo session without the demo's own financing, for tests that build theirs from nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session

from unionsync.finance.models import (
    Allocation,
    CreditAgreement,
    DrawdownRequest,
    Facility,
    Repayment,
)


@pytest.fixture
def bare_session(demo_session: Session) -> Session:
    for model in (DrawdownRequest, Repayment, CreditAgreement, Allocation, Facility):
        demo_session.execute(delete(model))
    demo_session.flush()
    return demo_session
