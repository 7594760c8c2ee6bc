"""`unionsync finance`: the facility's position and an agreement's repayment schedule."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from unionsync.cli_support import GROUPS, err, file_errors, operator_session, ready_factory
from unionsync.core.tabular import write_xlsx
from unionsync.finance import drawdown
from unionsync.finance.facility import planned_schedule
from unionsync.finance.models import (
    Allocation,
    AllocationStatus,
    CreditAgreement,
    Facility,
)

app = typer.Typer(rich_markup_mode=None, help=GROUPS["finance"][1], no_args_is_help=True)
console = Console()


@app.command("facility")
def facility_command(
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Each facility: its amount, what is allocated, drawn and still available."""
    with operator_session(ready_factory()) as session:
        rows: list[dict[str, str | int]] = []
        for found in session.scalars(select(Facility).order_by(Facility.id)):
            allocated = session.scalar(
                select(func.coalesce(func.sum(Allocation.amount), 0)).where(
                    Allocation.facility_id == found.id,
                    Allocation.status == AllocationStatus.APPROVED,
                )
            )
            agreements = session.scalar(
                select(func.count())
                .select_from(CreditAgreement)
                .join(Allocation)
                .where(Allocation.facility_id == found.id)
            )
            drawn = drawdown.drawn(session, found)
            rows.append(
                {
                    "id": found.id,
                    "name": found.name,
                    "currency": found.currency.value,
                    "amount": str(found.amount),
                    "allocated": str(allocated),
                    "agreements": int(agreements or 0),
                    "drawn": str(drawn),
                    "available": str(found.amount - drawn),
                }
            )
    if as_json:
        console.print_json(json.dumps(rows, ensure_ascii=False))
        return
    table = Table("facility", "amount", "allocated", "agreements", "drawn", "available")
    for row in rows:
        table.add_row(
            *(str(row[k]) for k in ("name", "amount", "allocated", "agreements", "drawn")),
            str(row["available"]),
        )
    console.print(table)


@app.command("schedule")
def schedule_command(
    agreement_id: Annotated[int, typer.Option("--agreement", help="the agreement's id")],
    out: Annotated[Path | None, typer.Option("--out", help="an .xlsx file to write")] = None,
) -> None:
    """An agreement's repayment schedule (in kopecks; principal sums to the loan)."""
    if out is not None and out.suffix.lower() != ".xlsx":
        err.print("[red]--out must name an .xlsx file[/red]")
        raise typer.Exit(2)
    with operator_session(ready_factory()) as session:
        agreement = session.get(CreditAgreement, agreement_id)
        if agreement is None:
            err.print(f"[red]credit agreement {agreement_id} does not exist[/red]")
            raise typer.Exit(1)
        rows = planned_schedule(agreement)
        number, currency = agreement.number, agreement.currency.value
    headers = ["№", "Срок", "Остаток до", "Проценты", "Основной долг", "Платёж", "Остаток после"]
    values = [
        [r.number, r.due, r.opening, r.interest, r.principal, r.payment, r.closing] for r in rows
    ]
    if out is not None:
        write_xlsx(out, f"График {number}", headers, values)
        console.print(f"{len(rows)} installments of {number} written to {out}.")
        return
    table = Table(*headers, title=f"{number} ({currency})")
    for row in values:
        table.add_row(*(str(v) for v in row))
    console.print(table)


@app.command("economics")
def economics_command(
    passport_id: Annotated[int, typer.Option("--passport", help="the passport's id")],
    discount_rate: Annotated[
        float, typer.Option("--discount-rate", min=0.0, max=1.0, help="a year, 0.10 for 10 %")
    ] = 0.10,
    opex_share: Annotated[
        float, typer.Option("--opex-share", min=0.0, max=1.0, help="operating costs / revenue")
    ] = 0.70,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """A passport's flows by year, NPV, IRR, paybacks, DSCR, the EAEU subsidy, the tornado and
    every assumption."""
    from decimal import Decimal

    from unionsync.finance.projects import evaluate, inputs_of, tornado
    from unionsync.passports.models import Passport

    with operator_session(ready_factory()) as session:
        passport = session.get(Passport, passport_id)
        if passport is None:
            err.print(f"[red]passport {passport_id} does not exist[/red]")
            raise typer.Exit(1)
        inputs = inputs_of(session, passport, Decimal(str(discount_rate)), Decimal(str(opex_share)))
        if not inputs.years:
            err.print(f"[red]passport {passport.number} has no financing or effect by year[/red]")
            raise typer.Exit(1)
        result = evaluate(inputs)
        chart = tornado(inputs)
        number = passport.number
    summary = {
        "passport": number,
        "flows": {str(y): str(v) for y, v in result.flows.items()},
        "npv": str(result.npv),
        "irr": result.irr,
        "payback_years": None if result.payback is None else str(round(result.payback, 2)),
        "discounted_payback_years": None
        if result.discounted_payback is None
        else str(round(result.discounted_payback, 2)),
        "dscr": {str(y): None if v is None else str(v) for y, v in result.dscr.items()},
        "eaeu_subsidy": {str(y): str(v) for y, v in result.subsidy.items()},
        "tornado": [{"case": name, "npv_change": str(change)} for name, change in chart],
        "assumptions": result.assumptions,
    }
    if as_json:
        console.print_json(json.dumps(summary, ensure_ascii=False))
        return
    console.print(f"{number}: NPV {summary['npv']} RUB, IRR {summary['irr']}")
    for line in result.assumptions:
        console.print(f"  · {line}")


@app.command("rates")
def rates_command(
    path: Annotated[Path, typer.Argument(help="a CSV or Excel table: name, valid_from, rate, %")],
) -> None:
    """Load reference-rate values (a refinancing or key rate from a day on), all or nothing."""
    from unionsync.access.policy import SYSTEM
    from unionsync.finance.rates import import_reference_rates

    with file_errors(path), operator_session(ready_factory()) as session, session.begin():
        result = import_reference_rates(session, SYSTEM, path)
    console.print(
        f"{result.rows:,} rows read; {result.added} values added, {result.replaced} replaced."
    )


@app.command("add-facility")
def add_facility_command(
    name: Annotated[str, typer.Option("--name", help="the loan's name")],
    amount: Annotated[str, typer.Option("--amount", help="105000000000")],
    available_from: Annotated[str, typer.Option("--from", help="YYYY-MM-DD")],
    available_until: Annotated[str, typer.Option("--until", help="YYYY-MM-DD")],
    currency: Annotated[str, typer.Option("--currency")] = "RUB",
    rate: Annotated[
        str | None, typer.Option("--rate", help="a fixed rate, per cent a year")
    ] = None,
    reference: Annotated[
        str | None, typer.Option("--reference", help="or a reference rate's name")
    ] = None,
    margin: Annotated[
        str | None, typer.Option("--margin", help="plus this margin, per cent a year")
    ] = None,
    terms: Annotated[str | None, typer.Option("--terms", help="repayment terms, as text")] = None,
) -> None:
    """Record a loan facility (the intergovernmental agreement's loan), audited."""
    from datetime import date
    from decimal import Decimal

    from unionsync.access.audit import record
    from unionsync.access.policy import SYSTEM
    from unionsync.core.money import Currency
    from unionsync.core.validation import NumberError, TextError, clean_text, parse_decimal

    try:
        title = clean_text(name, max_length=300)
        total = parse_decimal(amount)
        start, end = date.fromisoformat(available_from), date.fromisoformat(available_until)
        money = Currency(currency.upper())
        fixed = parse_decimal(rate) if rate is not None else None
        plus = parse_decimal(margin) if margin is not None else None
        note = clean_text(terms, max_length=2000, multiline=True) if terms else None
    except (NumberError, TextError, ValueError) as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    if total is None or total <= 0 or end < start:
        err.print("[red]--amount must be positive and --until not before --from[/red]")
        raise typer.Exit(2)
    if (fixed is None) == (reference is None):
        err.print("[red]give either --rate (fixed) or --reference (floating)[/red]")
        raise typer.Exit(2)
    with operator_session(ready_factory()) as session, session.begin():
        found = Facility(
            name=title,
            amount=total.quantize(Decimal("0.01")),
            currency=money,
            available_from=start,
            available_until=end,
            fixed_rate=None if fixed is None else (fixed / 100).quantize(Decimal("0.000001")),
            reference_rate=reference,
            margin=None if plus is None else (plus / 100).quantize(Decimal("0.000001")),
            repayment_terms=note,
        )
        session.add(found)
        session.flush()
        record(
            session,
            "facility.create",
            "finance_facility",
            found.id,
            after={"name": title, "amount": str(found.amount), "currency": money.value},
            actor=SYSTEM,
        )
        facility_id = found.id
    console.print(f"Facility {facility_id} recorded.")
