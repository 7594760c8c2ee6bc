"""The Excel/CSV template: row errors with file/row/column, all-or-nothing, lossless round trip."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import seeded_industry
from unionsync.access.policy import SYSTEM
from unionsync.catalog.models import Capability, Organization, Program, ProgramItem
from unionsync.catalog.template import CAPABILITY_COLUMNS, PROGRAM_COLUMNS
from unionsync.catalog.transfer import (
    export_capabilities,
    export_programs,
    import_capabilities,
    import_programs,
)
from unionsync.core.tabular import ImportFailedError, read_table, write_xlsx
from unionsync.reference.models import Industry

PROGRAM_HEADERS = [c.ru for c in PROGRAM_COLUMNS] + [
    "Потребность 2025, кол-во",
    "Потребность 2025, стоимость",
]


def program_row(position: int, **overrides: object) -> list[object]:
    row: dict[str, object] = {
        "country": "RU",
        "program_code": "RU-MT-01",
        "program_title": "План станкостроения",
        "program_title_en": None,
        "industry": "machine-tools",
        "period_start": 2024,
        "period_end": 2027,
        "version": 1,
        "status": "действует",
        "position": position,
        "name_ru": f"Изделие {position}",
        "name_en": None,
        "tnved": "8458 11 800 0",
        "unit": "шт",
        "target_year": 2026,
        "import_share": 80,
        "currency": "RUB",
        "note": None,
        "q2025": 10,
        "v2025": "1 500 000,50",
    }
    row.update(overrides)
    return list(row.values())


def as_csv(headers: list[str], rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(headers)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    return buffer.getvalue().encode("utf-8")


@pytest.fixture
def industry(session: Session) -> Industry:
    return seeded_industry(session, "machine-tools")


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_valid_program_file_creates_programs_items_and_demand(session, industry):
    sheet = read_table(as_csv(PROGRAM_HEADERS, [program_row(1), program_row(2)]), "plan.csv")
    report = import_programs(session, SYSTEM, sheet)
    assert report.created == {"programs": 1, "items": 2, "demand": 2}
    item = session.scalars(select(ProgramItem).order_by(ProgramItem.position)).first()
    assert item is not None
    assert item.demands[0].value_amount == Decimal("1500000.50")
    assert item.import_share_pct == Decimal(80)


def test_every_bad_row_is_reported_with_row_column_and_value_and_nothing_is_written(
    session, industry
):
    rows = [
        program_row(1),
        program_row(2, tnved="101210000"),  # lost leading zero
        program_row(3, tnved="84A8"),  # malformed code
        program_row(4, unit="бочка"),  # unknown unit
        program_row(5, q2025="-3"),  # negative quantity
        program_row(6, q2025="много"),  # not a number
        program_row(1),  # duplicate position
        program_row(8, name_ru=None),  # missing required field
    ]
    sheet = read_table(as_csv(PROGRAM_HEADERS, rows), "plan.csv")
    with pytest.raises(ImportFailedError) as info:
        import_programs(session, SYSTEM, sheet)
    found = {(e.row, e.column) for e in info.value.errors}
    assert found == {
        (3, "Код ТН ВЭД ЕАЭС"),
        (4, "Код ТН ВЭД ЕАЭС"),
        (5, "Единица измерения (ОКЕИ)"),
        (6, "Потребность 2025, кол-во"),
        (7, "Потребность 2025, кол-во"),
        (8, "№ п/п"),
        (9, "Наименование продукции"),
    }
    assert all(e.file == "plan.csv" for e in info.value.errors)
    by_row = {e.row: e for e in info.value.errors}
    assert "0101210000" in by_row[3].reason
    assert "also on row 2" in by_row[8].reason
    assert by_row[6].value == "-3"
    assert count(session, Program) == 0 and count(session, ProgramItem) == 0


def test_row_errors_are_shown_in_russian_too(session, industry):
    from unionsync.web.i18n import translations

    sheet = read_table(as_csv(PROGRAM_HEADERS, [program_row(1, tnved="101210000")]), "p.csv")
    with pytest.raises(ImportFailedError) as info:
        import_programs(session, SYSTEM, sheet)
    russian = info.value.errors[0].localized(translations("ru").gettext)
    assert "потерян ведущий ноль" in russian and "0101210000" in russian


def test_missing_required_column_is_reported_on_the_header_row(session, industry):
    headers = [h for h in PROGRAM_HEADERS if h != "Единица измерения (ОКЕИ)"]
    sheet = read_table(as_csv(headers, []), "plan.csv")
    with pytest.raises(ImportFailedError) as info:
        import_programs(session, SYSTEM, sheet)
    assert [(e.row, e.column) for e in info.value.errors] == [(1, "Единица измерения (ОКЕИ)")]


def test_english_headers_are_accepted(session, industry):
    headers = [c.en for c in PROGRAM_COLUMNS] + ["Demand 2025, quantity", "Demand 2025, value"]
    sheet = read_table(as_csv(headers, [program_row(1)]), "plan-en.csv")
    report = import_programs(session, SYSTEM, sheet)
    assert report.created == {"programs": 1, "items": 1, "demand": 1}


def test_a_program_described_two_ways_is_an_error(session, industry):
    rows = [program_row(1), program_row(2, period_end=2030)]
    with pytest.raises(ImportFailedError, match="differs from row 2"):
        import_programs(session, SYSTEM, read_table(as_csv(PROGRAM_HEADERS, rows), "p.csv"))


def test_reimport_updates_items_by_position(session, industry):
    import_programs(session, SYSTEM, read_table(as_csv(PROGRAM_HEADERS, [program_row(1)]), "p.csv"))
    report = import_programs(
        session,
        SYSTEM,
        read_table(
            as_csv(PROGRAM_HEADERS, [program_row(1, name_ru="Новое имя"), program_row(2)]), "p.csv"
        ),
    )
    assert report.updated == {"items": 1}  # the program itself is unchanged
    assert report.created == {"items": 1, "demand": 1}
    names = session.scalars(select(ProgramItem.name_ru).order_by(ProgramItem.position)).all()
    assert names == ["Новое имя", "Изделие 2"]


CAP_HEADERS = [c.ru for c in CAPABILITY_COLUMNS]


def cap_row(**overrides: object) -> list[object]:
    row: dict[str, object] = {
        "country": "BY",
        "enterprise": "ОАО «Тестмаш»",
        "tax_id": "100000022",
        "region": "г. Минск",
        "product_name": "Подшипник 6205-2RS",
        "product_name_en": None,
        "tnved": "8482 10",
        "okpd2": "28.15.10.120",
        "unit": "796",
        "capacity": 1000,
        "available": 200,
        "price": "12,5",
        "currency": "BYN",
        "localisation": 70,
        "note": None,
    }
    row.update(overrides)
    return list(row.values())


def test_capability_rows_check_tax_ids_capacity_and_duplicates(session):
    rows = [
        cap_row(),
        cap_row(product_name="Другое", tax_id="12345"),  # bad UNP
        cap_row(product_name="Третье", available=5000),  # > capacity
        cap_row(),  # duplicate
        cap_row(product_name="Пятое", country="RU", tax_id="7707083894"),  # INN check digit
        cap_row(product_name="Шестое", enterprise="ООО «Иное»"),  # same UNP, new name
        cap_row(product_name="Седьмое", price="5", currency=None),  # price, no currency
    ]
    with pytest.raises(ImportFailedError) as info:
        import_capabilities(session, SYSTEM, read_table(as_csv(CAP_HEADERS, rows), "caps.csv"))
    found = {(e.row, e.column) for e in info.value.errors}
    assert found == {
        (3, "УНП / ИНН"),
        (4, "Свободная мощность в год"),
        (5, "Наименование продукции"),
        (6, "УНП / ИНН"),
        (7, "Предприятие"),
        (8, "Валюта"),
    }
    assert count(session, Capability) == 0 and count(session, Organization) == 0


def test_program_export_then_import_is_lossless(session, industry, tmp_path: Path):
    rows = [
        program_row(1, name_en="Lathe", note="примечание", tnved="из 8458"),
        program_row(2, tnved="0101210000", unit="кг", q2025="0,125", v2025=None),
        program_row(3, tnved=None, import_share=None, target_year=None),
    ]
    import_programs(session, SYSTEM, read_table(as_csv(PROGRAM_HEADERS, rows), "p.csv"))
    first = tmp_path / "first.xlsx"
    export_programs(session, SYSTEM, first)
    session.execute(ProgramItem.__table__.delete())
    session.execute(Program.__table__.delete())
    session.expunge_all()
    import_programs(session, SYSTEM, read_table(first.read_bytes(), first.name))
    second = tmp_path / "second.xlsx"
    export_programs(session, SYSTEM, second)
    assert (
        read_table(first.read_bytes(), "1.xlsx").rows
        == read_table(second.read_bytes(), "2.xlsx").rows
    )
    codes = session.scalars(select(ProgramItem.tnved_code).order_by(ProgramItem.position)).all()
    assert codes == ["8458", "0101210000", None]


def test_capability_export_then_import_is_lossless(session, tmp_path: Path):
    rows = [
        cap_row(),
        cap_row(
            product_name="Ball bearing",
            product_name_en="Ball bearing",
            tnved=None,
            okpd2=None,
            price=None,
            currency=None,
            localisation=None,
            available=None,
        ),
    ]
    import_capabilities(session, SYSTEM, read_table(as_csv(CAP_HEADERS, rows), "caps.csv"))
    first = tmp_path / "caps.csv"
    export_capabilities(session, SYSTEM, first)
    session.execute(Capability.__table__.delete())
    session.execute(Organization.__table__.delete())
    session.expunge_all()
    import_capabilities(session, SYSTEM, read_table(first.read_bytes(), first.name))
    second = tmp_path / "caps2.csv"
    export_capabilities(session, SYSTEM, second)
    assert first.read_bytes() == second.read_bytes()


def test_excel_numbers_for_codes_keep_being_caught(session, industry, tmp_path: Path):
    path = tmp_path / "numeric.xlsx"
    write_xlsx(path, "p", PROGRAM_HEADERS, [program_row(1, tnved=101210000)])
    with pytest.raises(ImportFailedError, match="lost its leading zero"):
        import_programs(session, SYSTEM, read_table(path.read_bytes(), path.name))
