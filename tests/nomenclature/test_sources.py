"""The official classifier files import cleanly, idempotently, with editions and readable labels."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import shared_data
from unionsync.access.policy import SYSTEM
from unionsync.catalog.transfer import import_programs
from unionsync.core.tabular import read_table
from unionsync.nomenclature import service
from unionsync.nomenclature.models import CodeSystem, NomenclatureCode
from unionsync.nomenclature.sources import (
    CodeRecord,
    leaf_text,
    read_hs_csv,
    read_okpd2,
    read_tnved_dir,
)


def test_official_tnved_files_read_with_their_history():
    records = read_tnved_dir(shared_data("nomenclature", "tnved-eaeu"))
    by_level = {lvl: sum(1 for r in records if r.level == lvl) for lvl in (0, 2, 4, 10)}
    assert by_level == {0: 149, 2: 722, 4: 6591, 10: 12715}
    horses = [r for r in records if r.code == "0101" and r.level == 4]
    assert len(horses) > 1 and horses[0].valid_to is not None
    assert any(r.code == "8482101009" and r.parent == "8482" for r in records)


def test_hs_and_okpd2_files_read_completely():
    hs = read_hs_csv(shared_data("nomenclature", "hs2022-en", "harmonized-system.csv"))
    assert len(hs) == 97 + 1229 + 5613
    okpd_csv = read_okpd2(shared_data("nomenclature", "okpd2", "okpd2_2022-05-25.csv"))
    okpd_zip = read_okpd2(shared_data("nomenclature", "okpd2", "data-9757-2022-05-25.zip"))
    assert len(okpd_csv) == 19503
    assert sorted(r.code for r in okpd_csv) == sorted(r.code for r in okpd_zip)
    leading_zero = next(r for r in okpd_zip if r.code == "01.11.11.111")
    assert leading_zero.parent == "01.11.11"


def record(
    code: str,
    level: int,
    name: str,
    start: date,
    end: date | None = None,
    parent: str | None = None,
) -> CodeRecord:
    return CodeRecord(
        CodeSystem.TNVED, code, level, parent, name, None, None, start, end, f"TNVED {start}"
    )


def test_reimport_is_idempotent_and_a_new_edition_keeps_the_old_code(session: Session):
    first = [
        record("8482", 4, "ПОДШИПНИКИ", date(2017, 1, 1)),
        record("8482109008", 10, "- - - - прочие", date(2017, 1, 1), parent="8482"),
    ]
    assert sum(service.load_records(session, first, "test").added.values()) == 2
    again = service.load_records(session, first, "test")
    assert (sum(again.added.values()), again.updated, again.unchanged) == (0, 0, 2)
    superseded = [
        record(
            "8482109008",
            10,
            "- - - - прочие",
            date(2017, 1, 1),
            end=date(2021, 12, 31),
            parent="8482",
        ),
        record("8482109008", 10, "- - - - прочие подшипники", date(2022, 1, 1), parent="8482"),
    ]
    report = service.load_records(session, superseded, "test")
    assert (sum(report.added.values()), report.updated) == (1, 1)
    versions = session.scalars(
        select(NomenclatureCode)
        .where(NomenclatureCode.code == "8482109008")
        .order_by(NomenclatureCode.valid_from)
    ).all()
    assert [(v.valid_from.year, v.valid_to) for v in versions] == [
        (2017, date(2021, 12, 31)),
        (2022, None),
    ]
    assert service.find(session, CodeSystem.TNVED, "8482109008", date(2019, 6, 1)) == versions[0]
    assert (
        service.label(session, CodeSystem.TNVED, "8482109008") == "ПОДШИПНИКИ — прочие подшипники"
    )


def test_leaf_text_drops_dashes_and_footnote_marks():
    assert (
        leaf_text("-\u00a0-\u00a0-\u00a0для производства авиационных двигателей5)")
        == "для производства авиационных двигателей"
    )


def test_program_import_restores_a_lost_leading_zero_when_the_code_is_known(session: Session):
    from tests.catalog.test_transfer import PROGRAM_HEADERS, as_csv, program_row

    service.load_records(
        session,
        [record("0101210000", 10, "- - чистопородные", date(2022, 1, 1), parent="0101")],
        "test",
    )
    sheet = read_table(as_csv(PROGRAM_HEADERS, [program_row(1, tnved="101210000")]), "p.csv")
    import_programs(session, SYSTEM, sheet)
    from unionsync.catalog.models import ProgramItem

    item = session.scalars(select(ProgramItem)).one()
    assert (item.tnved_code, item.tnved_raw) == ("0101210000", "101210000")


@pytest.mark.parametrize("system", list(CodeSystem))
def test_status_is_empty_before_any_import(session: Session, system: CodeSystem):
    assert (
        session.scalar(
            select(func.count())
            .select_from(NomenclatureCode)
            .where(NomenclatureCode.system == system)
        )
        == 0
    )
    assert service.status(session, SYSTEM) == []


def test_tnved4_gives_ten_digit_codes_with_history(tmp_path):
    from unionsync.nomenclature.sources import SourceError, read_tnved4

    lines = [
        "004|20220811|0000|",
        "84|82|101009|- - - прочие|01.01.2017|31.12.2021|",
        "84|82|101009|- - - прочие подшипники|01.01.2022||",
    ]
    path = tmp_path / "TNVED4.TXT"
    path.write_bytes("\r\n".join(lines).encode("cp866"))
    records = read_tnved4(path)
    assert [(r.code, r.parent, r.valid_to) for r in records] == [
        ("8482101009", "8482", date(2021, 12, 31)),
        ("8482101009", "8482", None),
    ]
    path.write_bytes("\r\n".join([lines[0], "84|8X|101009|x|01.01.2017||"]).encode("cp866"))
    with pytest.raises(SourceError, match="line 2: bad TN VED code 848X101009"):
        read_tnved4(path)
