"""Exact decimals that behave the same on SQLite and PostgreSQL.

SQLite has no decimal type (its NUMERIC is a float), so there the value is kept as a scaled
integer (kopecks for money, thousandths for quantities); PostgreSQL uses NUMERIC. Either way the
Python side sees `Decimal`, and SUM() over the column stays exact.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Numeric
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine


class ScaledDecimal(TypeDecorator[Decimal]):
    """Decimal with a fixed number of fractional digits, exact on every backend."""

    impl = Numeric
    cache_ok = True

    def __init__(self, scale: int = 2, precision: int = 18) -> None:
        super().__init__()
        self.scale = scale
        self.precision = precision

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        number = Decimal(str(value)) if not isinstance(value, Decimal) else value
        quantum = Decimal(1).scaleb(-self.scale)
        exact = number.quantize(quantum)
        if exact != number:
            raise ValueError(f"{number} has more than {self.scale} decimal places")
        if dialect.name == "sqlite":
            return int(exact.scaleb(self.scale))
        return exact

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-self.scale)
        return Decimal(value).quantize(Decimal(1).scaleb(-self.scale))

    def __repr__(self) -> str:
        return f"ScaledDecimal(scale={self.scale}, precision={self.precision})"


class UtcDateTime(TypeDecorator[datetime]):
    """A moment in UTC, aware on every backend: PostgreSQL keeps the zone, SQLite returns naive
    values, which are the UTC they were stored as. Readers (the API's RFC 3339 timestamps,
    comparisons with `now`) then never meet a naive datetime."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.astimezone(UTC)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = value
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
