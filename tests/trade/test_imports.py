"""Trade flows from Comtrade (both layouts), BACI and a customs table: one shape, row errors
naming file, row and column, all-or-nothing, Parquet for the table and the BY–RU summary in the
database, where mirror statistics find it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from unionsync.access.policy import SYSTEM
from unionsync.core.tabular import ImportFailedError
from unionsync.trade.imports import import_file
from unionsync.trade.models import TradeFlow
from unionsync.trade.reconcile import mirror_report

COMTRADE_HEADER = (
    "refYear,reporterCode,reporterISO,flowCode,partnerCode,partnerISO,cmdCode,qtyUnitAbbr,qty,"
    "netWgt,cifvalue,fobvalue,primaryValue\n"
)
COMTRADE = (
    COMTRADE_HEADER
    + """2022,112,BLR,X,643,RUS,848210,u,1000,2500,,120000,120000
2022,112,BLR,X,398,KAZ,848210,u,10,25,,1500,1500
2022,643,RUS,M,112,BLR,848210,u,1100,2600,130000,,130000
2022,643,RUS,M,112,BLR,848220,kg,500,500,9000,,9000
"""
)
OLD_HEADER = (
    "Year,Trade Flow Code,Reporter ISO,Partner ISO,Commodity Code,Qty,Netweight (kg),"
    "Trade Value (US$)\n"
)
COMTRADE_OLD = (
    OLD_HEADER
    + """2021,2,BLR,RUS,848210,900,2000,100000
2021,1,RUS,BLR,848210,950,2100,104000
"""
)
BACI = """t,i,j,k,v,q
2022,112,643,848210,125.5,2.4
2022,643,112,300490,40.2,
2022,112,398,848210,3.1,0.1
"""
CUSTOMS = """направление;период;страна;код;единица;стоимость;вес нетто;количество
ЭК;2022-03;RU;8482 10 100 0;шт;50000;1200;400
ИМ;2022-04;RU;3004 90 000 9;кг;20000;300;300
ЭК;2022-05;KZ;8482 10 100 0;шт;1000;20;10
"""


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _imported(session: Session, source: str) -> list[TradeFlow]:
    return list(
        session.scalars(select(TradeFlow).where(TradeFlow.source == source).order_by(TradeFlow.id))
    )


def test_comtrade_both_layouts_baci_and_customs(demo_session: Session, tmp_path: Path):
    s = demo_session
    data = tmp_path / "data"
    result = import_file(s, SYSTEM, _file(tmp_path, "ct.csv", COMTRADE), "comtrade", data)
    assert result.rows == 4 and result.summarised == 3  # the Kazakh flow stays in Parquet only
    rows = _imported(s, "comtrade:ct.csv")
    assert {(r.reporter_code, r.flow.value, r.tnved_code) for r in rows} == {
        ("BY", "export", "848210"),
        ("RU", "import", "848210"),
        ("RU", "import", "848220"),
    }
    exported = next(r for r in rows if r.reporter_code == "BY")
    assert exported.unit_okei == "796" and exported.quantity == 1000
    assert str(exported.value_currency) == "USD" and exported.value_amount == 120000
    # the whole table is kept as Parquet and read by DuckDB
    query = (
        f"SELECT count(*), sum(value), count(DISTINCT year) "
        f"FROM read_parquet('{result.parquet}/**/*.parquet', hive_partitioning = true)"
    )
    assert duckdb.connect().execute(query).fetchall() == [(4, 260500.0, 1)]

    import_file(s, SYSTEM, _file(tmp_path, "old.csv", COMTRADE_OLD), "comtrade", data)
    old = _imported(s, "comtrade:old.csv")
    assert {(r.reporter_code, r.flow.value, r.year) for r in old} == {
        ("BY", "export", 2021),
        ("RU", "import", 2021),
    }
    import_file(s, SYSTEM, _file(tmp_path, "baci.csv", BACI), "baci", data)
    baci = _imported(s, "baci:baci.csv")
    assert [(r.reporter_code, r.partner_code, float(r.value_amount)) for r in baci] == [
        ("BY", "RU", 125500.0),
        ("RU", "BY", 40200.0),
    ]
    assert baci[0].unit_okei == "168" and float(baci[0].quantity or 0) == pytest.approx(2.4)
    import_file(
        s,
        SYSTEM,
        _file(tmp_path, "by.csv", CUSTOMS),
        "customs",
        data,
        currency="BYN",
        reporter="BY",
    )
    customs = _imported(s, "customs:by.csv")
    assert [(r.flow.value, r.tnved_code, str(r.value_currency)) for r in customs] == [
        ("export", "8482101000", "BYN"),
        ("import", "3004900009", "BYN"),
    ]


def test_a_bad_file_names_file_row_and_column_and_writes_nothing(
    demo_session: Session, tmp_path: Path
):
    bad = COMTRADE.replace(
        "2022,643,RUS,M,112,BLR,848220", "2022,643,RUS,Q,112,BLR,848220"
    ).replace("2022,112,BLR,X,398,KAZ,848210", "2022,112,BLR,X,398,KAZ,84821")
    before = demo_session.scalar(select(func.count(TradeFlow.id)))
    with pytest.raises(ImportFailedError) as caught:
        import_file(
            demo_session, SYSTEM, _file(tmp_path, "bad.csv", bad), "comtrade", tmp_path / "data"
        )
    errors = {(e.file, e.row, e.column) for e in caught.value.errors}
    assert errors == {("bad.csv", 3, "cmdCode"), ("bad.csv", 5, "flowCode")}
    assert "lost its leading zero" in str(caught.value)
    assert demo_session.scalar(select(func.count(TradeFlow.id))) == before
    assert not (tmp_path / "data" / "trade").exists()
    unit = CUSTOMS.replace(";шт;50000", ";штуковина;50000")
    with pytest.raises(ImportFailedError) as caught:
        import_file(
            demo_session, SYSTEM, _file(tmp_path, "u.csv", unit), "customs", tmp_path, reporter="BY"
        )
    assert [(e.row, e.column) for e in caught.value.errors] == [(2, "единица")]


def test_a_file_of_another_layout_is_refused_once_per_missing_column(
    demo_session: Session, tmp_path: Path
):
    """A BACI file read as Comtrade: the missing columns once each, not an error per row."""
    many = BACI + "2022,112,643,848210,1.0,\n" * 500
    with pytest.raises(ImportFailedError) as caught:
        import_file(
            demo_session, SYSTEM, _file(tmp_path, "baci.csv", many), "comtrade", tmp_path / "d"
        )
    errors = caught.value.errors
    assert [(e.row, e.column) for e in errors] == [
        (1, "flowCode"),
        (1, "reporterISO"),
        (1, "partnerISO"),
        (1, "refYear"),
        (1, "cmdCode"),
        (1, "primaryValue"),
    ]
    assert "«Trade Flow Code»" in errors[0].reason and errors[0].file == "baci.csv"
    with pytest.raises(ImportFailedError) as caught:
        import_file(
            demo_session,
            SYSTEM,
            _file(tmp_path, "c.csv", COMTRADE),
            "customs",
            tmp_path,
            reporter="BY",
        )
    assert {e.column for e in caught.value.errors} == {
        "direction",
        "country",
        "period",
        "code",
        "value",
    }


def test_reimport_replaces_and_mirror_reads_imported_flows(demo_session: Session, tmp_path: Path):
    s = demo_session
    path = _file(tmp_path, "ct.csv", COMTRADE)
    import_file(s, SYSTEM, path, "comtrade", tmp_path)
    import_file(s, SYSTEM, path, "comtrade", tmp_path)
    assert len(_imported(s, "comtrade:ct.csv")) == 3
    report = mirror_report(s, SYSTEM, "BY", "RU")
    row = next(r for r in report.rows(2022) if r.code == "848210")
    # the demo's own records of 848210 plus this file's: both sides are present
    assert row.exported is not None and row.imported is not None
    assert row.exported.records >= 2 and row.imported.records >= 2
