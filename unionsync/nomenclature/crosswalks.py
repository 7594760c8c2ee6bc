"""Crosswalks between classifiers: imported from CSV, defined (TN VED → HS by the first six
digits), or learned from catalogue rows that carry both an OKPD2 and a TN VED code."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from unionsync.access import audit
from unionsync.catalog.models import Capability
from unionsync.core.messages import N_
from unionsync.core.tabular import ImportFailedError, NumberError, RowError, Sheet, parse_decimal
from unionsync.nomenclature.models import CodeSystem, Crosswalk, NomenclatureCode

HS6_SOURCE = "defined: HS subheading of the TN VED code"
LEARNED_SOURCE = "learned from catalogue rows with both codes"
COLUMNS = ("from_system", "from_code", "to_system", "to_code", "confidence")


@dataclass(frozen=True, slots=True)
class Link:
    from_system: CodeSystem
    from_code: str
    to_system: CodeSystem
    to_code: str
    confidence: Decimal
    evidence: int = 1


def replace_links(session: Session, source: str, links: Sequence[Link]) -> int:
    """The links of one source, replaced as a whole (re-running a source is idempotent)."""
    session.execute(delete(Crosswalk).where(Crosswalk.source == source))
    if links:
        session.execute(
            insert(Crosswalk),
            [
                {
                    "from_system": x.from_system,
                    "from_code": x.from_code,
                    "to_system": x.to_system,
                    "to_code": x.to_code,
                    "confidence": x.confidence,
                    "evidence": x.evidence,
                    "source": source,
                }
                for x in links
            ],
        )
    audit.record(session, "crosswalk_load", "crosswalk", source, after={"links": len(links)})
    return len(links)


def read_csv_links(sheet: Sheet) -> list[Link]:
    """Rows `from_system,from_code,to_system,to_code[,confidence]`; every bad cell is reported."""
    errors: list[RowError] = []
    missing = [c for c in COLUMNS[:4] if c not in sheet.headers]
    if missing:
        raise ImportFailedError(
            [
                RowError.explained(
                    sheet.name, 1, c, N_("required column is missing (in English: %(en)s)"), en=c
                )
                for c in missing
            ]
        )
    links = []
    for number, cells in sheet.rows:
        link = _link(sheet.name, number, cells, errors)
        if link is not None:
            links.append(link)
    if errors:
        raise ImportFailedError(errors)
    return links


def _link(file: str, row: int, cells: dict[str, object], errors: list[RowError]) -> Link | None:
    before = len(errors)
    systems = []
    for column in ("from_system", "to_system"):
        value = str(cells.get(column) or "").strip().lower()
        if value not in set(CodeSystem):
            errors.append(
                RowError.explained(
                    file, row, column, N_("unknown classifier; use tnved, hs or okpd2"), value
                )
            )
        systems.append(value)
    codes = [str(cells.get(c) or "").strip().replace(" ", "") for c in ("from_code", "to_code")]
    for column, code in zip(("from_code", "to_code"), codes, strict=True):
        if not code:
            errors.append(RowError.explained(file, row, column, N_("required value is missing")))
    confidence = Decimal(1)
    try:
        parsed = parse_decimal(cells.get("confidence"))
        confidence = parsed if parsed is not None else confidence
    except NumberError as exc:
        errors.append(
            RowError.explained(
                file, row, "confidence", exc.template, cells.get("confidence"), **exc.params
            )
        )
    if not Decimal(0) <= confidence <= Decimal(1):
        errors.append(
            RowError.explained(
                file, row, "confidence", N_("a confidence between 0 and 1 is expected"), confidence
            )
        )
    if len(errors) > before:
        return None
    return Link(
        CodeSystem(systems[0]),
        codes[0],
        CodeSystem(systems[1]),
        codes[1],
        confidence.quantize(Decimal("0.001")),
    )


def derive_hs6(session: Session) -> list[Link]:
    """Every valid 10-digit TN VED code → its HS 2022 subheading, when HS is loaded."""
    hs6 = set(
        session.scalars(
            select(NomenclatureCode.code).where(
                NomenclatureCode.system == CodeSystem.HS, NomenclatureCode.level == 6
            )
        )
    )
    tnved = session.scalars(
        select(NomenclatureCode.code).where(
            NomenclatureCode.system == CodeSystem.TNVED,
            NomenclatureCode.level == 10,
            NomenclatureCode.valid_to.is_(None),
        )
    ).all()
    return [
        Link(CodeSystem.TNVED, code, CodeSystem.HS, code[:6], Decimal(1))
        for code in sorted(set(tnved))
        if code[:6] in hs6
    ]


def learn_okpd2_tnved(session: Session, minimum_rows: int = 1) -> list[Link]:
    """OKPD2 → TN VED pairs seen on capabilities that carry both; confidence = the share of
    the OKPD2 code's rows that name that TN VED code."""
    rows = session.execute(
        select(Capability.okpd2_code, Capability.tnved_code).where(
            Capability.okpd2_code.is_not(None), Capability.tnved_code.is_not(None)
        )
    )
    pairs: Counter[tuple[str, str]] = Counter(
        (okpd2, tnved) for okpd2, tnved in rows if okpd2 and tnved
    )
    totals: defaultdict[str, int] = defaultdict(int)
    for (okpd2, _tnved), count in pairs.items():
        totals[okpd2] += count
    return [
        Link(
            CodeSystem.OKPD2,
            okpd2,
            CodeSystem.TNVED,
            tnved,
            (Decimal(count) / totals[okpd2]).quantize(Decimal("0.001")),
            count,
        )
        for (okpd2, tnved), count in sorted(pairs.items())
        if count >= minimum_rows
    ]


def links_of(session: Session, system: CodeSystem, code: str) -> Sequence[Crosswalk]:
    """Every crosswalk that starts or ends at the code."""
    return session.scalars(
        select(Crosswalk)
        .where(
            ((Crosswalk.from_system == system) & (Crosswalk.from_code == code))
            | ((Crosswalk.to_system == system) & (Crosswalk.to_code == code))
        )
        .order_by(Crosswalk.confidence.desc())
    ).all()
