"""Pages of the roadmap: the Gantt chart of the whole roadmap or one passport (critical path
highlighted, baseline bars under the forecast, milestones, today's line; filters by industry,
country and state), what slipped, and a task's page where progress and actual dates are recorded
(and a hand-made task's plan shifted)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from babel.dates import format_date
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from unionsync.access.deps import ActorDep
from unionsync.access.policy import Action, Kind, Principal, can, require
from unionsync.api.deps import SessionDep
from unionsync.core.errors import DomainValidationError, FieldError
from unionsync.core.messages import N_, Message
from unionsync.core.schemas import IdPath
from unionsync.core.tabular import UPLOAD_LIMITS, ImportFailedError, Limits, UnreadableFileError
from unionsync.core.validation import DateError, parse_day
from unionsync.passports.models import RECONCILED_OR_LATER, Passport
from unionsync.reference.models import Industry
from unionsync.roadmap import service
from unionsync.roadmap.api import output_values, task_values
from unionsync.roadmap.export import (
    import_workbook,
    milestones_calendar,
    write_slipped,
    write_workbook,
)
from unionsync.roadmap.models import RoadmapDependency
from unionsync.roadmap.outputs import import_output, write_output_form
from unionsync.roadmap.plan import Plan, TaskPlan
from unionsync.roadmap.schemas import DependencyIn, OutputIn, TaskChange, TaskCreate
from unionsync.roadmap.targets import LateItem, item_targets
from unionsync.roadmap.verdict import evidence
from unionsync.web.i18n import current_language, gettext
from unionsync.web.pages import (
    chart_data,
    chart_layout,
    form_numbers,
    form_values,
    int_or_none,
    render,
    use_language,
    validated_form,
)

router = APIRouter(include_in_schema=False)
DAY_MS = 86_400_000
UPLOAD_LIMIT = 10 * 1024 * 1024


def _filtered(
    plan: Plan,
    passports: dict[int, Passport],
    industry: int | None,
    country: str | None,
    state: str | None,
) -> list[TaskPlan]:
    def keep(t: TaskPlan) -> bool:
        passport = passports.get(t.task.passport_id or 0)
        if industry and (passport is None or passport.industry_id != industry):
            return False
        if country and t.task.country != country:
            return False
        return not (state and (passport is None or passport.status.value != state))

    return [t for t in plan.tasks if keep(t)]


@router.get("/roadmap", response_class=HTMLResponse)
def roadmap_page(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    passport_id: str | None = None,
    industry: str | None = None,
    country: str | None = None,
    state: str | None = None,
    scale: str | None = None,
) -> HTMLResponse:
    """The roadmap (or one passport's part) as a Gantt chart and a table; `scale` (years,
    quarters, months) sets the chart's ticks and the window it opens on."""
    use_language(request)
    chosen = int_or_none(passport_id)
    plan = service.view(session, actor, chosen)
    visible = service.visible_passports(session, actor)
    passports = {
        p.id: p
        for p in session.scalars(select(Passport).order_by(Passport.number))
        if visible is None or p.id in visible
    }
    country = country if country in ("BY", "RU") else None
    rows = _filtered(plan, passports, int_or_none(industry), country, state or None)
    today = datetime.now(UTC).date()
    slipped = sorted((t for t in rows if t.slip and t.slip > 0), key=lambda t: -(t.slip or 0))
    found = evidence(session, passports[chosen]) if chosen in passports else None
    covered = item_targets(session, plan, passport_id=chosen) if chosen in passports else []
    return render(
        request,
        session,
        "roadmap/index.html",
        active="roadmap",
        plan=plan,
        rows=rows,
        slipped=slipped,
        passports=passports,
        chosen=passports.get(chosen or 0),
        verdict=found,
        covered=covered,
        industries=list(session.scalars(select(Industry).order_by(Industry.id))),
        filters={
            "passport_id": chosen or "",
            "industry": industry or "",
            "country": country or "",
            "state": state or "",
            "scale": scale if scale in SCALES else "years",
        },
        scales=SCALES,
        today=today,
        may_add=can(actor, Action.CREATE, Kind.ROADMAP, owner=actor.country or "UNION"),
        may_report=chosen in passports and _reporter(actor, passports[chosen]),
        may_report_any=any(can(actor, Action.UPDATE, Kind.ROADMAP, owner=c) for c in ("BY", "RU")),
        charts=(
            {"chart-gantt": chart_data(_gantt(rows, passports, today, scale or "years", covered))}
            if rows
            else {}
        ),
    )


SCALES = {"years": N_("years"), "quarters": N_("quarters"), "months": N_("months")}
WINDOW_MONTHS = {"quarters": 36, "months": 12}  # what the chart opens on; the rest pans in


def _month(day: date, months: int) -> date:
    """The first day of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def time_axis(first: date, last: date, today: date, scale: str) -> dict[str, Any]:
    """A plotly date axis labelled by years, quarters («2 кв. 2027») or months («мар. 2027»)
    in the page's language; with quarters and months it opens on a window around today
    (inside the plan's span) that the user pans, so the labels stay readable."""
    step = {"quarters": 3, "months": 1}.get(scale, 12)
    start = date(first.year, 1, 1) if step == 12 else _month(first, -((first.month - 1) % step))
    ticks: list[date] = []
    while start <= last:
        ticks.append(start)
        start = _month(start, step)
    ticks.append(start)
    language = current_language.get()
    if step == 12:
        text = [str(t.year) for t in ticks]
    elif step == 3:
        text = [
            gettext("Q%(q)s %(year)s") % {"q": (t.month - 1) // 3 + 1, "year": t.year}
            for t in ticks
        ]
    else:
        text = [format_date(t, "LLL yyyy", locale=language) for t in ticks]
    axis: dict[str, Any] = {
        "type": "date",
        "gridcolor": "#e3e8ef",
        "tickmode": "array",
        "tickvals": [str(t) for t in ticks],
        "ticktext": text,
    }
    window = WINDOW_MONTHS.get(scale)
    if window is not None:
        begin = max(ticks[0], _month(today, -window // 3))
        end = min(ticks[-1], _month(begin, window))
        begin = max(ticks[0], min(begin, _month(end, -window)))
        axis["range"] = [str(begin), str(end)]
    return axis


def _gantt(
    rows: list[TaskPlan],
    passports: dict[int, Passport],
    today: date,
    scale: str = "years",
    targets: list[LateItem] | None = None,
) -> dict[str, Any]:
    """Forecast bars (critical ones red), the baseline under them in grey, milestones as
    diamonds, the target years of the program items the passport covers (the year's last day;
    red when the passport now ends later), and today's line, on a time axis of years, quarters
    or months."""
    ordered = sorted(rows, key=lambda t: (t.task.passport_id or 0, t.start, t.task.key))
    labels = [
        f"{passports[t.task.passport_id].number if t.task.passport_id in passports else '—'} · "
        f"{t.task.title[:48]}"
        for t in ordered
    ]
    bars = [t for t in ordered if t.task.duration or t.finish > t.start]
    data: list[dict[str, Any]] = []
    base = [t for t in bars if t.baseline_finish is not None and t.baseline_start is not None]
    if base:
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": gettext("baseline"),
                "y": [labels[ordered.index(t)] for t in base],
                "base": [str(t.baseline_start) for t in base],
                "x": [
                    max(1, (t.baseline_finish - t.baseline_start).days) * DAY_MS
                    for t in base
                    if t.baseline_finish is not None and t.baseline_start is not None
                ],
                "width": 0.3,
                "offset": 0.15,
                "marker": {"color": "#b8c2cc"},
                "hoverinfo": "skip",
            }
        )
    for critical, name, color in (
        (False, gettext("forecast"), "#2359a8"),
        (True, gettext("critical path"), "#b3261e"),
    ):
        chosen = [t for t in bars if t.critical is critical]
        if not chosen:
            continue
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": name,
                "y": [labels[ordered.index(t)] for t in chosen],
                "base": [str(t.start) for t in chosen],
                "x": [max(1, (t.finish - t.start).days) * DAY_MS for t in chosen],
                "width": 0.5,
                "offset": -0.35,
                "marker": {"color": color},
                "customdata": [[str(t.start), str(t.finish), t.total_float] for t in chosen],
                "hovertemplate": "%{customdata[0]} – %{customdata[1]}<br>"
                + gettext("float")
                + ": %{customdata[2]}<extra></extra>",
            }
        )
    points = [t for t in ordered if t not in bars]
    if points:
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": gettext("milestones"),
                "y": [labels[ordered.index(t)] for t in points],
                "x": [str(t.finish) for t in points],
                "marker": {
                    "symbol": "diamond",
                    "size": 11,
                    "color": ["#b3261e" if t.critical else "#1b7f4b" for t in points],
                },
                "hovertemplate": "%{x}<extra></extra>",
            }
        )
    if targets:
        marks = [
            (f"{gettext('Target year')}: {x.program} №{x.position} {x.name[:36]}", x)
            for x in targets
        ]
        labels += [label for label, _ in marks if label not in labels]
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": gettext("target years of the program items"),
                "y": [label for label, _ in marks],
                "x": [str(date(x.target_year, 12, 31)) for _, x in marks],
                "marker": {
                    "symbol": "star",
                    "size": 12,
                    "color": ["#b3261e" if x.late else "#1b7f4b" for _, x in marks],
                },
                "hovertemplate": "%{x}<extra></extra>",
            }
        )
    height = max(320, 22 * len(labels) + 120)
    return {
        "data": data,
        "layout": chart_layout(
            barmode="overlay",
            height=height,
            xaxis=time_axis(
                min(t.start for t in ordered),
                max(
                    [t.finish for t in ordered]
                    + [date(x.target_year, 12, 31) for x in targets or []]
                ),
                today,
                scale,
            ),
            yaxis={
                "autorange": "reversed",
                "automargin": True,
                "categoryorder": "array",
                "categoryarray": labels,
            },
            shapes=[
                {
                    "type": "line",
                    "x0": str(today),
                    "x1": str(today),
                    "yref": "paper",
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": "#b26b00", "dash": "dot", "width": 2},
                }
            ],
            separators=", " if current_language.get() == "ru" else ".,",
        ),
    }


@router.get("/roadmap/tasks/{task_id}", response_class=HTMLResponse)
def task_page(request: Request, task_id: IdPath, session: SessionDep, actor: ActorDep) -> Response:
    task = service.get_task(session, actor, task_id)
    plan = service.view(session, actor, task.passport_id)
    found = next(t for t in plan.tasks if t.task.id == task_id)
    links = list(
        session.scalars(
            select(RoadmapDependency).where(
                (RoadmapDependency.before_id == task_id) | (RoadmapDependency.after_id == task_id)
            )
        )
    )
    return render(
        request,
        session,
        "roadmap/task.html",
        active="roadmap",
        t=found,
        links=links,
        names={p.task.id: p.task.title for p in plan.tasks},
        others=[p.task for p in plan.tasks if p.task.id != task_id],
        may_change=can(actor, Action.UPDATE, Kind.ROADMAP, owner=task.owner),
    )


@router.post("/roadmap/tasks/{task_id}/dependencies")
async def add_dependency(
    request: Request, task_id: IdPath, session: SessionDep, actor: ActorDep
) -> Response:
    """This task must finish before another starts (or the form's link and lag)."""
    task = service.get_task(session, actor, task_id)
    require(actor, Action.UPDATE, Kind.ROADMAP, owner=task.owner)  # before reading the form
    form = await form_values(request)
    body = validated_form(
        DependencyIn,
        {
            "before_id": task_id,
            "after_id": form.get("after_id"),
            "link": form.get("link") or "FS",
            "lag": form.get("lag") or 0,
        },
    )
    service.add_dependency(session, actor, body.before_id, body.after_id, body.link, body.lag)
    return RedirectResponse(f"/roadmap/tasks/{task_id}", status_code=303)


@router.post("/roadmap/tasks/{task_id}")
async def change_task(
    request: Request, task_id: IdPath, session: SessionDep, actor: ActorDep
) -> Response:
    """Record progress and actual dates (a hand-made task's plan too), as the API does."""
    task = service.get_task(session, actor, task_id)
    require(actor, Action.UPDATE, Kind.ROADMAP, owner=task.owner)  # before reading the form
    body = validated_form(TaskChange, await form_values(request))
    service.change_task(
        session, actor, task_id, service.TaskValues(**body.model_dump(exclude_none=True))
    )
    return RedirectResponse(f"/roadmap/tasks/{task_id}", status_code=303)


@router.post("/roadmap/tasks")
async def add_task(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """A task by hand (the service checks the passport's owner once the form is read)."""
    require(actor, Action.CREATE, Kind.ROADMAP, owner=actor.country or "UNION")
    form = await form_values(request)
    body = validated_form(TaskCreate, form)
    task = service.add_task(session, actor, body.passport_id, task_values(body))
    return RedirectResponse(f"/roadmap/tasks/{task.id}", status_code=303)


@router.get("/roadmap/roadmap.xlsx")
def roadmap_xlsx(session: SessionDep, actor: ActorDep, passport_id: str | None = None) -> Response:
    """The tasks with their forecast for Excel (it comes back through the import)."""
    plan = service.view(session, actor, int_or_none(passport_id))
    passports = {p.id: p for p in session.scalars(select(Passport))}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "roadmap.xlsx"
        write_workbook(path, plan, passports)
        body = path.read_bytes()
    return Response(
        body,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="unionsync-roadmap.xlsx"'},
    )


@router.get("/roadmap/milestones.ics")
def roadmap_ics(session: SessionDep, actor: ActorDep, passport_id: str | None = None) -> Response:
    """The milestones as an iCalendar feed (stable identifiers: a subscription moves events)."""
    plan = service.view(session, actor, int_or_none(passport_id))
    passports = {p.id: p for p in session.scalars(select(Passport))}
    return Response(
        milestones_calendar(plan, passports),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="unionsync-milestones.ics"'},
    )


@router.get("/roadmap/slipped.{fmt}")
def slipped_report(
    request: Request,
    fmt: str,
    session: SessionDep,
    actor: ActorDep,
    since: str | None = None,
    until: str | None = None,
) -> Response:
    """What slipped in a period (by the baseline's dates), in Russian, as XLSX or PDF."""
    if fmt not in ("xlsx", "pdf"):
        return Response(status_code=404)
    plan = service.view(session, actor)
    errors = []
    days = []
    for name, value, default in (
        ("since", since, date(2000, 1, 1)),
        ("until", until, date(2100, 12, 31)),
    ):
        try:
            days.append(parse_day(value) or default)
        except DateError as error:
            errors.append(FieldError.explained(name, Message(error.template, **error.params)))
    if errors:
        raise DomainValidationError(errors)
    passports = {p.id: p for p in session.scalars(select(Passport))}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"slipped.{fmt}"
        write_slipped(path, plan, passports, days[0], days[1])
        body = path.read_bytes()
    media = (
        "application/pdf"
        if fmt == "pdf"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="unionsync-slipped.{fmt}"'},
    )


@router.post("/roadmap/import", response_class=HTMLResponse)
async def import_roadmap(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """The workbook back: progress, actual dates, estimates, new tasks; all or nothing, every
    error by row and column."""
    require(actor, Action.CREATE, Kind.ROADMAP, owner=actor.country or "UNION")
    return await _load(
        request, session, actor, "roadmap.xlsx", import_workbook, N_("Roadmap import")
    )


async def _load(
    request: Request,
    session: Session,
    actor: Principal,
    default: str,
    load: Callable[[Session, Principal, bytes, str, Limits], object],
    title: str,  # the page's heading, a catalog message
) -> Response:
    """A posted workbook through `load` (the roadmap's or the output form's), all or nothing:
    the page of what was taken, or of every error by row and column (422)."""
    content, name = await _upload(request, default)
    try:
        with session.begin_nested():  # rows written before an error are undone
            result = load(session, actor, content, name, UPLOAD_LIMITS)
    except UnreadableFileError as unreadable:
        raise DomainValidationError([FieldError("file", str(unreadable))]) from None
    except ImportFailedError as failed:
        return render(
            request,
            session,
            "roadmap/imported.html",
            active="roadmap",
            status_code=422,
            errors=failed.errors,
            result=None,
            name=name,
            title=title,
        )
    return render(
        request,
        session,
        "roadmap/imported.html",
        active="roadmap",
        result=result,
        name=name,
        title=title,
    )


async def _upload(request: Request, default: str) -> tuple[bytes, str]:
    """The posted workbook's bytes and name, at most `UPLOAD_LIMIT`."""
    form = await request.form()
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise DomainValidationError(
            [FieldError.explained("file", Message(N_("choose the workbook to load")))]
        )
    content = await upload.read(UPLOAD_LIMIT + 1)
    if len(content) > UPLOAD_LIMIT:
        raise DomainValidationError(
            [FieldError.explained("file", Message(N_("the file is larger than 10 MB")))]
        )
    return content, upload.filename or default


def _reporter(actor: Principal, passport: Passport) -> bool:
    """Whether the actor may report output for some product of the passport (the service
    checks each product again)."""
    return any(
        can(actor, Action.UPDATE, Kind.ROADMAP, owner=product.country_code)
        for product in passport.products
    )


@router.post("/roadmap/passports/{passport_id}/output")
async def report_output(
    request: Request, passport_id: IdPath, session: SessionDep, actor: ActorDep
) -> Response:
    """One product's output for a year or a quarter, through the API's schema and rules."""
    passport = service.visible_passport(session, actor, passport_id)
    if not _reporter(actor, passport):
        require(actor, Action.UPDATE, Kind.ROADMAP, owner=passport.initiator.country_code)
    form = await form_values(request)
    body = validated_form(
        OutputIn,
        form_numbers({**form, "passport_id": passport_id}, "quantity", "value", "to_partner"),
    )
    service.report_output(session, actor, output_values(body))  # passport_id: the path's
    return RedirectResponse(f"/roadmap?passport_id={passport_id}#verdict", status_code=303)


@router.get("/roadmap/output.xlsx")
def output_form(
    session: SessionDep, actor: ActorDep, passport_id: str | None = None, year: str | None = None
) -> Response:
    """The output form as a workbook: a row per product of the passport (or of every passport
    the reader sees and may report for) for the year (last year by default)."""
    chosen = int_or_none(passport_id)
    if chosen is not None:
        passports = [service.visible_passport(session, actor, chosen)]
    else:
        visible = service.visible_passports(session, actor)
        passports = [
            p
            for p in session.scalars(
                select(Passport)
                .where(Passport.status.in_(RECONCILED_OR_LATER))
                .order_by(Passport.number)
            )
            if (visible is None or p.id in visible) and _reporter(actor, p)
        ]
    this_year = datetime.now(UTC).year
    wanted = int_or_none(year)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "output.xlsx"
        write_output_form(
            path,
            passports,
            wanted if wanted is not None and wanted <= this_year else this_year - 1,
        )
        body = path.read_bytes()
    return Response(
        body,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="unionsync-output.xlsx"'},
    )


@router.post("/roadmap/output/import", response_class=HTMLResponse)
async def import_output_form(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """The filled output form back: all or nothing, every error by row and column."""
    if not any(can(actor, Action.UPDATE, Kind.ROADMAP, owner=c) for c in ("BY", "RU")):
        require(actor, Action.UPDATE, Kind.ROADMAP, owner=actor.country or "BY")
    return await _load(request, session, actor, "output.xlsx", import_output, N_("Output import"))
