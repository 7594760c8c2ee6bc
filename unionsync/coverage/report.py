"""The synchronisation report as an Excel workbook (a sheet per section) and a PDF in Russian.

The PDF is typeset by Typst from the PyPI wheel with its embedded fonts only (system fonts are
ignored, so the same file comes out on any machine, offline), with a bar chart of the covered
shares drawn in Typst itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy.orm import Session

from unionsync.core.numbers import format_number, format_share
from unionsync.core.shared import data_version, version_of
from unionsync.core.tabular import excel_cell
from unionsync.core.typst_pdf import compile_pdf, literal
from unionsync.coverage.service import Scenario
from unionsync.coverage.sync import SyncReport, coverage_version
from unionsync.reference.units import unit_by_code
from unionsync.web.labels import label_in


def _sheet(
    workbook: Workbook, title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    sheet = workbook.create_sheet(title[:31])
    sheet.append([excel_cell(sheet, h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([excel_cell(sheet, v) for v in row])
    sheet.freeze_panes = "A2"
    for column in sheet.columns:
        width = max((len(str(c.value or "")) for c in column), default=8)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 70)


def summary_figures(report: SyncReport) -> list[tuple[int | None, list[Any]]]:
    """Per industry (and `None` for all): covered shares of both countries' demand by quantity
    and by value, and the counts of gaps and overlaps."""
    figures = []
    for industry_id in [*report.industries(), None]:
        shares = [report.share(c, industry_id) for c in ("BY", "RU")]
        shares += [report.value_share(c, industry_id) for c in ("BY", "RU")]
        figures.append(
            (
                industry_id,
                [
                    *(None if s is None else round(s, 4) for s in shares),
                    sum(1 for g in report.gaps if industry_id in (None, g.item.industry_id)),
                    sum(
                        1
                        for o in report.overlaps
                        if industry_id is None or industry_id in o.industry_ids
                    ),
                ],
            )
        )
    return figures


def cached_summary_figures(
    holder: Any, session: Session, report: SyncReport, industry_id: int | None
) -> list[tuple[int | None, list[Any]]]:
    """`summary_figures` of the shared synchronisation report, shared the same way (valued
    shares convert every item-year, so they change with the rates too)."""
    shared = getattr(holder, "shared", None)
    if shared is None:
        return summary_figures(report)
    stamp = version_of((coverage_version(session), data_version(session, "trade")))
    key = f"sync-summary:{industry_id if industry_id is not None else 'all'}"
    figures: list[tuple[int | None, list[Any]]] = shared.get(
        key, stamp, lambda: summary_figures(report), background=industry_id is None
    )
    return figures


def summary_rows(
    report: SyncReport,
    industries: dict[int, str],
    figures: list[tuple[int | None, list[Any]]] | None = None,
) -> list[list[Any]]:
    """`summary_figures` with the industries' names first ("Всего" for all of them)."""
    return [
        [industries.get(industry_id, "") if industry_id is not None else "Всего", *values]
        for industry_id, values in (figures if figures is not None else summary_figures(report))
    ]


def write_xlsx(report: SyncReport, path: Path, industries: dict[int, str]) -> None:
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])
    _sheet(
        workbook,
        "Сводка",
        [
            "Отрасль",
            "Покрыто спроса BY партнёром (по количеству)",
            "Покрыто спроса RU партнёром (по количеству)",
            "Покрыто спроса BY партнёром (по стоимости)",
            "Покрыто спроса RU партнёром (по стоимости)",
            "Пробелы",
            "Пересечения",
        ],
        summary_rows(report, industries),
    )
    _sheet(
        workbook,
        "Траектория",
        ["Страна спроса", "Год", *(f"Покрыто: {label_in(s, 'ru')}" for s in Scenario)],
        [
            [
                point.country,
                point.year,
                *(None if (v := point.shares.get(s)) is None else round(v, 4) for s in Scenario),
            ]
            for point in report.trajectory
        ],
    )
    _sheet(
        workbook,
        "Взаимодополнение",
        [
            "Страна спроса",
            "Программа",
            "Позиция",
            "Наименование",
            "Код ТН ВЭД",
            "Удовлетворимо",
            "Доля покрытия",
            "Производители партнёра",
        ],
        [
            [
                c.item.country,
                c.item.program,
                c.item.position,
                c.item.name,
                c.item.code or "",
                label_in(c.verdict, "ru"),
                round(c.covered_share, 4),
                "; ".join(c.producers),
            ]
            for c in report.complements
        ],
    )
    _sheet(
        workbook,
        "Пробелы",
        [
            "Страна спроса",
            "Программа",
            "Позиция",
            "Наименование",
            "Код ТН ВЭД",
            "Спрос за все годы",
            "Ед. ОКЕИ",
            "Стоимость спроса за все годы, долл. США",
        ],
        [
            [
                g.item.country,
                g.item.program,
                g.item.position,
                g.item.name,
                g.item.code or "",
                g.demand_total,
                g.unit,
                None if g.value_usd is None else round(g.value_usd, 2),
            ]
            for g in report.gaps
        ],
    )
    _sheet(
        workbook,
        "Пересечения",
        [
            "Субпозиция",
            "Позиции BY",
            "Позиции RU",
            "Целевые годы BY",
            "Целевые годы RU",
            "Сроки расходятся",
        ],
        [
            [
                o.code,
                "; ".join(f"{i.program} #{i.position} {i.name}" for i in o.by_items),
                "; ".join(f"{i.program} #{i.position} {i.name}" for i in o.ru_items),
                ", ".join(sorted({str(i.target_year) for i in o.by_items if i.target_year})),
                ", ".join(sorted({str(i.target_year) for i in o.ru_items if i.target_year})),
                "да" if o.timing_conflict else "нет",
            ]
            for o in report.overlaps
        ],
    )
    for sheet in workbook.worksheets:  # codes are text: Excel must not drop leading zeros
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str) and cell.value.isdigit():
                    cell.number_format = "@"
    workbook.save(path)


SCENARIO_NOTE = (
    "Покрытие — производителями страны-партнёра, выпускающими продукцию сегодня (по принятым "
    "сопоставлениям; общие мощности распределены линейным программированием); траектория "
    "по годам — также с продукцией согласованных и всех паспортов с года выхода на мощность. "
    "Спрос — сумма за все годы программы. Данные на {made}."
)


def _number(value: float) -> str:
    """A whole number in Russian style, as the pages write it."""
    return format_number(value, "ru", 0)


def typst_source(
    report: SyncReport,
    industries: dict[int, str],
    title: str,
    generated: datetime | None = None,
) -> str:
    """The report in Typst markup: every value passed as a string literal, never as markup.
    Every page carries the date it was made, the scenario and its number; tables repeat their
    header on each page and never split a row."""
    made = (generated or datetime.now(UTC)).strftime("%d.%m.%Y %H:%M UTC")
    footer = f"Сформировано {made} · UnionSync · стр. "
    lines = [
        '#set page(paper: "a4", margin: 1.6cm, flipped: true, footer: context align(center, '
        f'text(size: 7pt, "{literal(footer)}" + counter(page).display("1 из 1", both: true))))',
        '#set text(lang: "ru", size: 9pt)',
        "#set table(stroke: 0.4pt + luma(180), inset: 4pt)",
        "#set table.cell(breakable: false)",
        f'= #"{literal(title)}"',
        "",
        f'#text(size: 8.5pt, "{literal(SCENARIO_NOTE.format(made=made))}")',
        "",
        "== Покрытие спроса продукцией партнёра",
    ]
    bars = []
    for row in summary_rows(report, industries):
        for country, share in (("BY", row[1]), ("RU", row[2])):
            if share is not None:
                bars.append((row[0], country, float(share)))
    lines.append("#grid(columns: (24em, 2.5em, 1fr, 3.5em), row-gutter: 3pt, column-gutter: 6pt,")
    for name, country, share in bars:
        colour = "rgb(27, 127, 75)" if country == "BY" else "rgb(35, 89, 168)"
        lines.append(
            f'  [#"{literal(name)}"], [#"{country}"], '
            f"box(width: {share * 100:.1f}%, height: 7pt, fill: {colour}), "
            f'[#"{format_share(share, "ru")}"],'
        )
    lines.append(")")
    lines += _trajectory_typst(report)
    lines += ["", "== Пробелы: спрос, который не покрывает ни одна страна", ""]
    lines.append("#table(columns: (auto, auto, auto, 1fr, auto, auto, auto),")
    lines.append(
        "  table.header([*Страна*], [*Программа*], [*№*], [*Наименование*], [*Код*], "
        "[*Спрос за все годы*], [*Стоимость спроса, долл. США*]),"
    )
    for gap in report.gaps[:60]:
        cells = (
            gap.item.country,
            gap.item.program,
            gap.item.position,
            gap.item.name,
            gap.item.code or "—",
            f"{_number(gap.demand_total)} {unit_by_code(gap.unit).short_ru}",
            _number(gap.value_usd) if gap.value_usd is not None else "—",
        )
        lines.append("  " + ", ".join(f'[#"{literal(c)}"]' for c in cells) + ",")
    lines.append(")")
    if len(report.gaps) > 60:
        lines.append(f'#"… и ещё {len(report.gaps) - 60} (полный список — в Excel)"')
    lines += ["", "== Пересечения программ (одна субпозиция ТН ВЭД в программах обеих стран)", ""]
    lines.append("#table(columns: (auto, 1fr, 1fr, auto),")
    lines.append("  table.header([*Субпозиция*], [*Беларусь*], [*Россия*], [*Сроки*]),")
    for overlap in report.overlaps[:60]:
        listed = (
            overlap.code,
            "; ".join(f"{i.program} №{i.position}" for i in overlap.by_items),
            "; ".join(f"{i.program} №{i.position}" for i in overlap.ru_items),
            "расходятся" if overlap.timing_conflict else "совпадают",
        )
        lines.append("  " + ", ".join(f'[#"{literal(c)}"]' for c in listed) + ",")
    lines.append(")")
    counts = (
        f"Взаимодополнение: {len(report.complements)} позиций; пробелы: {len(report.gaps)}; "
        f"пересечения: {len(report.overlaps)}, из них с расхождением сроков: "
        f"{len(report.timing_conflicts)}."
    )
    lines += ["", f'#"{literal(counts)}"']
    return "\n".join(lines) + "\n"


def _trajectory_typst(report: SyncReport) -> list[str]:
    """The covered share by year in each scenario: a table with a bar in every cell."""
    if not report.trajectory:
        return []
    lines = [
        "",
        "== Траектория покрытия по годам (с продукцией паспортов с года выхода на мощность)",
        "",
        "#table(columns: (auto, auto, 1fr, 1fr, 1fr),",
        "  table.header([*Страна спроса*], [*Год*], "
        + ", ".join(f'[*#"{literal(label_in(s, "ru"))}"*]' for s in Scenario)
        + "),",
    ]
    for point in report.trajectory:
        cells = [f'[#"{point.country}"]', f'[#"{point.year}"]']
        for scenario in Scenario:
            share = point.shares.get(scenario)
            if share is None:
                cells.append('[#"—"]')
                continue
            cells.append(
                f"[#box(width: {share * 70:.1f}%, height: 6pt, fill: rgb(47, 125, 140)) "
                f'#"{format_share(share, "ru")}"]'
            )
        lines.append("  " + ", ".join(cells) + ",")
    lines.append(")")
    return lines


def write_pdf(report: SyncReport, path: Path, industries: dict[int, str], title: str) -> None:
    path.write_bytes(compile_pdf(typst_source(report, industries, title)))
