"""Mirror statistics: the exporter's and the importer's record of the same flow, reconciled.

For a direction (exporter E → importer I), a code (at `level` digits, six by default: the HS
subheading both sides' classifications share) and a year:

- X is what E reported exporting to I, M what I reported importing from E (both in USD, each
  record converted at its year's rate).
- CIF/FOB: the importer values goods at the border with freight and insurance (CIF), the
  exporter at its own border (FOB), so M is divided by a factor: a configured one (default 1.03),
  or, with `estimate_cif=True`, one estimated per code as the median M/X over the years and
  directions where both sides report, kept within [1.0, 1.10] (a margin above 10 % between
  neighbours is not freight, it is a disagreement).
- Discrepancy: absolute (M_fob − X), relative ((M_fob − X) / X) and symmetric
  (2 |M_fob − X| / (M_fob + X), between 0 and 2).
- Reporter reliability, after CEPII's BACI: the log discrepancy d = ln(M_fob / X) over all codes
  and years of a direction has a variance that is the sum of the exporter's and the importer's
  reporting variances. With many country pairs the variances per reporter and role are found by
  least squares; with one pair the split is not identifiable and the minimum-norm solution
  gives both sides the same variance. Each report is weighted by the inverse of its variance.
- The reconciled estimate is the weighted mean of X and M_fob; the interval is bounded by the
  two adjusted reports. With one side missing, the estimate is the report present and the
  interval its report widened by two of that reporter's standard deviations (in logs).
- Flags explain large gaps: one side missing; timing (the imbalance reverses the next or the
  previous year and the two years' sums agree within 10 %); quantity or unit mismatch (values
  agree within 15 % but quantities differ by more than half, or the units differ); another code
  (one side reports alone here, and the other alone under another code of the same heading in
  that year, of a similar size); and a large gap nothing explains (symmetric measure above 0.5).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

DEFAULT_CIF_FOB = 1.03
CIF_BOUNDS = (1.0, 1.10)


class Flag(StrEnum):
    ONE_SIDE_MISSING = "one_side_missing"
    TIMING = "timing"
    QUANTITY_MISMATCH = "quantity_mismatch"
    OTHER_CODE = "other_code"
    LARGE_GAP = "large_gap"


@dataclass(frozen=True, slots=True)
class Record:
    """One side's record of one flow, its value already in USD."""

    reporter: str
    partner: str
    year: int
    flow: str  # "export" or "import"
    code: str
    value_usd: float
    quantity: float | None = None
    unit: str | None = None


@dataclass(slots=True)
class Side:
    value: float = 0.0
    quantity: float | None = None
    units: set[str] = field(default_factory=set)
    records: int = 0

    def add(self, record: Record) -> None:
        self.value += record.value_usd
        self.records += 1
        if record.quantity is not None:
            self.quantity = (self.quantity or 0.0) + record.quantity
        if record.unit:
            self.units.add(record.unit)


@dataclass(slots=True)
class MirrorRow:
    exporter: str
    importer: str
    code: str
    year: int
    exported: Side | None  # the exporter's record
    imported: Side | None  # the importer's record (CIF)
    cif_fob: float = DEFAULT_CIF_FOB
    estimate: float = 0.0
    low: float = 0.0
    high: float = 0.0
    flags: list[Flag] = field(default_factory=list)

    @property
    def x(self) -> float | None:
        return self.exported.value if self.exported else None

    @property
    def m_fob(self) -> float | None:
        return self.imported.value / self.cif_fob if self.imported else None

    @property
    def absolute(self) -> float | None:
        if self.x is None or self.m_fob is None:
            return None
        return self.m_fob - self.x

    @property
    def relative(self) -> float | None:
        if self.x is None or self.m_fob is None or self.x == 0:
            return None
        return (self.m_fob - self.x) / self.x

    @property
    def symmetric(self) -> float | None:
        if self.x is None or self.m_fob is None or self.x + self.m_fob == 0:
            return None
        return 2 * abs(self.m_fob - self.x) / (self.m_fob + self.x)


@dataclass(slots=True)
class Mirror:
    rows: list[MirrorRow]
    variances: dict[tuple[str, str], float]  # (reporter, "export"|"import") → log variance

    def totals(self, year: int | None = None) -> tuple[float, float, float, float, float]:
        """(exporter's total, importer's adjusted total, estimate, low, high) in USD."""
        rows = [r for r in self.rows if year in (None, r.year)]
        return (
            sum(r.x or 0.0 for r in rows),
            sum(r.m_fob or 0.0 for r in rows),
            sum(r.estimate for r in rows),
            sum(r.low for r in rows),
            sum(r.high for r in rows),
        )

    def years(self) -> list[int]:
        return sorted({r.year for r in self.rows})


def mirror(
    records: Iterable[Record],
    exporter: str,
    importer: str,
    *,
    level: int = 6,
    cif_fob: float = DEFAULT_CIF_FOB,
    estimate_cif: bool = False,
) -> Mirror:
    """Both records of every flow from `exporter` to `importer`, reconciled (see the module)."""
    pairs: dict[tuple[str, str, str, int], list[Side | None]] = defaultdict(lambda: [None, None])
    for record in records:
        code = record.code[:level]
        if record.flow == "export":
            key = (record.reporter, record.partner, code, record.year)
            slot = 0
        else:
            key = (record.partner, record.reporter, code, record.year)
            slot = 1
        sides = pairs[key]
        if sides[slot] is None:
            sides[slot] = Side()
        side = sides[slot]
        assert side is not None
        side.add(record)
    factors = _cif_factors(pairs, cif_fob) if estimate_cif else {}
    rows_all = [
        MirrorRow(e, i, code, year, sides[0], sides[1], factors.get(code, cif_fob))
        for (e, i, code, year), sides in pairs.items()
    ]
    variances = _variances(rows_all)
    rows = [r for r in rows_all if (r.exporter, r.importer) == (exporter, importer)]
    for row in rows:
        _reconcile(row, variances)
    _flag(rows)
    rows.sort(key=lambda r: (r.year, r.code))
    return Mirror(rows, variances)


def _cif_factors(
    pairs: dict[tuple[str, str, str, int], list[Side | None]], default: float
) -> dict[str, float]:
    ratios: dict[str, list[float]] = defaultdict(list)
    for (_e, _i, code, _year), (exported, imported) in pairs.items():
        if exported and imported and exported.value > 0 and imported.value > 0:
            ratios[code].append(imported.value / exported.value)
    low, high = CIF_BOUNDS
    return {
        code: min(high, max(low, statistics.median(values)))
        for code, values in ratios.items()
        if len(values) >= 2
    }


def _variances(rows: Sequence[MirrorRow]) -> dict[tuple[str, str], float]:
    """Reporting variance per (reporter, role) from the log discrepancies of every direction:
    var(d_ei) = var_e(export) + var_i(import), solved by least squares (minimum norm)."""
    by_direction: dict[tuple[str, str], list[float]] = defaultdict(list)
    for row in rows:
        if row.x and row.m_fob and row.x > 0 and row.m_fob > 0:
            by_direction[(row.exporter, row.importer)].append(math.log(row.m_fob / row.x))
    unknowns: list[tuple[str, str]] = sorted(
        {(e, "export") for e, _ in by_direction} | {(i, "import") for _, i in by_direction}
    )
    directions = [(d, v) for d, v in by_direction.items() if len(v) >= 2]
    if not directions:
        return {u: 0.25 for u in unknowns}  # no evidence: a log standard deviation of 0.5 each
    index = {u: n for n, u in enumerate(unknowns)}
    matrix = np.zeros((len(directions), len(unknowns)))
    target = np.zeros(len(directions))
    for n, ((e, i), values) in enumerate(directions):
        matrix[n, index[(e, "export")]] = 1.0
        matrix[n, index[(i, "import")]] = 1.0
        target[n] = statistics.pvariance(values)
    solution = np.linalg.lstsq(matrix, target, rcond=None)[0]
    floor = max(1e-4, float(target.mean()) / 100)
    return {u: max(float(solution[index[u]]), floor) for u in unknowns}


def _reconcile(row: MirrorRow, variances: dict[tuple[str, str], float]) -> None:
    x, m = row.x, row.m_fob
    var_x = variances.get((row.exporter, "export"), 0.25)
    var_m = variances.get((row.importer, "import"), 0.25)
    if x is not None and m is not None:
        weight_x, weight_m = 1 / var_x, 1 / var_m
        row.estimate = (weight_x * x + weight_m * m) / (weight_x + weight_m)
        row.low, row.high = min(x, m), max(x, m)
        return
    value, variance = (x, var_x) if x is not None else (m or 0.0, var_m)
    spread = math.exp(2 * math.sqrt(variance))
    row.estimate, row.low, row.high = value, value / spread, value * spread


def _flag(rows: list[MirrorRow]) -> None:
    by_key = {(r.code, r.year): r for r in rows}
    for row in rows:
        if row.x is None or row.m_fob is None:
            row.flags.append(Flag.ONE_SIDE_MISSING)
            if _booked_elsewhere(row, rows):
                row.flags.append(Flag.OTHER_CODE)
            continue
        symmetric = row.symmetric or 0.0
        if _timing(row, by_key):
            row.flags.append(Flag.TIMING)
        if _quantities_disagree(row):
            row.flags.append(Flag.QUANTITY_MISMATCH)
        if symmetric > 0.5 and not row.flags:
            row.flags.append(Flag.LARGE_GAP)


def _timing(row: MirrorRow, by_key: dict[tuple[str, int], MirrorRow]) -> bool:
    imbalance = (row.m_fob or 0.0) - (row.x or 0.0)
    if row.symmetric is None or row.symmetric < 0.2:
        return False
    for year in (row.year - 1, row.year + 1):
        other = by_key.get((row.code, year))
        if other is None or other.x is None or other.m_fob is None:
            continue
        if imbalance * (other.m_fob - other.x) >= 0:
            continue
        x_sum, m_sum = (row.x or 0.0) + other.x, (row.m_fob or 0.0) + other.m_fob
        if x_sum > 0 and abs(m_sum - x_sum) / x_sum <= 0.10:
            return True
    return False


def _quantities_disagree(row: MirrorRow) -> bool:
    exported, imported = row.exported, row.imported
    if exported is None or imported is None:
        return False
    if exported.units and imported.units and exported.units != imported.units:
        return True
    if (row.symmetric or 0.0) > 0.15:
        return False
    q_x, q_m = exported.quantity, imported.quantity
    if not q_x or not q_m:
        return False
    return abs(q_m - q_x) / max(q_x, q_m) > 0.5


def _booked_elsewhere(row: MirrorRow, rows: Sequence[MirrorRow]) -> bool:
    """One side alone here, the other side alone under another code of the same heading in
    the same year, with a value within 30 % of this one."""
    mine = row.x if row.x is not None else row.m_fob
    if not mine:
        return False
    for other in rows:
        if other is row or other.year != row.year or other.code[:4] != row.code[:4]:
            continue
        if other.code == row.code:
            continue
        theirs = None
        if row.x is not None and other.x is None:
            theirs = other.m_fob
        if row.m_fob is not None and other.m_fob is None:
            theirs = other.x
        if theirs and abs(theirs - mine) / max(theirs, mine) <= 0.30:
            return True
    return False
