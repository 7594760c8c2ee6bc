"""The finance pages over the demo: figures in the user's language that link to their rows, a
bank that sees its own agreements only, forms that take amounts as users write them and name the
field of a mistake in Russian, the schedule in Excel adding up to the loan."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from tests.conftest import make_settings, sign_in
from unionsync.access.models import User
from unionsync.app import create_app
from unionsync.db.session import make_engine
from unionsync.finance.models import CreditAgreement, DrawdownRequest
from unionsync.web.csrf import CSRF_COOKIE, new_token


def _first(url: str, stmt):  # type: ignore[no-untyped-def]
    engine = make_engine(url)
    with engine.connect() as connection:
        value = connection.execute(stmt).scalars().first()
    engine.dispose()
    return value


def _post(client: TestClient, url: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    token = new_token(client.app.state.secret_key)  # type: ignore[attr-defined]
    client.cookies.set(CSRF_COOKIE, token)
    return client.post(url, data={**data, "csrf_token": token}, follow_redirects=False)


def test_the_facility_page_and_the_overview_card(client: TestClient):
    page = client.get("/finance")
    assert page.status_code == 200
    assert "Финансирование: государственный кредит" in page.text
    assert 'id="chart-drawdown"' in page.text and 'id="kpi-available"' in page.text
    for anchor in ("by-project", "by-bank", "by-month"):
        assert f'id="{anchor}"' in page.text
    overview = client.get("/")
    card = re.search(r'<article class="kpi" id="finance-card">(.*?)</article>', overview.text, re.S)
    assert card is not None
    assert "/finance#by-month" in card.group(1) and "16 кредитных договоров" in card.group(1)
    english = client.get("/finance", headers={"Accept-Language": "en"}, cookies={"lang": "en"})
    assert "Financing: the state loan facility" in english.text
    assert "drawn (cumulative)" in english.text  # the chart speaks the page's language


def test_a_bank_sees_its_share_only(tmp_path: Path, demo_url: str):
    app = create_app(make_settings(tmp_path, demo_url))
    bank_id = _first(demo_url, select(User.organization_id).where(User.username == "bank-viewer"))
    foreign = _first(demo_url, select(CreditAgreement.id).where(CreditAgreement.bank_id != bank_id))
    with TestClient(app) as bank:
        sign_in(bank, "bank-viewer")
        page = bank.get("/finance")
        assert page.status_code == 200
        assert "только договоры своего банка" in page.text
        assert 'id="kpi-available"' not in page.text
        assert "Белпромразвитие" not in page.text  # another bank's agreements
        assert bank.get(f"/finance/agreements/{foreign}").status_code == 403
        assert 'id="drawdown-form"' not in bank.get("/finance/inbox").text


def test_the_drawdown_form_takes_amounts_as_users_write_them(client: TestClient, demo_url: str):
    agreement = _first(demo_url, select(CreditAgreement.id).order_by(CreditAgreement.id))
    page = client.get(f"/finance/agreements/{agreement}")
    assert 'id="drawdown-form"' in page.text and 'id="drawdown-contract"' in page.text
    url = f"/finance/agreements/{agreement}/drawdowns"
    done = _post(client, url, {"amount": "1 250 000,50", "purpose": "Монтаж"})
    assert done.status_code == 303
    found = _first(
        demo_url,
        select(DrawdownRequest.amount).where(DrawdownRequest.purpose == "Монтаж"),
    )
    assert found == Decimal("1250000.50")
    wrong = _post(client, url, {"amount": "много", "purpose": "Монтаж"})
    assert wrong.status_code == 422
    assert "<li>Сумма: " in wrong.text and "не число" in wrong.text
    bad_rate = client.get("/passports/1/financing?b_rate=150")
    assert bad_rate.status_code == 422 and "введите процент от 0 до 100" in bad_rate.text


def test_the_schedule_in_excel_adds_up_to_the_loan(client: TestClient, demo_url: str):
    engine = make_engine(demo_url)
    with engine.connect() as connection:
        agreement = connection.execute(select(CreditAgreement).order_by(CreditAgreement.id)).first()
    engine.dispose()
    assert agreement is not None
    answer = client.get(f"/finance/agreements/{agreement.id}/schedule.xlsx")
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == agreement.periods + agreement.grace_periods
    principal = sum(Decimal(str(r[4])) for r in rows)
    assert principal == agreement.amount
