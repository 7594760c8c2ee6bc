"""Tax identifiers: Russian INN and Belarusian UNP, each with its check digits (the UNP's by
python-stdnum: 9 characters, digits for an organisation, two letters first for an individual
entrepreneur, a region code first, a weighted modulus-11 check digit last)."""

from __future__ import annotations

from unionsync.core.messages import N_, ExplainedError

_INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_1 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_2 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


class TaxIdError(ExplainedError):
    """A tax id that fails its country's format or checksum."""


def inn_check_digit(digits: str, weights: tuple[int, ...]) -> int:
    """The control digit the Federal Tax Service's algorithm gives for `digits`."""
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 % 10


def validate_inn(value: str) -> str:
    """A valid INN: 10 digits (organisation) or 12 (individual), check digits included."""
    inn = value.strip()
    if not inn.isdigit() or len(inn) not in (10, 12):
        raise TaxIdError(
            N_("INN «%(value)s» must be 10 digits (organisation) or 12 (individual)"), value=value
        )
    if len(inn) == 10:
        ok = inn_check_digit(inn[:9], _INN10_WEIGHTS) == int(inn[9])
    else:
        ok = inn_check_digit(inn[:10], _INN12_WEIGHTS_1) == int(inn[10]) and inn_check_digit(
            inn[:11], _INN12_WEIGHTS_2
        ) == int(inn[11])
    if not ok:
        raise TaxIdError(N_("INN «%(value)s» fails its check digit"), value=value)
    return inn


def validate_unp(value: str) -> str:
    """A valid UNP, in its compact form (spaces and a leading «УНП» dropped)."""
    from stdnum.by import unp
    from stdnum.exceptions import InvalidChecksum, InvalidComponent

    try:
        return str(unp.validate(value))
    except InvalidChecksum:
        raise TaxIdError(N_("UNP «%(value)s» fails its check digit"), value=value) from None
    except InvalidComponent:
        raise TaxIdError(
            N_("UNP «%(value)s» begins with no region code (1–7)"), value=value
        ) from None
    except ValueError:  # stdnum's InvalidLength and InvalidFormat
        raise TaxIdError(
            N_("UNP «%(value)s» must be 9 characters: digits (organisation)"), value=value
        ) from None


def unp_with_check_digit(body: str) -> str:
    """A valid organisation UNP from 8 leading digits: its check digit appended; a body whose
    check would be 10 (no such UNP) has its last digit moved on until one exists."""
    from stdnum.by import unp
    from stdnum.exceptions import InvalidChecksum

    digits = list(body[:8])
    for _ in range(10):
        candidate = "".join(digits)
        try:
            return candidate + unp.calc_check_digit(candidate + "0")
        except InvalidChecksum:
            digits[7] = str((int(digits[7]) + 1) % 10)
    raise ValueError(f"no UNP begins with {body[:7]}")


def validate_tax_id(country: str, value: str) -> str:
    """The tax id normalised for its country; other countries' ids are kept as given."""
    if country == "RU":
        return validate_inn(value)
    if country == "BY":
        return validate_unp(value)
    if not value.strip():
        raise TaxIdError(N_("tax id is empty"))
    return value.strip()
