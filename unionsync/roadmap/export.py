"""The roadmap outside the application: an Excel workbook of the tasks with their forecast (and
its import back: progress, actual dates, estimates, a hand-made task's plan, new tasks, with row
errors and all or nothing), and an iCalendar feed of the milestones for the officials'
calendars."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session

from unionsync.access.policy import Principal
from unionsync.core.errors import ConflictError, DomainValidationError, UnionSyncError
from unionsync.core.messages import N_, ExplainedError
from unionsync.core.tabular import (
    NO_LIMITS,
    ImportFailedError,
    Limits,
    RowError,
    read_table,
    write_xlsx,
)
from unionsync.core.typst_pdf import compile_pdf, literal
from unionsync.core.validation import parse_day, parse_int
from unionsync.passports.models import Passport
from unionsync.roadmap import service
from unionsync.roadmap.models import RoadmapTask
from unionsync.roadmap.plan import Plan, TaskPlan

COLUMNS = [
    "Ключ",
    "Паспорт",
    "Задача",
    "Источник",
    "Страна",
    "Плановое начало",
    "Длительность, раб. дн.",
    "Оптимистичная, раб. дн.",
    "Пессимистичная, раб. дн.",
    "Фактическое начало",
    "Фактическое окончание",
    "Выполнение, %",
    "Прогноз: начало",
    "Прогноз: окончание",
    "Полный резерв, дн.",
    "Критическая",
    "Окончание по базовому плану",
    "Отставание, раб. дн.",
]
EDITABLE = {
    "Плановое начало": "planned_start",
    "Длительность, раб. дн.": "duration",
    "Оптимистичная, раб. дн.": "optimistic",
    "Пессимистичная, раб. дн.": "pessimistic",
    "Фактическое начало": "actual_start",
    "Фактическое окончание": "actual_finish",
    "Выполнение, %": "progress",
}


def write_workbook(path: Path, plan: Plan, passports: dict[int, Passport]) -> None:
    """Every task of the plan with its forecast; the key column lets the file come back."""
    rows = []
    for t in sorted(plan.tasks, key=lambda t: (t.task.passport_id or 0, t.start, t.task.key)):
        task = t.task
        passport = passports.get(task.passport_id or 0)
        rows.append(
            [
                task.key,
                passport.number if passport else "",
                task.title,
                task.source.value,
                task.country,
                task.planned_start,
                task.duration,
                task.optimistic,
                task.pessimistic,
                task.actual_start,
                task.actual_finish,
                task.progress,
                t.start,
                t.finish,
                t.total_float,
                "да" if t.critical else "",
                t.baseline_finish,
                t.slip,
            ]
        )
    write_xlsx(path, "Дорожная карта", COLUMNS, rows, text_columns=(0, 1))


def milestones_calendar(plan: Plan, passports: dict[int, Passport]) -> bytes:
    """The milestones at their forecast dates, one all-day event each (stable UIDs, so a
    subscribed calendar moves an event instead of adding one)."""
    calendar = Calendar()
    calendar.add("prodid", "-//UnionSync//Roadmap//RU")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "UnionSync: вехи дорожной карты")
    stamp = datetime.now().astimezone()
    for t in plan.tasks:
        if t.task.duration:
            continue
        passport = passports.get(t.task.passport_id or 0)
        event = Event()
        event.add("uid", f"{t.task.key}@unionsync")
        event.add("dtstamp", stamp)
        event.add("dtstart", t.finish)
        event.add("summary", f"{passport.number + ' · ' if passport else ''}{t.task.title}")
        lines = [f"Прогноз: {t.finish:%d.%m.%Y}"]
        if t.baseline_finish is not None:
            lines.append(f"По базовому плану: {t.baseline_finish:%d.%m.%Y}")
        if t.slip:
            lines.append(f"Отставание: {t.slip} раб. дн.")
        if t.task.actual_finish is not None:
            lines.append(f"Достигнута {t.task.actual_finish:%d.%m.%Y}")
        event.add("description", "\n".join(lines))
        calendar.add_component(event)
    return bytes(calendar.to_ical())


@dataclass(frozen=True, slots=True)
class ImportResult:
    rows: int
    changed: int
    created: int


def import_workbook(
    session: Session,
    actor: Principal,
    content: bytes,
    filename: str,
    limits: Limits = NO_LIMITS,
) -> ImportResult:
    """The workbook back: each row with a key changes that task (what its rules allow), a row
    without a key but with a passport, a title, a start and a duration adds a task. All or
    nothing; every error names the file, the row and the column."""
    sheet = read_table(content, filename, limits)
    errors: list[RowError] = []
    known = {t.key: t for t in session.scalars(select(RoadmapTask))}
    numbers = {p.number: p.id for p in session.scalars(select(Passport))}
    changed = created = 0
    for number, row in sheet.rows:
        column = "Ключ"
        try:
            values: dict[str, Any] = {}
            for header, name in EDITABLE.items():
                column = header
                found = sheet.find_column(header)
                raw = row.get(found) if found else None
                if name in ("planned_start", "actual_start", "actual_finish"):
                    values[name] = parse_day(raw)
                else:
                    values[name] = parse_int(raw)
            column = "Ключ"
            key = str(row.get(sheet.find_column("Ключ") or "Ключ") or "").strip()
            if key:
                task = known.get(key)
                if task is None:
                    raise ExplainedError(N_("no task has the key «%(value)s»"), value=key)
                if task.source.value != "manual":
                    values.pop("planned_start", None)
                    values.pop("duration", None)
                service.change_task(session, actor, task.id, service.TaskValues(**values))
                changed += 1
            else:
                column = "Паспорт"
                passport = str(row.get(sheet.find_column("Паспорт") or "Паспорт") or "").strip()
                if passport and passport not in numbers:
                    raise ExplainedError(
                        N_("no passport has the number «%(value)s»"), value=passport
                    )
                column = "Задача"
                title = str(row.get(sheet.find_column("Задача") or "Задача") or "").strip()
                service.add_task(
                    session,
                    actor,
                    numbers.get(passport),
                    service.TaskValues(
                        title=title,
                        planned_start=values.get("planned_start"),
                        duration=values.get("duration"),
                        optimistic=values.get("optimistic"),
                        pessimistic=values.get("pessimistic"),
                    ),
                )
                created += 1
        except ExplainedError as error:
            errors.append(
                RowError.explained(sheet.name, number, column, error.template, None, **error.params)
            )
        except DomainValidationError as error:
            for problem in error.errors:  # keep the translatable text for the page
                text = problem.text
                errors.append(
                    RowError(
                        sheet.name,
                        number,
                        problem.field,
                        problem.message,
                        None,
                        text.template if text else "",
                        dict(text.params) if text else {},
                    )
                )
        except (ConflictError, UnionSyncError) as error:
            errors.append(RowError(sheet.name, number, column, str(error)))
    if errors:
        raise ImportFailedError(errors)
    return ImportResult(len(sheet.rows), changed, created)


def slipped(plan: Plan, since: date, until: date) -> list[TaskPlan]:
    """Tasks due in the period by the baseline whose forecast finish is later, most late first."""
    return sorted(
        (
            t
            for t in plan.tasks
            if t.baseline_finish is not None
            and since <= t.baseline_finish <= until
            and (t.slip or 0) > 0
        ),
        key=lambda t: (-(t.slip or 0), t.task.key),
    )


REPORT_COLUMNS = [
    "Паспорт",
    "Задача",
    "Окончание по базовому плану",
    "Окончание по прогнозу",
    "Отставание, раб. дн.",
    "На критическом пути",
    "Завершение паспорта по прогнозу",
]


def _report_rows(
    rows: list[TaskPlan], plan: Plan, passports: dict[int, Passport]
) -> list[list[Any]]:
    finish = plan.passport_finish()
    return [
        [
            passports[t.task.passport_id].number if t.task.passport_id in passports else "—",
            t.task.title,
            t.baseline_finish,
            t.finish,
            t.slip,
            "да" if t.critical else "",
            finish.get(t.task.passport_id or 0),
        ]
        for t in rows
    ]


def write_slipped(
    path: Path,
    plan: Plan,
    passports: dict[int, Passport],
    since: date,
    until: date,
) -> int:
    """What slipped in the period, as XLSX or as a PDF in Russian (by the file's suffix)."""
    rows = _report_rows(slipped(plan, since, until), plan, passports)
    if path.suffix.lower() == ".xlsx":
        write_xlsx(path, "Что отстаёт", REPORT_COLUMNS, rows, text_columns=(0,))
        return len(rows)
    title = f"Что отстаёт: задачи со сроком {since:%d.%m.%Y} – {until:%d.%m.%Y}"
    baseline = f"базовый план {plan.baseline.number}" if plan.baseline else "без базового плана"
    lines = [
        '#set page(paper: "a4", margin: 1.6cm, flipped: true)',
        '#set text(lang: "ru", size: 9pt)',
        "#set table(stroke: 0.4pt + luma(180), inset: 4pt)",
        f'= #"{literal(title)}"',
        f'#"{literal(f"Прогноз на {datetime.now():%d.%m.%Y}; {baseline}; задач: {len(rows)}.")}"',
        "",
        "#table(columns: (auto, 1fr, auto, auto, auto, auto, auto),",
        "  " + ", ".join(f'[*#"{literal(c)}"*]' for c in REPORT_COLUMNS) + ",",
    ]
    for row in rows:
        cells = ["—" if v is None else (f"{v:%d.%m.%Y}" if isinstance(v, date) else v) for v in row]
        lines.append("  " + ", ".join(f'[#"{literal(c)}"]' for c in cells) + ",")
    lines.append(")")
    path.write_bytes(compile_pdf("\n".join(lines)))
    return len(rows)
