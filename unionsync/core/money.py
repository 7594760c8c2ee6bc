"""The one money type: an exact Decimal amount with its currency, never a float."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from enum import StrEnum


class Currency(StrEnum):
    """Currencies the Union State's records use (EAEU members' own can be added)."""

    BYN = "BYN"
    RUB = "RUB"
    USD = "USD"


CENT = Decimal("0.01")


class MoneyError(ValueError):
    """An amount or currency that cannot form money."""


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in one currency; arithmetic across currencies is refused."""

    amount: Decimal
    currency: Currency

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: Currency | str) -> Money:
        """Build money from user input, rounding to kopecks; refuses floats and junk."""
        if isinstance(amount, float):
            raise MoneyError("money is never built from a float; pass a str or Decimal")
        try:
            value = Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_EVEN)
        except InvalidOperation as exc:
            raise MoneyError(f"not an amount: {amount!r}") from exc
        try:
            cur = Currency(str(currency).upper())
        except ValueError as exc:
            known = ", ".join(c.value for c in Currency)
            raise MoneyError(f"unknown currency {currency!r}; known: {known}") from exc
        return cls(value, cur)

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise MoneyError(f"cannot add {other.currency} to {self.currency}")
        return Money(self.amount + other.amount, self.currency)

    def __str__(self) -> str:
        return f"{self.amount:,.2f} {self.currency.value}".replace(",", "\u202f")
