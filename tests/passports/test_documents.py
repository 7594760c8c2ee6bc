"""Documents that can be filed: A4, headers repeated, rows kept whole, the recorded approvals in
the signature block, and the financing part for the bank that finances the passport."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

from docx import Document
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import make_settings, sign_in
from tests.passports.test_editing import COMPLETE, _ids
from unionsync.access.models import User
from unionsync.app import create_app
from unionsync.db.session import make_engine
from unionsync.passports import documents
from unionsync.passports.models import ParticipantRole, Passport, PassportParticipant


def _text(content: bytes) -> str:
    document = Document(BytesIO(content))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([*(p.text for p in document.paragraphs), *cells])


def test_a_reconciled_passport_prints_who_signed_which_version(people: dict[str, TestClient]):
    by, ru = people["by-editor"], people["ru-editor"]
    initiator, industry = _ids(by)
    made = by.post(
        "/api/v1/passports",
        json={
            "title": "Подписанный",
            "industry_id": industry,
            "initiator_id": initiator,
            "period_start": 2025,
            "period_end": 2028,
            "content": COMPLETE,
        },
    ).json()
    pid = made["id"]

    def act(client: TestClient, what: str) -> Any:
        return client.post(f"/api/v1/passports/{pid}/acts/{what}", json={}).json()

    act(by, "submit")
    act(ru, "accept")
    unsigned = by.get(f"/api/v1/passports/{pid}/document", params={"format": "docx"})
    assert "Согласовано:" not in _text(unsigned.content)  # lines to sign on, nothing recorded
    act(people["ru-approver"], "approve")
    assert act(people["by-approver"], "approve")["status"] == "reconciled"
    versions = by.get(f"/api/v1/passports/{pid}/versions").json()
    signed_hash = versions[-1]["content_hash"]
    answer = by.get(f"/api/v1/passports/{pid}/document", params={"format": "docx"})
    document = Document(BytesIO(answer.content))
    lines = [p.text for p in document.paragraphs]
    by_line = next(x for x in lines if x.startswith("Министерство промышленности Республики"))
    ru_line = next(x for x in lines if x.startswith("Министерство промышленности и торговли"))
    assert "Согласовано: by-approver" in by_line and signed_hash in by_line
    assert "Согласовано: ru-approver" in ru_line and f"версия {versions[-1]['number']}" in ru_line
    page = document.sections[0]
    assert round(page.page_width.mm) == 210 and round(page.page_height.mm) == 297  # A4
    header = document.tables[1].rows[0]._tr  # the participants' table
    assert (
        header.trPr is not None
        and header.trPr.find(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader"
        )
        is not None
    )
    pdf = by.get(f"/api/v1/passports/{pid}/document", params={"format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_pdf_tables_fit_the_page_and_repeat_their_headers():
    long_name = "Станок токарный с числовым программным управлением повышенной точности " * 3
    built = documents.build(
        {
            "number": "СГ-2026-001",
            "header": {"title": "Станки", "period_start": 2026, "period_end": 2029},
            "content": {
                "products": [
                    {"name": long_name, "tnved": "8458110000", "unit": "796", "capacity": "120"}
                ]
                * 40
            },
        },
        lang="ru",
        version=3,
        content_hash="ab" * 32,
        status="черновик",
        industry="Станкостроение",
        initiator="ОАО «Станкозавод»",
        participants=[],
    )
    source = documents.typst_source(built)
    assert "table.header(" in source and "#set table.cell(breakable: false)" in source
    assert "counter(page)" in source and "Стр." in source  # page n of N on every page
    products = next(line for line in source.splitlines() if "8458110000" in line)
    assert products.count("[#") == 9
    table = source[: source.index(products)].rsplit("#table(columns: (", 1)[1].split(")", 1)[0]
    weights = [int(w.removesuffix("fr")) for w in table.split(", ")]
    assert weights[0] == 40 and weights[1] >= len("8458110000")  # the code is never broken
    assert documents.to_pdf(built).startswith(b"%PDF")


def test_the_bank_reads_the_financing_part_and_gets_its_document(tmp_path: Path, demo_url: str):
    engine = make_engine(demo_url)
    with engine.connect() as connection:
        bank_id = connection.scalar(
            select(User.organization_id).where(User.username == "bank-viewer")
        )
        pid = connection.scalar(
            select(Passport.id)
            .join(PassportParticipant)
            .where(
                PassportParticipant.organization_id == bank_id,
                PassportParticipant.role == ParticipantRole.BANK,
            )
            .order_by(Passport.id)
        )
        passport = connection.execute(select(Passport).where(Passport.id == pid)).one()
    engine.dispose()
    sources = passport.content.get("financing") or []
    assert sources, "the demo passport a bank finances has financing sources"
    app = create_app(make_settings(tmp_path, demo_url))
    with TestClient(app) as bank:
        sign_in(bank, "bank-viewer")
        page = bank.get(f"/passports/{pid}").text
        section = page.split('id="section-financing"', 1)[1].split("</section>", 1)[0]
        assert str(sources[0]["year"]) in section and section.count("<tr>") >= len(sources) + 1
        assert 'id="section-products"' not in page and 'id="passport-hash"' not in page
        document = bank.get(f"/passports/{pid}/document.docx", params={"part": "financing"})
        assert document.status_code == 200, document.text[:300]
        assert "passport-financing-" in document.headers["content-disposition"]
        text = _text(document.content)
        assert "финансовая часть" in text and "Финансирование по источникам и годам" in text
        assert "Продукция" not in text and "Согласование сторон" not in text
        assert bank.get(f"/passports/{pid}/document.docx").status_code == 403  # not the whole
        assert bank.get(f"/passports/{pid}/document.pdf?part=everything").status_code == 422
