"""Schema pieces shared by every domain's API: bounded numbers and ids, clean text, money, pages.

Every bound comes from `core/validation.py`, which the imports and forms use too.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Path, Query
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from unionsync.core.listing import PageResult
from unionsync.core.money import Currency
from unionsync.core.validation import (
    AMOUNT_LIMIT,
    CODE_LENGTH,
    LINE_PATTERN,
    MAX_ID,
    NAME_LENGTH,
    NOTE_LENGTH,
    QUANTITY_LIMIT,
    SHORT_LENGTH,
    TEXT_PATTERN,
    YEAR_MAX,
    YEAR_MIN,
    TextError,
    clean_text,
)

T = TypeVar("T")


def _scale(places: int) -> AfterValidator:
    quantum = Decimal(1).scaleb(-places)
    return AfterValidator(lambda value: value.quantize(quantum))


# Input decimals at the precision they are stored with, so a write echoes what a read returns;
# bounded by their columns (ScaledDecimal: 18 digits), so nothing valid overflows on storing
def _decimal_schema(digits: int, places: int, maximum: Decimal) -> WithJsonSchema:
    """How a bounded decimal is documented: a JSON number, or a decimal string (exact)."""
    return WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "exclusiveMaximum": float(maximum)},
                {"type": "string", "pattern": rf"^[0-9]{{1,{digits}}}(\.[0-9]{{1,{places}}})?$"},
            ]
        }
    )


Quantity = Annotated[
    Decimal,
    Field(ge=0, lt=QUANTITY_LIMIT, max_digits=18, decimal_places=3),
    _scale(3),
    _decimal_schema(15, 3, QUANTITY_LIMIT),
]
Amount = Annotated[
    Decimal,
    Field(ge=0, lt=AMOUNT_LIMIT, max_digits=18, decimal_places=2),
    _scale(2),
    _decimal_schema(16, 2, AMOUNT_LIMIT),
]
Percent = Annotated[
    Decimal,
    Field(ge=0, le=100, max_digits=5, decimal_places=2),
    _scale(2),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": 100},
                {"type": "string", "pattern": r"^(100(\.0{1,2})?|[0-9]{1,2}(\.[0-9]{1,2})?)$"},
            ]
        }
    ),
]


# Ids of INTEGER columns, years that programs and passports plan
def text_only(value: object) -> object:
    """Dates and times are written as ISO text (as the schema documents), not as numbers that
    would be read as seconds since 1970."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        raise ValueError("write a date (2026-01-31) or a date and time as text, not a number")
    return value


Day = Annotated[date, BeforeValidator(text_only)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Year = Annotated[int, Field(ge=YEAR_MIN, le=YEAR_MAX)]
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
YearQuery = Annotated[int | None, Query(ge=YEAR_MIN, le=YEAR_MAX)]


def _text_checker(max_length: int, multiline: bool) -> AfterValidator:
    def check(value: str | None) -> str | None:
        if value is None:
            return None
        try:
            text = clean_text(value, max_length=max_length, multiline=multiline)
        except TextError as error:
            raise ValueError(str(error)) from None
        if not text:
            raise ValueError("is blank: give at least one visible character")
        return text

    return AfterValidator(check)


def _line(max_length: int) -> Any:
    """The documented shape of one line of text: no control or direction characters, at most
    `max_length` characters, at least one visible character."""
    return Field(min_length=1, max_length=max_length, json_schema_extra={"pattern": LINE_PATTERN})


def _multiline(max_length: int) -> Any:
    """The documented shape of text that may span lines (a note, a comment, a reason)."""
    return Field(min_length=1, max_length=max_length, json_schema_extra={"pattern": TEXT_PATTERN})


Name = Annotated[str, _line(NAME_LENGTH), _text_checker(NAME_LENGTH, multiline=False)]
ShortText = Annotated[str, _line(SHORT_LENGTH), _text_checker(SHORT_LENGTH, multiline=False)]
CodeText = Annotated[str, _line(CODE_LENGTH), _text_checker(CODE_LENGTH, multiline=False)]
Label = Annotated[str, _line(40), _text_checker(40, multiline=False)]  # codes, units, numbers
Note = Annotated[str, _multiline(NOTE_LENGTH), _text_checker(NOTE_LENGTH, multiline=True)]


# Query parameters: free text, a country code, a TN VED code prefix, a language
SearchQuery = Annotated[
    str | None,
    Query(
        max_length=200,
        json_schema_extra={"pattern": LINE_PATTERN},
        description="Free-text search, case-insensitive",
    ),
    _text_checker(200, multiline=False),
]
CountryQuery = Annotated[str | None, Query(pattern="^[A-Za-z]{2}$", examples=["BY"])]
CodePrefixQuery = Annotated[
    str | None, Query(pattern="^[0-9 .]{1,20}$", description="TN VED code prefix")
]
Language = Annotated[str, Query(pattern="^(ru|en)$")]


class NotNull:
    """A field of a partial update that may be left out but not set to null (its column is NOT
    NULL): null is refused with a message, and the documented schema does not offer it."""

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> CoreSchema:
        return core_schema.no_info_after_validator_function(_refuse_null, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        found = handler(schema)
        options = found.get("anyOf")
        if isinstance(options, list):
            kept = [o for o in options if o != {"type": "null"}]
            rest = {k: v for k, v in found.items() if k != "anyOf"}
            return {**kept[0], **rest} if len(kept) == 1 else {**rest, "anyOf": kept}
        return found


def _refuse_null(value: Any) -> Any:
    if value is None:
        raise ValueError("may not be null; leave the field out to keep its value")
    return value


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
