"""Schema pieces shared by every domain's API: money and pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from unionsync.core.listing import PageResult
from unionsync.core.money import Currency

T = TypeVar("T")


def _scale(places: int) -> AfterValidator:
    quantum = Decimal(1).scaleb(-places)
    return AfterValidator(lambda value: value.quantize(quantum))


# Input decimals at the precision they are stored with, so a write echoes what a read returns
Quantity = Annotated[Decimal, Field(ge=0, decimal_places=3), _scale(3)]
Amount = Annotated[Decimal, Field(ge=0, decimal_places=2), _scale(2)]
Percent = Annotated[Decimal, Field(ge=0, le=100, decimal_places=2), _scale(2)]


class MoneyPublic(BaseModel):
    """An exact amount (a decimal string in JSON) with its currency."""

    model_config = ConfigDict(from_attributes=True)

    amount: Decimal
    currency: Currency


class Page(BaseModel, Generic[T]):
    """One page of a list, with what is needed to fetch the next."""

    model_config = ConfigDict(from_attributes=True)

    items: list[T]
    total: int
    page: int
    per_page: int


M = TypeVar("M", bound=BaseModel)


def to_page(schema: type[M], result: PageResult[Any]) -> Page[M]:
    """One page of ORM rows as a page of `schema` (every list endpoint answers this way)."""
    return Page[M](
        items=[schema.model_validate(row) for row in result.items],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
    )
