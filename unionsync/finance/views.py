"""Pages of financing: the facility (allocated / drawn / available by project, bank and month,
the drawdown curve against the plan), one credit agreement (schedule, requests, disbursements,
repayments), the drawdown requests waiting for the current user, and a passport's financing
tab (sources by year, gap, economics, tornado, a second scenario beside the first)."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from unionsync.access.deps import ActorDep
from unionsync.access.policy import PermissionDeniedError
from unionsync.api.deps import SessionDep
from unionsync.core.errors import DomainValidationError, FieldError, NotFoundError
from unionsync.core.messages import Message
from unionsync.core.schemas import IdPath, IdQuery
from unionsync.core.tabular import write_xlsx
from unionsync.core.validation import NumberError, parse_decimal
from unionsync.finance import drawdown, facility, service
from unionsync.finance.api import DrawdownAct, apply_act
from unionsync.finance.models import DrawdownRequest
from unionsync.finance.schemas import DrawdownActIn, DrawdownIn, RepaymentIn
from unionsync.passports.service import get_passport
from unionsync.passports.template import load_template
from unionsync.selection.models import Contract
from unionsync.web.i18n import N_, current_language, gettext
from unionsync.web.pages import (
    chart_data,
    chart_layout,
    form_numbers,
    form_values,
    render,
    use_language,
    validated_form,
)

router = APIRouter(include_in_schema=False)

# the tornado's cases (finance/projects.py names them in English for the API and the CLI)
CASES = {
    "price −20 %": (N_("price"), "−20 %"),
    "price +20 %": (N_("price"), "+20 %"),
    "capex −20 %": (N_("capital expenditure"), "−20 %"),
    "capex +20 %": (N_("capital expenditure"), "+20 %"),
    "volume −20 %": (N_("volume"), "−20 %"),
    "volume +20 %": (N_("volume"), "+20 %"),
    "one year later": (N_("output one year later"), ""),
    "rate +2 pp": (N_("discount rate +2 pp"), ""),
}


def case_label(name: str) -> str:
    what, change = CASES.get(name, (name, ""))
    return f"{gettext(what)} {change}".strip()


def source_label(key: str) -> str:
    """A financing source as the passport's template names it."""
    field = next(f for f in load_template().section("financing").fields if f.key == "source")
    return field.shown(key, current_language.get()) or key


@router.get("/finance", response_class=HTMLResponse)
def facility_page(
    request: Request, session: SessionDep, actor: ActorDep, facility_id: IdQuery = None
) -> HTMLResponse:
    """The facility: allocated, signed, drawn and available; by project, bank and month; the
    cumulative drawdown against the passports' plan (a bank: its own agreements only)."""
    use_language(request)  # the chart's words are made before the page is rendered
    facilities = service.list_facilities(session, actor)  # checks access, too
    if facility_id is None and not facilities:
        return render(request, session, "finance/facility.html", active="finance", position=None)
    found = service.get_facility(session, facility_id) if facility_id else facilities[0]
    position = service.position(session, actor, found)
    mine, _others = service.inbox(session, actor)
    return render(
        request,
        session,
        "finance/facility.html",
        active="finance",
        position=position,
        facilities=facilities,
        waiting=len(mine),
        charts={"chart-drawdown": chart_data(_curve(position))} if position.months else {},
    )


def _curve(position: service.Position) -> dict[str, Any]:
    """Cumulative disbursements by month against the plan's cumulative state loan by year."""
    scale = Decimal(10**9)
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": gettext("drawn (cumulative)"),
            "x": [f"{m.month}-15" for m in position.months],
            "y": [float(m.cumulative / scale) for m in position.months],
            "line": {"color": "#2359a8", "shape": "hv"},
            "hovertemplate": "%{x|%m.%Y}: %{y:.2f} " + gettext("bn") + "<extra></extra>",
        }
    ]
    if position.plan:
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": gettext("plan: the passports' state-loan rows (cumulative)"),
                "x": [f"{year}-12-31" for year, _ in position.plan],
                "y": [float(total / scale) for _, total in position.plan],
                "line": {"color": "#b26b00", "dash": "dash"},
                "hovertemplate": "%{x|%Y}: %{y:.2f} " + gettext("bn") + "<extra></extra>",
            }
        )
    currency = position.facility.currency.value
    return {
        "data": data,
        "layout": chart_layout(
            yaxis={"title": {"text": f"{gettext('bn')} {currency}"}, "gridcolor": "#e3e8ef"},
            xaxis={"type": "date", "tickformat": "%m.%Y"},
            separators=", " if current_language.get() == "ru" else ".,",
        ),
    }


@router.get("/finance/inbox", response_class=HTMLResponse)
def inbox_page(request: Request, session: SessionDep, actor: ActorDep) -> HTMLResponse:
    """Drawdown requests waiting for the current user's act, then the others in progress."""
    mine, others = service.inbox(session, actor)
    return render(
        request,
        session,
        "finance/inbox.html",
        active="finance",
        mine=mine,
        others=others,
    )


@router.get("/finance/agreements/{agreement_id}", response_class=HTMLResponse)
def agreement_page(
    request: Request, agreement_id: IdPath, session: SessionDep, actor: ActorDep
) -> HTMLResponse:
    view = service.agreement_view(session, actor, agreement_id)
    agreement = view.agreement
    contracts = {
        c.id: c
        for c in session.scalars(
            select(Contract).where(
                Contract.id.in_([d.contract_id for d in view.drawdowns if d.contract_id])
            )
        )
    }
    return render(
        request,
        session,
        "finance/agreement.html",
        active="finance",
        view=view,
        agreement=agreement,
        contracts=contracts,
        acts={d.id: service.next_acts(actor, d) for d in view.drawdowns},
        may_request=drawdown.may_request(actor, agreement),
        payable=drawdown.contracts_of(session, agreement),
        may_repay=drawdown.is_bank_writer(actor, agreement),
    )


@router.get("/finance/agreements/{agreement_id}/schedule.xlsx")
def schedule_xlsx(agreement_id: IdPath, session: SessionDep, actor: ActorDep) -> Response:
    """The repayment schedule for Excel (kopecks exact; principal sums to the loan)."""
    agreement = service.get_agreement(session, actor, agreement_id)
    headers = [
        gettext("No."),
        gettext("Due"),
        gettext("Owed before"),
        gettext("Interest"),
        gettext("Principal"),
        gettext("Payment"),
        gettext("Owed after"),
    ]
    rows = [
        [r.number, r.due, r.opening, r.interest, r.principal, r.payment, r.closing]
        for r in facility.planned_schedule(agreement)
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "schedule.xlsx"
        write_xlsx(path, agreement.number, headers, rows)
        body = path.read_bytes()
    name = f"schedule-{agreement.id}.xlsx"
    return Response(
        body,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


@router.post("/finance/agreements/{agreement_id}/drawdowns")
async def request_drawdown(
    request: Request, agreement_id: IdPath, session: SessionDep, actor: ActorDep
) -> Response:
    """The form of a drawdown request: the same checks as the API (`DrawdownIn`)."""
    agreement = service.get_agreement(session, actor, agreement_id)
    if not drawdown.may_request(actor, agreement):  # before reading the form
        raise PermissionDeniedError(
            f"{actor.username} may not request drawdowns of agreement {agreement.number}"
        )
    body = validated_form(DrawdownIn, form_numbers(await form_values(request), "amount"))
    drawdown.request(
        session,
        actor,
        agreement_id,
        body.amount,
        body.purpose,
        currency=body.currency,
        contract_id=body.contract_id,
    )
    return RedirectResponse(f"/finance/agreements/{agreement_id}#drawdowns", status_code=303)


@router.post("/finance/drawdowns/{drawdown_id}/acts/{what}")
async def drawdown_act(
    request: Request, drawdown_id: IdPath, what: str, session: SessionDep, actor: ActorDep
) -> Response:
    """An act on a request from the agreement page or the inbox; back to where it came from."""
    found = session.get(DrawdownRequest, drawdown_id)
    if found is None:
        raise NotFoundError("drawdown request", drawdown_id)
    service.get_agreement(session, actor, found.agreement_id)
    try:
        act = DrawdownAct(what)
    except ValueError:
        raise NotFoundError("act", what) from None
    form = await form_values(request)
    body = validated_form(DrawdownActIn, {k: form.get(k) for k in ("reason", "on")})
    apply_act(session, actor, drawdown_id, act, body)
    back = "/finance/inbox" if form.get("back") == "inbox" else None
    return RedirectResponse(
        back or f"/finance/agreements/{found.agreement_id}#drawdown-{drawdown_id}",
        status_code=303,
    )


@router.post("/finance/agreements/{agreement_id}/repayments")
async def record_repayment(
    request: Request, agreement_id: IdPath, session: SessionDep, actor: ActorDep
) -> Response:
    agreement = service.get_agreement(session, actor, agreement_id)
    if not drawdown.is_bank_writer(actor, agreement):  # before reading the form
        raise PermissionDeniedError(f"{actor.username} is not a writer of the lending bank")
    body = validated_form(
        RepaymentIn, form_numbers(await form_values(request), "principal", "interest")
    )
    facility.record_repayment(
        session, actor, agreement_id, body.paid_on, body.principal, body.interest
    )
    return RedirectResponse(f"/finance/agreements/{agreement_id}#repayments", status_code=303)


def _fraction(value: str | None, field: str, default: Decimal, low: int, high: int) -> Decimal:
    """A percentage typed in a form (`10` or `10,5`) as a fraction, within its bounds."""
    if value is None or not value.strip():
        return default
    try:
        number = parse_decimal(value, allow_negative=True)
    except NumberError:
        number = None
    if number is None or not low <= number <= high:
        text = Message(N_("enter a percentage from %(low)s to %(high)s"), low=low, high=high)
        raise DomainValidationError([FieldError.explained(field, text, value)])
    return (number / 100).quantize(Decimal("0.0001"))


@router.get("/passports/{passport_id}/financing", response_class=HTMLResponse)
def financing_page(
    request: Request,
    passport_id: IdPath,
    session: SessionDep,
    actor: ActorDep,
) -> HTMLResponse:
    """A passport's financing tab: sources by year with the gap, its agreements, the economics
    and their tornado; scenario B (the form under it) beside the base."""
    use_language(request)
    passport = get_passport(session, actor, passport_id)
    q = request.query_params
    base = service.Scenario(
        _fraction(q.get("rate"), "rate", Decimal("0.10"), 0, 100),
        _fraction(q.get("opex"), "opex", Decimal("0.70"), 0, 100),
    )
    asked = any(q.get(k) for k in ("b_rate", "b_opex", "b_price", "b_capex", "b_delay"))
    delay = q.get("b_delay") or "0"
    if not delay.isdigit() or int(delay) > 10:
        text = Message(N_("enter whole years from 0 to 10"))
        raise DomainValidationError([FieldError.explained("b_delay", text, delay)])
    other = (
        service.Scenario(
            _fraction(q.get("b_rate"), "b_rate", base.discount_rate, 0, 100),
            _fraction(q.get("b_opex"), "b_opex", base.opex_share, 0, 100),
            _fraction(q.get("b_price"), "b_price", Decimal(0), -100, 500),
            _fraction(q.get("b_capex"), "b_capex", Decimal(0), -100, 500),
            int(delay),
        )
        if asked
        else None
    )
    found = service.passport_financing(session, actor, passport, base, other)
    sources = sorted({s for y in found.plan.years for s in (*y.planned, *y.actual)})
    charts = {}
    if found.tornado:
        charts["chart-tornado"] = chart_data(_tornado_chart(found.tornado))
    return render(
        request,
        session,
        "finance/passport.html",
        active="passports",
        passport=passport,
        found=found,
        sources=sources,
        source_label=source_label,
        case_label=case_label,
        base=base,
        other=other,
        values={
            k: q.get(k, "")
            for k in ("rate", "opex", "b_rate", "b_opex", "b_price", "b_capex", "b_delay")
        },
        charts=charts,
    )


def _tornado_chart(cases: list[tuple[str, Decimal]]) -> dict[str, Any]:
    scale = Decimal(10**6)
    ordered = list(reversed(cases))  # the largest on top
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": [case_label(name) for name, _ in ordered],
                "x": [float(change / scale) for _, change in ordered],
                "marker": {
                    "color": ["#1b7f4b" if change >= 0 else "#b3261e" for _, change in ordered]
                },
                "hovertemplate": "%{x:.1f} " + gettext("mln") + " RUB<extra></extra>",
            }
        ],
        "layout": chart_layout(
            xaxis={
                "title": {"text": gettext("change of NPV, mln RUB")},
                "gridcolor": "#e3e8ef",
                "zeroline": True,
            },
            yaxis={"automargin": True},
            separators=", " if current_language.get() == "ru" else ".,",
        ),
    }
