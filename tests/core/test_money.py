from decimal import Decimal

import pytest

from unionsync.core.money import Currency, Money, MoneyError


def test_money_rounds_to_kopecks_half_even():
    assert Money.of("10.005", "rub").amount == Decimal("10.00")
    assert Money.of("10.015", "RUB").amount == Decimal("10.02")
    assert Money.of(5, "BYN").currency is Currency.BYN


def test_money_refuses_floats_unknown_currencies_and_junk():
    with pytest.raises(MoneyError, match="float"):
        Money.of(0.1, "RUB")  # type: ignore[arg-type]
    with pytest.raises(MoneyError, match="unknown currency 'EUR'"):
        Money.of("1", "EUR")
    with pytest.raises(MoneyError, match="not an amount"):
        Money.of("abc", "RUB")


def test_money_adds_only_within_one_currency():
    assert Money.of("1.10", "USD") + Money.of("2.20", "USD") == Money.of("3.30", "USD")
    with pytest.raises(MoneyError, match="cannot add RUB to USD"):
        Money.of("1", "USD") + Money.of("1", "RUB")
