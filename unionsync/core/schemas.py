"""Schema pieces shared by every domain's API: money and pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from unionsync.core.money import Currency

T = TypeVar("T")


class MoneyPublic(BaseModel):
    """An exact amount (a decimal string in JSON) with its currency."""

    amount: Decimal
    currency: Currency


class Page(BaseModel, Generic[T]):
    """One page of a list, with what is needed to fetch the next."""

    model_config = ConfigDict(from_attributes=True)

    items: list[T]
    total: int
    page: int
    per_page: int
