"""A passport's economics from its own content and its credit agreements: cash flows by year,
NPV at a stated discount rate, IRR, payback, discounted payback, DSCR, the EAEU interest subsidy
eligible per year under its cap, and the NPV's sensitivity (a tornado).

Every assumption is returned with the result (`Economics.assumptions`), so a figure can be
defended: the investment is the passport's planned financing by year; the revenue is its
import-substitution effect by year (the output at the price the passport states); operating
costs are a stated share of revenue; debt service is the agreements' schedules; flows are in
RUB, other currencies converted at the trade module's rates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from unionsync.finance.cofinancing import cofinancing
from unionsync.finance.economics import discounted_payback, dscr, irr, npv, payback
from unionsync.finance.facility import planned_schedule
from unionsync.finance.models import Allocation, CreditAgreement
from unionsync.passports.models import Passport

EAEU_SUBSIDY_CAP = Decimal(350_000_000)  # RUB per project and year (EAEU budget)
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Inputs:
    """What the economics are computed from (each listed beside the result)."""

    years: tuple[int, ...]
    investment: dict[int, Decimal]
    revenue: dict[int, Decimal]
    opex_share: Decimal
    interest: dict[int, Decimal]
    debt_service: dict[int, Decimal]
    discount_rate: Decimal
    eaeu_cooperation: bool


@dataclass
class Economics:
    inputs: Inputs
    flows: dict[int, Decimal]
    npv: Decimal
    irr: float | None
    payback: Decimal | None
    discounted_payback: Decimal | None
    dscr: dict[int, Decimal | None]
    subsidy: dict[int, Decimal]
    assumptions: list[str] = field(default_factory=list)


def inputs_of(
    session: Session,
    passport: Passport,
    discount_rate: Decimal = Decimal("0.10"),
    opex_share: Decimal = Decimal("0.70"),
) -> Inputs:
    plan = cofinancing(session, passport)
    investment = {y.year: y.need for y in plan.years}
    revenue: dict[int, Decimal] = {}
    for row in (passport.content or {}).get("effect") or []:
        if isinstance(row, dict) and row.get("year") and row.get("imports_replaced"):
            year = int(row["year"])
            revenue[year] = revenue.get(year, Decimal(0)) + Decimal(str(row["imports_replaced"]))
    interest: dict[int, Decimal] = {}
    service: dict[int, Decimal] = {}
    agreements = session.scalars(
        select(CreditAgreement).join(Allocation).where(Allocation.passport_id == passport.id)
    )
    for agreement in agreements:
        for row in planned_schedule(agreement):
            year = row.due.year
            interest[year] = interest.get(year, Decimal(0)) + row.interest
            service[year] = service.get(year, Decimal(0)) + row.payment
    years = tuple(sorted(set(investment) | set(revenue) | set(service)))
    countries = {passport.initiator.country_code} | {
        p.organization.country_code for p in passport.participants
    }
    return Inputs(
        years,
        investment,
        revenue,
        opex_share,
        interest,
        service,
        discount_rate,
        eaeu_cooperation=len(countries & {"AM", "BY", "KZ", "KG", "RU"}) >= 2,
    )


def evaluate(inputs: Inputs) -> Economics:
    """The project's cash flows by year, before financing (revenue − operating costs −
    investment: NPV, IRR and paybacks judge the project, not its lenders), and per year the
    cover of the agreements' debt service by the cash the project makes (DSCR)."""
    flows: dict[int, Decimal] = {}
    available: dict[int, Decimal] = {}
    subsidy: dict[int, Decimal] = {}
    for year in inputs.years:
        revenue = inputs.revenue.get(year, Decimal(0))
        cash = revenue * (1 - inputs.opex_share)
        available[year] = cash
        eligible = (
            min(inputs.interest.get(year, Decimal(0)), EAEU_SUBSIDY_CAP)
            if inputs.eaeu_cooperation
            else Decimal(0)
        )
        subsidy[year] = eligible.quantize(CENT)
        flows[year] = (cash - inputs.investment.get(year, Decimal(0))).quantize(CENT)
    ordered = [flows[y] for y in inputs.years]
    assumptions = [
        f"investment: the passport's planned financing by year ({len(inputs.investment)} years)",
        f"revenue: the passport's import-substitution effect by year ({len(inputs.revenue)} years)",
        f"operating costs: {inputs.opex_share * 100:.0f} % of revenue",
        f"discount rate: {inputs.discount_rate * 100:.2f} % a year; flows at the end of each "
        f"year from {inputs.years[0] if inputs.years else '—'}",
        "debt service: the credit agreements' schedules on their signed amounts (in DSCR; the "
        "project's flows are before financing)",
        f"EAEU interest subsidy: {'eligible' if inputs.eaeu_cooperation else 'not eligible'}, "
        f"at most {EAEU_SUBSIDY_CAP:,} RUB a year",
    ]
    return Economics(
        inputs,
        flows,
        npv(inputs.discount_rate, ordered).quantize(CENT),
        irr(ordered),
        payback(ordered),
        discounted_payback(inputs.discount_rate, ordered),
        dict(
            zip(
                inputs.years,
                dscr(
                    [available[y] for y in inputs.years],
                    [inputs.debt_service.get(y, Decimal(0)) for y in inputs.years],
                ),
                strict=True,
            )
        ),
        subsidy,
        assumptions,
    )


def _scaled(values: dict[int, Decimal], factor: Decimal) -> dict[int, Decimal]:
    return {y: v * factor for y, v in values.items()}


def _delayed(values: dict[int, Decimal]) -> dict[int, Decimal]:
    return {y + 1: v for y, v in values.items()}


SENSITIVITIES: dict[str, Callable[[Inputs], Inputs]] = {
    "price −20 %": lambda i: replace(i, revenue=_scaled(i.revenue, Decimal("0.8"))),
    "price +20 %": lambda i: replace(i, revenue=_scaled(i.revenue, Decimal("1.2"))),
    "capex −20 %": lambda i: replace(i, investment=_scaled(i.investment, Decimal("0.8"))),
    "capex +20 %": lambda i: replace(i, investment=_scaled(i.investment, Decimal("1.2"))),
    "volume −20 %": lambda i: replace(i, revenue=_scaled(i.revenue, Decimal("0.8"))),
    "volume +20 %": lambda i: replace(i, revenue=_scaled(i.revenue, Decimal("1.2"))),
    "one year later": lambda i: replace(
        i,
        revenue=_delayed(i.revenue),
        years=tuple(sorted(set(i.years) | {max(i.years) + 1})) if i.years else i.years,
    ),
    "rate +2 pp": lambda i: replace(i, discount_rate=i.discount_rate + Decimal("0.02")),
}


def tornado(inputs: Inputs) -> list[tuple[str, Decimal]]:
    """The NPV's change under each sensitivity, largest first (price and volume move revenue
    alike here: the passport states one revenue line)."""
    base = evaluate(inputs).npv
    changes = [
        (name, evaluate(change(inputs)).npv - base) for name, change in SENSITIVITIES.items()
    ]
    return sorted(changes, key=lambda item: -abs(item[1]))
