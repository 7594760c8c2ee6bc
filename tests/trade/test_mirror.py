"""Mirror statistics on hand-made cases: a CIF/FOB gap only, one side missing, a flow booked
under another code, timing, quantities, and how reliability weighs the two reports."""

from __future__ import annotations

import math

import pytest

from unionsync.trade.mirror import Flag, Record, mirror


def x(code: str, year: int, value: float, **kw: object) -> Record:
    return Record("BY", "RU", year, "export", code, value, **kw)  # type: ignore[arg-type]


def m(code: str, year: int, value: float, **kw: object) -> Record:
    return Record("RU", "BY", year, "import", code, value, **kw)  # type: ignore[arg-type]


def test_a_cif_fob_gap_alone_is_no_discrepancy():
    result = mirror([x("8482100000", 2022, 100.0), m("8482109000", 2022, 103.0)], "BY", "RU")
    (row,) = result.rows
    assert row.code == "848210"  # both sides meet at the subheading
    assert row.m_fob == pytest.approx(100.0) and row.absolute == pytest.approx(0.0)
    assert row.estimate == pytest.approx(100.0) and (row.low, row.high) == pytest.approx((100, 100))
    assert row.flags == []


def test_discrepancy_measures_and_an_interval_bounded_by_the_two_reports():
    records = [x("848210", 2022, 100.0), m("848210", 2022, 206.0)]
    row = mirror(records, "BY", "RU", cif_fob=1.03).rows[0]
    assert row.absolute == pytest.approx(100.0)
    assert row.relative == pytest.approx(1.0)
    assert row.symmetric == pytest.approx(2 * 100 / 300)
    assert (row.low, row.high) == pytest.approx((100.0, 200.0))
    assert 100 < row.estimate < 200
    assert row.flags == [Flag.LARGE_GAP]


def test_one_side_missing_keeps_the_report_and_widens_the_interval():
    records = [
        x("848210", 2021, 100.0),
        m("848210", 2021, 113.3),
        x("848210", 2022, 100.0),
        m("848210", 2022, 92.7),
        x("850440", 2022, 50.0),  # Russia recorded nothing
    ]
    result = mirror(records, "BY", "RU")
    row = next(r for r in result.rows if r.code == "850440")
    assert row.flags == [Flag.ONE_SIDE_MISSING]
    assert row.estimate == 50.0 and row.low < 50.0 < row.high
    sigma = math.sqrt(result.variances[("BY", "export")])
    assert row.high == pytest.approx(50.0 * math.exp(2 * sigma))


def test_a_flow_booked_under_another_code_of_the_heading_is_named():
    records = [x("848210", 2022, 100.0), m("848280", 2022, 108.0)]
    rows = mirror(records, "BY", "RU").rows
    assert all(Flag.OTHER_CODE in r.flags for r in rows)
    unrelated = mirror([x("848210", 2022, 100.0), m("848280", 2022, 400.0)], "BY", "RU").rows
    assert all(Flag.OTHER_CODE not in r.flags for r in unrelated)


def test_timing_a_gap_that_reverses_the_next_year():
    records = [
        x("300490", 2021, 100.0),
        m("300490", 2021, 51.5),  # shipped late December …
        x("300490", 2022, 100.0),
        m("300490", 2022, 154.5),  # … recorded in January
    ]
    rows = mirror(records, "BY", "RU").rows
    assert [Flag.TIMING in r.flags for r in rows] == [True, True]


def test_equal_values_but_quantities_or_units_that_disagree():
    same_value = [
        x("730890", 2022, 100.0, quantity=10.0, unit="168"),
        m("730890", 2022, 103.0, quantity=40.0, unit="168"),
    ]
    assert Flag.QUANTITY_MISMATCH in mirror(same_value, "BY", "RU").rows[0].flags
    units = [
        x("730890", 2022, 100.0, quantity=10.0, unit="168"),
        m("730890", 2022, 103.0, quantity=10000.0, unit="166"),
    ]
    assert Flag.QUANTITY_MISMATCH in mirror(units, "BY", "RU").rows[0].flags


def test_estimated_cif_factor_stays_within_bounds():
    records = [x("848210", y, 100.0) for y in (2021, 2022)] + [
        m("848210", 2021, 104.0),
        m("848210", 2022, 106.0),
    ]
    row = mirror(records, "BY", "RU", estimate_cif=True).rows[0]
    assert row.cif_fob == pytest.approx(1.05)
    wild = [x("848210", y, 100.0) for y in (2021, 2022)] + [
        m("848210", 2021, 300.0),
        m("848210", 2022, 300.0),
    ]
    assert mirror(wild, "BY", "RU", estimate_cif=True).rows[0].cif_fob == pytest.approx(1.10)


def test_reliability_from_many_pairs_weighs_the_better_reporter_more():
    # three countries; Kazakhstan's imports are erratic, everyone else reports alike
    records = []
    for n, code in enumerate(("848210", "848220", "848230", "848240", "848250", "848280")):
        noise = 1.0 + (0.6 if n % 2 else -0.4)
        for exporter, importer, factor in (
            ("BY", "RU", 1.03 * (1.02 if n % 2 else 0.98)),
            ("RU", "BY", 1.03 * (0.99 if n % 2 else 1.01)),
            ("BY", "KZ", 1.03 * noise),
            ("RU", "KZ", 1.03 * noise),
        ):
            records.append(Record(exporter, importer, 2022, "export", code, 100.0))
            records.append(Record(importer, exporter, 2022, "import", code, 100.0 * factor))
    result = mirror(records, "BY", "KZ")
    assert result.variances[("KZ", "import")] > 3 * result.variances[("BY", "export")]
    row = result.rows[1]  # Kazakhstan reported 160, Belarus 100: the estimate leans to Belarus
    assert row.m_fob == pytest.approx(160.0)
    assert 100.0 < row.estimate < 120.0
