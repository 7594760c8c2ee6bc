"""Mirror statistics over the stored trade records: both sides' figures, reconciled, in BYN, RUB
or USD, every conversion with the rate it used (see `mirror.py` for the method)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from unionsync.access.policy import Action, Kind, Principal, require
from unionsync.core.errors import DomainValidationError, FieldError
from unionsync.core.money import Currency
from unionsync.core.shared import data_version, version_of
from unionsync.nomenclature.lists import MembershipIndex, all_lists, entry_spans, get_list
from unionsync.trade.mirror import DEFAULT_CIF_FOB, Mirror, MirrorRow, Record, mirror
from unionsync.trade.models import TradeFlow
from unionsync.trade.service import RateUsed, rate_factor

if TYPE_CHECKING:
    from distributed import Client

ANY_LIST = "*"  # codes under any code list (what the overview calls critical products)


@dataclass(frozen=True, slots=True)
class YearFigures:
    """One direction's (or both directions') figures for a year, in the chosen currency."""

    year: int
    # one direction: the exporter's record and the importer's CIF/FOB-adjusted one; mutual
    # trade: each country's records (exports and imports) as reported
    exporter_record: float
    importer_record: float
    estimate: float
    low: float
    high: float
    rates: tuple[RateUsed, ...]


@dataclass(slots=True)
class MirrorReport:
    exporter: str
    importer: str
    currency: Currency
    mirror: Mirror
    years: list[YearFigures]
    usd_rate: dict[int, Decimal]  # units of `currency` per USD, per year

    def in_currency(self, usd: float, year: int) -> float:
        return usd * float(self.usd_rate[year])

    def rows(self, year: int | None = None) -> list[MirrorRow]:
        return [r for r in self.mirror.rows if year in (None, r.year)]

    def largest_gaps(self, year: int | None = None, limit: int = 20) -> list[MirrorRow]:
        """The codes whose two records lie furthest apart (the interval's width)."""
        return sorted(self.rows(year), key=lambda r: r.low - r.high)[:limit]


def _records(
    session: Session, countries: Sequence[str], critical: str | None, actor: Principal
) -> tuple[list[Record], dict[int, tuple[RateUsed, ...]]]:
    """Both countries' records of their mutual trade, in USD; the rates used per year."""
    flows = session.scalars(
        select(TradeFlow).where(
            TradeFlow.reporter_code.in_(countries), TradeFlow.partner_code.in_(countries)
        )
    ).all()
    if critical:
        lists = (
            all_lists(session, actor)
            if critical == ANY_LIST
            else [get_list(session, actor, critical)]
        )
        index = MembershipIndex(span for code_list in lists for span in entry_spans(code_list))
        if flows:
            keep = index.contains([f.tnved_code for f in flows])
            flows = [f for f, kept in zip(flows, keep, strict=True) if kept]
    usd = _ToUsd(session)
    records = [
        Record(
            flow.reporter_code,
            flow.partner_code,
            flow.year,
            flow.flow.value,
            flow.tnved_code,
            usd(flow.value_amount, flow.value_currency, flow.year),
            float(flow.quantity) if flow.quantity is not None else None,
            flow.unit_okei,
        )
        for flow in flows
    ]
    return records, usd.rates


class _ToUsd:
    """Amounts in USD at each year's rate, each rate looked up once; `rates` keeps the rates
    used per year, which the report shows beside its figures."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.factor: dict[tuple[Currency, int], Decimal] = {}
        self.rates: dict[int, tuple[RateUsed, ...]] = {}

    def __call__(self, amount: Decimal, currency: Currency, year: int) -> float:
        key = (currency, year)
        if key not in self.factor:
            self.factor[key], used = rate_factor(self.session, currency, Currency.USD, year)
            self.rates[year] = tuple(dict.fromkeys(self.rates.get(year, ()) + used))
        return float(amount * self.factor[key])


def mirror_report(
    session: Session,
    actor: Principal,
    exporter: str,
    importer: str,
    *,
    critical: str | None = None,
    currency: Currency = Currency.BYN,
    cif_fob: float = DEFAULT_CIF_FOB,
    estimate_cif: bool = False,
) -> MirrorReport:
    """The flows from `exporter` to `importer` as both recorded them, reconciled, by year."""
    require(actor, Action.VIEW, Kind.TRADE)
    records, rates = _records(session, (exporter, importer), critical, actor)
    result = mirror(records, exporter, importer, cif_fob=cif_fob, estimate_cif=estimate_cif)
    return _report(session, exporter, importer, currency, result, rates)


def dataset_mirror_report(
    session: Session,
    actor: Principal,
    root: Path,
    exporter: str,
    importer: str,
    *,
    client: Client | None = None,
    level: int = 6,
    currency: Currency = Currency.BYN,
    cif_fob: float = DEFAULT_CIF_FOB,
    estimate_cif: bool = False,
) -> MirrorReport:
    """Mirror statistics over every imported file's full table (all partners, not only the
    BY–RU summary): each file group is summed where it runs (on a Dask cluster with `client`),
    and the reporters' variances are estimated from every country pair the files hold, which
    makes them identifiable per reporter and role. Codes are compared at `level` ≤ 6 digits,
    the HS subheading every layout has."""
    from unionsync.trade.aggregate import flow_totals

    require(actor, Action.VIEW, Kind.TRADE)
    if not 2 <= level <= 6:
        raise DomainValidationError(
            [FieldError("level", "the full tables are compared at 2 to 6 digits", level)]
        )
    usd = _ToUsd(session)
    records = []
    for (reporter, partner, year, flow, hs6, held), total in flow_totals(root, client).items():
        units = sorted(total.units)
        records.append(
            Record(
                reporter,
                partner,
                year,
                flow,
                f"{hs6:06d}",
                usd(Decimal(total.cents).scaleb(-2), Currency(held), year),
                # quantities in different units are never added (as in the summary)
                None if total.milli is None or len(units) > 1 else total.milli / 1000,
                ",".join(units) or None,
            )
        )
    result = mirror(
        records, exporter, importer, level=level, cif_fob=cif_fob, estimate_cif=estimate_cif
    )
    return _report(session, exporter, importer, currency, result, usd.rates)


def mutual_report(
    session: Session,
    actor: Principal,
    first: str,
    second: str,
    *,
    critical: str | None = None,
    currency: Currency = Currency.BYN,
    cif_fob: float = DEFAULT_CIF_FOB,
    estimate_cif: bool = False,
) -> MirrorReport:
    """Mutual trade in both directions: the first country's records (its exports and imports,
    as reported) against the second's, and the reconciled total with its interval."""
    require(actor, Action.VIEW, Kind.TRADE)
    records, rates = _records(session, (first, second), critical, actor)
    there = mirror(records, first, second, cif_fob=cif_fob, estimate_cif=estimate_cif)
    back = mirror(records, second, first, cif_fob=cif_fob, estimate_cif=estimate_cif)
    combined = Mirror(there.rows + back.rows, there.variances)
    report = _report(session, first, second, currency, combined, rates)
    # each country's records as it reported them: its exports and its imports (CIF)
    report.years = [
        YearFigures(
            y.year,
            report.in_currency(
                sum(r.x or 0.0 for r in there.rows if r.year == y.year)
                + sum(r.imported.value for r in back.rows if r.year == y.year and r.imported),
                y.year,
            ),
            report.in_currency(
                sum(r.imported.value for r in there.rows if r.year == y.year and r.imported)
                + sum(r.x or 0.0 for r in back.rows if r.year == y.year),
                y.year,
            ),
            y.estimate,
            y.low,
            y.high,
            y.rates,
        )
        for y in report.years
    ]
    return report


def _report(
    session: Session,
    exporter: str,
    importer: str,
    currency: Currency,
    result: Mirror,
    rates: dict[int, tuple[RateUsed, ...]],
) -> MirrorReport:
    usd_rate: dict[int, Decimal] = {}
    years = []
    for year in result.years():
        usd_rate[year], converted = rate_factor(session, Currency.USD, currency, year)
        x, m, estimate, low, high = (float(v) * float(usd_rate[year]) for v in result.totals(year))
        used = tuple(dict.fromkeys(rates.get(year, ()) + converted))
        years.append(YearFigures(year, x, m, estimate, low, high, used))
    return MirrorReport(exporter, importer, currency, result, years, usd_rate)


def industries_of_codes(session: Session) -> dict[str, int]:
    """Each HS subheading's industry: the one whose programs list it most often (ties: the
    lower id), so trade can be shown per industry as the programs see it."""
    from collections import Counter

    from unionsync.catalog.models import Program, ProgramItem

    counts: dict[str, Counter[int]] = {}
    rows = session.execute(
        select(ProgramItem.tnved_code, Program.industry_id)
        .join(Program)
        .where(ProgramItem.tnved_code.is_not(None))
    )
    for code, industry in rows:
        if code and len(code) >= 6:
            counts.setdefault(code[:6], Counter())[industry] += 1
    return {
        code: min(c.items(), key=lambda pair: (-pair[1], pair[0]))[0] for code, c in counts.items()
    }


def by_industry(
    report: MirrorReport, industries: dict[str, int], year: int
) -> list[tuple[int | None, float, float, float, float, float]]:
    """Per industry (None: codes no program lists) in the report's currency: both records,
    the estimate and the interval, largest estimate first."""
    totals: dict[int | None, list[float]] = {}
    for row in report.rows(year):
        key = industries.get(row.code[:6])
        line = totals.setdefault(key, [0.0, 0.0, 0.0, 0.0, 0.0])
        for n, value in enumerate(
            (row.x or 0.0, row.m_fob or 0.0, row.estimate, row.low, row.high)
        ):
            line[n] += report.in_currency(value, year)
    ordered = sorted(totals.items(), key=lambda item: -item[1][2])
    return [(key, v[0], v[1], v[2], v[3], v[4]) for key, v in ordered]


PAIRS = {"mutual": ("BY", "RU"), "BY-RU": ("BY", "RU"), "RU-BY": ("RU", "BY")}


def cached_report(
    holder: Any,
    session: Session,
    actor: Principal,
    exporter: str,
    importer: str,
    *,
    mutual: bool,
    critical: str | None,
    currency: Currency = Currency.BYN,
    cif_fob: float = DEFAULT_CIF_FOB,
    estimate_cif: bool = False,
) -> MirrorReport:
    """`mutual_report` (or `mirror_report`) of two countries; for Belarus and Russia at the
    default CIF/FOB margin (the overview, the mirror page and the API's usual question),
    computed once per version of the trade records, rates and code lists for each choice of
    options and shared by every worker through `holder.shared` (the report is the same for
    everyone who may see it). Other pairs and margins are computed on each request, so that
    nobody can fill the store with arbitrary keys."""
    require(actor, Action.VIEW, Kind.TRADE)
    build = mutual_report if mutual else mirror_report

    def compute() -> MirrorReport:
        return build(
            session,
            actor,
            exporter,
            importer,
            critical=critical,
            currency=currency,
            cif_fob=cif_fob,
            estimate_cif=estimate_cif,
        )

    shared = getattr(holder, "shared", None)
    if shared is None or cif_fob != DEFAULT_CIF_FOB or {exporter, importer} != {"BY", "RU"}:
        return compute()
    key = f"mirror:{exporter}-{importer}"  # the overview's figure: mutual, any list, BYN
    options = (mutual, critical, currency, estimate_cif)
    usual = options == (True, ANY_LIST, Currency.BYN, False)  # the refresh job computes it
    if not usual:
        key += ":" + hashlib.sha256(repr(options).encode()).hexdigest()[:32]
    stamp = version_of(("trade", data_version(session, "trade")))
    report: MirrorReport = shared.get(key, stamp, compute, background=usual and exporter == "BY")
    return report


def cached_mutual(holder: Any, session: Session, actor: Principal) -> MirrorReport:
    """BY–RU mutual trade in critical products (BYN), as the overview shows it: the same
    shared report as the mirror page's default view."""
    return cached_report(holder, session, actor, "BY", "RU", mutual=True, critical=ANY_LIST)
