"""The Excel/CSV templates of programs and capabilities: columns in Russian and English.

Headers are matched case-insensitively, in either language; unknown columns are ignored.
Yearly demand takes two columns per year: «Потребность 2025, кол-во» and
«Потребность 2025, стоимость» (English: "Demand 2025, quantity" / "Demand 2025, value").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from unionsync.core.tabular import normalise_header


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    ru: str
    en: str
    required: bool = False


PROGRAM_COLUMNS: tuple[Column, ...] = (
    Column("country", "Страна", "Country", True),
    Column("program_code", "Код программы", "Program code", True),
    Column("program_title", "Наименование программы", "Program title", True),
    Column("program_title_en", "Наименование программы (англ.)", "Program title (English)"),
    Column("industry", "Отрасль", "Industry", True),
    Column("period_start", "Начало периода", "Period start", True),
    Column("period_end", "Окончание периода", "Period end", True),
    Column("version", "Версия", "Version"),
    Column("status", "Статус программы", "Program status"),
    Column("position", "№ п/п", "No.", True),
    Column("name_ru", "Наименование продукции", "Product name (Russian)", True),
    Column("name_en", "Наименование продукции (англ.)", "Product name (English)"),
    Column("tnved", "Код ТН ВЭД ЕАЭС", "TN VED code"),
    Column("unit", "Единица измерения (ОКЕИ)", "Unit (OKEI)", True),
    Column("target_year", "Целевой год", "Target year"),
    Column("import_share", "Доля импорта, %", "Import share, %"),
    Column("currency", "Валюта", "Currency"),
    Column("note", "Примечание", "Note"),
)

CAPABILITY_COLUMNS: tuple[Column, ...] = (
    Column("country", "Страна", "Country", True),
    Column("enterprise", "Предприятие", "Enterprise", True),
    Column("tax_id", "УНП / ИНН", "Tax id", True),
    Column("region", "Регион", "Region"),
    Column("product_name", "Наименование продукции", "Product name", True),
    Column("product_name_en", "Наименование продукции (англ.)", "Product name (English)"),
    Column("tnved", "Код ТН ВЭД ЕАЭС", "TN VED code"),
    Column("okpd2", "Код ОКПД2 / ОКРБ 007", "OKPD2 code"),
    Column("unit", "Единица измерения (ОКЕИ)", "Unit (OKEI)", True),
    Column("capacity", "Мощность в год", "Capacity per year", True),
    Column("available", "Свободная мощность в год", "Available capacity per year"),
    Column("price", "Цена за единицу", "Unit price"),
    Column("currency", "Валюта", "Currency"),
    Column("localisation", "Локализация, %", "Localisation, %"),
    Column("note", "Примечание", "Note"),
)

_DEMAND = re.compile(
    r"^(?:потребность|demand)\s+(\d{4})\s*,?\s*"
    r"(кол-?во|количество|quantity|qty|стоимость|value)$"
)
QUANTITY_WORDS = frozenset({"кол-во", "колво", "количество", "quantity", "qty"})


def header_index(columns: tuple[Column, ...]) -> dict[str, Column]:
    """Every accepted spelling of every column."""
    index: dict[str, Column] = {}
    for column in columns:
        index[normalise_header(column.ru)] = column
        index[normalise_header(column.en)] = column
        index[column.key] = column
    return index


def demand_header(header: str) -> tuple[int, str] | None:
    """(year, "quantity" | "value") for a demand column, else None."""
    match = _DEMAND.match(normalise_header(header))
    if not match:
        return None
    kind = "quantity" if match.group(2) in QUANTITY_WORDS else "value"
    return int(match.group(1)), kind


def demand_headers(year: int, english: bool = False) -> tuple[str, str]:
    """The two column titles for one year of demand."""
    if english:
        return f"Demand {year}, quantity", f"Demand {year}, value"
    return f"Потребность {year}, кол-во", f"Потребность {year}, стоимость"
