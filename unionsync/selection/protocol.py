"""The tender protocol (evaluation and award) as DOCX and PDF, Russian or English, laid out like
the passport documents (`passports/documents.py`): facts, bidders, one table per lot with every
bid ranked, the awards, and the SHA-256 of the protocol's content in every page's footer, so a
signed paper can be matched to what the system holds."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from unionsync.access.policy import Principal
from unionsync.passports.documents import PassportDocument, to_docx, to_pdf
from unionsync.selection import tenders
from unionsync.selection.models import Tender

MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
WORDS = {
    "ru": {
        "kind": "Протокол рассмотрения и оценки заявок и подведения итогов закупки оборудования",
        "number": "Номер",
        "passport": "Паспорт проекта",
        "buyer": "Заказчик",
        "method": "Способ закупки",
        "rationale": "Обоснование способа",
        "criteria": "Критерий оценки",
        "period": "Срок подачи заявок",
        "status": "Состояние",
        "currency": "Валюта сравнения",
        "bidder": "участник закупки",
        "lot": "Лот",
        "rank": "Место",
        "supplier": "Участник",
        "origin": "Страна происхождения",
        "units": "Ед.",
        "amount": "Цена заявки",
        "compared": "В валюте сравнения",
        "quality": "Качество",
        "score": "Балл",
        "result": "Итог",
        "winner": "победитель",
        "none": "заявок нет: лот не состоялся",
        "awards": "Итоги по лотам",
        "price_only": "по наименьшей цене",
        "rated": "по цене и качеству (вес цены %s)",
    },
    "en": {
        "kind": "Protocol of the evaluation of bids and the award of an equipment tender",
        "number": "Number",
        "passport": "Project passport",
        "buyer": "Buyer",
        "method": "Procurement method",
        "rationale": "Reason for the method",
        "criteria": "Award criteria",
        "period": "Tender period",
        "status": "State",
        "currency": "Comparison currency",
        "bidder": "bidder",
        "lot": "Lot",
        "rank": "Rank",
        "supplier": "Bidder",
        "origin": "Origin",
        "units": "Units",
        "amount": "Bid price",
        "compared": "In comparison currency",
        "quality": "Quality",
        "score": "Score",
        "result": "Result",
        "winner": "winner",
        "none": "no bids: the lot is unsuccessful",
        "awards": "Awards by lot",
        "price_only": "lowest price",
        "rated": "price and quality (price weight %s)",
    },
}


def _money(value: Decimal) -> str:
    return f"{value:,.2f}".replace(",", "\u2009")


def content(tender: Tender, lang: str) -> tuple[dict[str, Any], PassportDocument]:
    """The protocol's content (hashed) and its document."""
    words = WORDS[lang]
    criteria = (
        words["price_only"]
        if tender.award_criteria.value == "priceOnly"
        else words["rated"] % tender.price_weight
    )
    facts = [
        (words["number"], tender.number),
        (words["passport"], f"{tender.passport.number} {tender.passport.title}"),
        (words["buyer"], tender.buyer.name),
        (words["method"], tender.method.value),
        (words["criteria"], criteria),
        (
            words["period"],
            f"{tender.tender_start:%Y-%m-%d %H:%M} – {tender.tender_end:%Y-%m-%d %H:%M} UTC",
        ),
        (words["currency"], tender.currency.value),
        (words["status"], tender.status.value),
    ]
    if tender.method_rationale:
        facts.insert(4, (words["rationale"], tender.method_rationale))
    bidders = sorted(
        {(b.supplier.name, b.supplier.country_code) for lot in tender.lots for b in lot.bids}
    )
    participants = [(words["bidder"], country, name) for name, country in bidders]
    headers = [
        words["rank"],
        words["supplier"],
        words["origin"],
        words["units"],
        words["amount"],
        words["compared"],
        words["quality"],
        words["score"],
        words["result"],
    ]
    sections: list[tuple[str, list[str], list[list[str]], bool]] = []
    outcome = []
    for lot in tender.lots:
        ranked = tenders.evaluate(tender, lot)
        rows = [
            [
                str(r.rank),
                r.bid.supplier.name,
                r.bid.origin,
                str(r.bid.units),
                f"{_money(r.bid.amount)} {r.bid.currency.value}",
                _money(r.bid.amount_in_tender),
                "" if r.bid.quality is None else str(r.bid.quality),
                str(r.score),
                words["winner"] if r.rank == 1 and tender.status.value == "complete" else "",
            ]
            for r in ranked
        ]
        title = f"{words['lot']} {lot.position}: {lot.name} ({lot.quantity} {words['units']})"
        sections.append((title, headers, rows, True))
        best = ranked[0] if ranked else None
        outcome.append(
            [
                str(lot.position),
                lot.name,
                best.bid.supplier.name if best else words["none"],
                _money(best.bid.amount_in_tender) if best else "",
            ]
        )
    sections.append(
        (
            words["awards"],
            [words["lot"], "", words["supplier"], words["compared"]],
            outcome,
            True,
        )
    )
    data = {"facts": facts, "participants": participants, "sections": sections}
    digest = hashlib.sha256(
        json.dumps(data, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")
    ).hexdigest()
    document = PassportDocument(
        lang, tender.title, words["kind"], facts, participants, sections, 1, digest
    )
    return data, document


def tender_protocol(
    session: Session, actor: Principal, tender_id: int, fmt: str, lang: str
) -> tuple[bytes, str, str]:
    """(file, name, media type) of the protocol."""
    tender = tenders.get_tender(session, actor, tender_id)
    _data, document = content(tender, lang)
    data = to_docx(document) if fmt == "docx" else to_pdf(document)
    return data, f"{tender.number}-protocol-{lang}.{fmt}", MEDIA[fmt]
