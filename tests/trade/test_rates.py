"""Official rate tables: daily rates averaged per year, scales, inverted pairs, row errors, and
the conversion that then names the imported rate."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from unionsync.access.policy import SYSTEM
from unionsync.core.money import Currency, Money
from unionsync.core.tabular import ImportFailedError
from unionsync.trade.rates import import_rates
from unionsync.trade.service import convert

TABLE = """дата;пара;курс;номинал
03.01.2022;USD/BYN;2,5500;1
04.01.2022;USD/BYN;2,5700;1
03.01.2022;RUB/BYN;3,4500;100
2022;BYN/RUB;29,0;1
"""


def test_daily_rates_are_averaged_and_conversions_name_them(demo_session: Session, tmp_path: Path):
    path = tmp_path / "nbrb-2022.csv"
    path.write_text(TABLE, encoding="utf-8")
    result = import_rates(demo_session, SYSTEM, path, "НБ РБ, официальные курсы")
    stored = {(r.year, r.currency.value): r for r in result.stored}
    assert stored[(2022, "USD")].rate == Decimal("2.56")
    assert stored[(2022, "USD")].kind == "среднее за 2 дат"
    # 100 RUB = 3.45 BYN, and 1 BYN = 29 RUB (inverted): the year's two RUB rates averaged
    assert float(stored[(2022, "RUB")].rate) == pytest.approx((0.0345 + 1 / 29) / 2, rel=1e-4)
    converted = convert(demo_session, Money.of(1000, "USD"), 2022, Currency.BYN)
    assert converted.money.amount == Decimal("2560.00")
    assert converted.rates[0].source == "НБ РБ, официальные курсы"  # the table loaded last


def test_a_bad_rate_table_stores_nothing(demo_session: Session, tmp_path: Path):
    bad = TABLE + "32.01.2022;USD/BYN;2,6;1\n2022;USD/RUB;70;1\n2022;USD/BYN;-1;1\n"
    path = tmp_path / "bad.csv"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(ImportFailedError) as caught:
        import_rates(demo_session, SYSTEM, path)
    assert [(e.row, e.column) for e in caught.value.errors] == [
        (6, "дата"),
        (7, "пара"),
        (8, "курс"),
    ]
    assert (
        convert(demo_session, Money.of(1, "USD"), 2022, Currency.BYN)
        .rates[0]
        .source.startswith("демо")
    )
