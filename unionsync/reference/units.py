"""OKEI (ОКЕИ) units: codes, Russian and English names, and the spellings lists use."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from unionsync.core.messages import N_, ExplainedError


@dataclass(frozen=True, slots=True)
class Unit:
    """One OKEI unit of measure."""

    code: str
    short_ru: str
    short_en: str
    name_ru: str
    name_en: str
    aliases: tuple[str, ...] = ()


UNITS: tuple[Unit, ...] = (
    Unit(
        "796",
        "шт",
        "pcs",
        "штука",
        "piece",
        ("шт.", "штук", "штука", "pc", "piece", "pieces", "ea"),
    ),
    Unit(
        "798",
        "тыс. шт",
        "thous. pcs",
        "тысяча штук",
        "thousand pieces",
        ("тыс.шт", "тыс шт", "тыс. шт.", "1000 шт", "thousand pieces"),
    ),
    Unit("166", "кг", "kg", "килограмм", "kilogram", ("кг.", "килограмм", "kilogram", "kilograms")),
    Unit(
        "168", "т", "t", "тонна", "tonne", ("т.", "тонна", "тонн", "tonne", "tonnes", "ton", "tons")
    ),
    Unit("006", "м", "m", "метр", "metre", ("м.", "метр", "метров", "metre", "meter", "meters")),
    Unit(
        "055", "м²", "m²", "квадратный метр", "square metre", ("м2", "кв. м", "кв.м", "m2", "sq m")
    ),
    Unit("113", "м³", "m³", "кубический метр", "cubic metre", ("м3", "куб. м", "куб.м", "m3")),
    Unit("112", "л", "l", "литр", "litre", ("л.", "литр", "литров", "litre", "liter", "liters")),
    Unit("839", "компл", "set", "комплект", "set", ("компл.", "комплект", "set", "sets", "kit")),
    Unit("715", "пар", "pair", "пара", "pair", ("пара", "пар.", "pairs")),
    Unit("778", "упак", "pack", "упаковка", "package", ("упак.", "упаковка", "package", "pack")),
    Unit("163", "г", "g", "грамм", "gram", ("г.", "гр", "грамм", "gram", "grams")),
    Unit("018", "пог. м", "lin. m", "погонный метр", "linear metre", ("пог.м", "пог м")),
    Unit("212", "Вт", "W", "ватт", "watt", ("ватт", "watt")),
    Unit("214", "кВт", "kW", "киловатт", "kilowatt", ("квт", "kw")),
)

_BY_CODE = {u.code: u for u in UNITS}
_BY_NAME = {
    name.casefold(): u
    for u in UNITS
    for name in (u.code, u.short_ru, u.short_en, u.name_ru, u.name_en, *u.aliases)
}


class UnknownUnitError(ExplainedError):
    """A unit that is neither an OKEI code nor a known spelling."""


def resolve_unit(raw: object) -> Unit:
    """The OKEI unit a cell means: its code (`796`, or `6` Excel stripped of zeros) or a name."""
    text = str(raw).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    if text.isdigit() and len(text) <= 3:
        text = text.zfill(3)  # OKEI codes are fixed-width: padding is exact, not a guess
    unit = _BY_CODE.get(text) or _BY_NAME.get(text.casefold())
    if unit is None:
        known = ", ".join(f"{u.code} {u.short_ru}" for u in UNITS)
        raise UnknownUnitError(
            N_("unknown unit «%(value)s»; use an OKEI code or name: %(known)s"),
            value=raw,
            known=known,
        )
    return unit


def unit_by_code(code: str) -> Unit:
    """The unit for a stored OKEI code."""
    return _BY_CODE[code]


# What each unit measures and how many of the dimension's base unit it holds. Units of different
# dimensions (pieces and kilograms) are never compared: no density or piece weight is assumed.
DIMENSIONS: dict[str, tuple[str, Decimal]] = {
    "796": ("count", Decimal(1)),
    "798": ("count", Decimal(1000)),
    "163": ("mass", Decimal("0.001")),
    "166": ("mass", Decimal(1)),
    "168": ("mass", Decimal(1000)),
    "006": ("length", Decimal(1)),
    "018": ("length", Decimal(1)),
    "055": ("area", Decimal(1)),
    "113": ("volume", Decimal(1)),
    "112": ("volume", Decimal("0.001")),
    "839": ("sets", Decimal(1)),
    "715": ("pairs", Decimal(1)),
    "778": ("packs", Decimal(1)),
    "212": ("power", Decimal(1)),
    "214": ("power", Decimal(1000)),
}


class IncompatibleUnitsError(ExplainedError):
    """Two quantities that cannot be compared without an assumption (pieces against tonnes)."""


def convertible(left: str, right: str) -> bool:
    """Whether quantities in these two OKEI units can be compared exactly."""
    a, b = DIMENSIONS.get(left), DIMENSIONS.get(right)
    return left == right or (a is not None and b is not None and a[0] == b[0])


def convert(quantity: Decimal, source: str, target: str) -> Decimal:
    """`quantity` in unit `source` expressed in unit `target` (exact decimal arithmetic)."""
    if source == target:
        return quantity
    if not convertible(source, target):
        raise IncompatibleUnitsError(
            N_("needs a unit conversion: %(source)s cannot be compared with %(target)s"),
            source=_label(source),
            target=_label(target),
        )
    return quantity * DIMENSIONS[source][1] / DIMENSIONS[target][1]


def _label(code: str) -> str:
    unit = _BY_CODE.get(code)
    return f"{unit.short_ru} ({code})" if unit else code
