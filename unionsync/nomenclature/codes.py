"""Parsing TN VED EAEU codes as real lists write them.

Accepted: `8482 10 100 0`, `8482.10.100.0`, `8482101000`, codes given to 2, 4, 6 or 8 digits,
and «из 8708» / "ex 8708" (only part of that heading: the flag is kept). A number with an odd digit
count most likely lost its leading zero in Excel: that is an error that names the likely code,
never a silent fix (the nomenclature importer can later restore it when exactly one code fits).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from unionsync.core.messages import N_, ExplainedError

LEVELS = (2, 4, 6, 8, 10)
_EX_PREFIX = re.compile(r"^\s*(из|ex)\s*", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s.\u00a0\u202f-]+")


class CodeError(ExplainedError):
    """A code that cannot be read; the message says why and what to write instead."""


@dataclass(frozen=True, slots=True)
class TnvedCode:
    """A TN VED code normalised to digits, with the level it was given at."""

    digits: str
    ex: bool = False

    @property
    def level(self) -> int:
        return len(self.digits)

    @property
    def hs6(self) -> str | None:
        """The international HS subheading, when the code is that deep."""
        return self.digits[:6] if self.level >= 6 else None

    def formatted(self) -> str:
        """The customary display form `8482 10 100 0` (prefixed «из» when partial)."""
        d = self.digits
        parts = [d[:4], d[4:6], d[6:9], d[9:10]] if len(d) > 4 else [d]
        text = " ".join(p for p in parts if p)
        return f"из {text}" if self.ex else text

    def __str__(self) -> str:
        return ("ex " if self.ex else "") + self.digits


def parse_tnved(raw: object, known: Callable[[str], bool] | None = None) -> TnvedCode:
    """Read one code as written; raise `CodeError` naming the problem.

    With `known` (a loaded nomenclature), a code that lost its leading zero is restored when
    exactly that code exists; without it, such a code is always an error.
    """
    text = _cell_text(raw)
    if not text:
        raise CodeError(N_("empty code"))
    ex = False
    match = _EX_PREFIX.match(text)
    if match:
        ex = True
        text = text[match.end() :]
    if re.search(r"[–—]|\s-\s|\.\.", text) or "," in text or ";" in text:
        raise CodeError(N_("«%(value)s» is a range or a list; give one code per row"), value=raw)
    digits = _SEPARATORS.sub("", text)
    if not digits.isdigit():
        raise CodeError(
            N_("«%(value)s» is not a TN VED code: only digits, spaces and dots are allowed"),
            value=raw,
        )
    if len(digits) not in LEVELS:
        if known is not None and len(digits) + 1 in LEVELS:
            return TnvedCode(restore_leading_zero(digits, known), ex)
        raise _length_error(raw, digits)
    return TnvedCode(digits, ex)


def _cell_text(raw: object) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def _length_error(raw: object, digits: str) -> CodeError:
    if len(digits) + 1 in LEVELS:
        return CodeError(
            N_(
                "«%(value)s» has %(n)s digits: it probably lost its leading zero (0%(value)s?); "
                "write the code as text with all %(full)s digits"
            ),
            value=digits,
            n=len(digits),
            full=len(digits) + 1,
        )
    return CodeError(
        N_("«%(value)s» has %(n)s digits; a TN VED code has 2, 4, 6, 8 or 10"),
        value=raw,
        n=len(digits),
    )


# --- levels and the tree -----------------------------------------------------------------


def parent_of(digits: str) -> str | None:
    """The code one level up (10 → 8 → 6 → 4 → 2 digits), None for a chapter."""
    index = LEVELS.index(len(digits))
    return digits[: LEVELS[index - 1]] if index > 0 else None


def ancestors(digits: str) -> list[str]:
    """Every code above `digits`, nearest first."""
    found = []
    current = parent_of(digits)
    while current is not None:
        found.append(current)
        current = parent_of(current)
    return found


def covers(broader: str, narrower: str) -> bool:
    """Whether the code `broader` (at any level) includes `narrower`."""
    return narrower.startswith(broader)


# --- written lists: single codes, ranges, "ex" entries -------------------------------------

_LIST_SEPARATOR = re.compile(r"[;,]")
_RANGE_DASH = re.compile(r"\s*(?:–|—|\.\.|\s-\s)\s*")


@dataclass(frozen=True, slots=True)
class CodeRange:
    """The codes from `first` to `last` at their level, both included (`8482 10 – 8482 80`)."""

    first: str
    last: str
    ex: bool = False

    def includes(self, digits: str) -> bool:
        """Whether a code of any depth falls inside the range."""
        width = len(self.first)
        head = digits[:width]
        return len(digits) >= width and self.first <= head <= self.last


CodeSpec = TnvedCode | CodeRange


def parse_code_list(raw: object) -> list[CodeSpec]:
    """A cell holding codes as lists write them: `8482, 8483; из 8708`, `8482 10 – 8482 80`."""
    text = _cell_text(raw)
    if not text:
        raise CodeError(N_("empty code"))
    specs: list[CodeSpec] = []
    for part in (p.strip() for p in _LIST_SEPARATOR.split(text)):
        if part:
            specs.append(_parse_part(part))
    return specs


def _parse_part(part: str) -> CodeSpec:
    ex = False
    match = _EX_PREFIX.match(part)
    if match:
        ex, part = True, part[match.end() :]
    pieces = _RANGE_DASH.split(part)
    if len(pieces) == 1:
        code = parse_tnved(pieces[0])
        return TnvedCode(code.digits, ex or code.ex)
    if len(pieces) != 2:
        raise CodeError(N_("«%(value)s» is not a range of two codes"), value=part)
    first, last = parse_tnved(pieces[0]), parse_tnved(pieces[1])
    if first.level != last.level or first.digits > last.digits:
        raise CodeError(
            N_("«%(value)s»: a range needs two codes of one level, the first not after the last"),
            value=part,
        )
    return CodeRange(first.digits, last.digits, ex)


def restore_leading_zero(digits: str, known: Callable[[str], bool]) -> str:
    """The code Excel stripped of its leading zero, when the nomenclature knows exactly that one.

    Raise `CodeError` naming the candidate when it is not a known code.
    """
    candidate = "0" + digits
    if len(candidate) in LEVELS and known(candidate):
        return candidate
    raise CodeError(
        N_(
            "«%(value)s» has %(n)s digits: it probably lost its leading zero, but 0%(value)s "
            "is not in the loaded nomenclature"
        ),
        value=digits,
        n=len(digits),
    )


_OKPD2 = re.compile(r"^\d{2}(\.\d{1,2}(\.\d{1,2}(\.\d{1,3})?)?)?$")


def parse_okpd2(value: object) -> str:
    """An OKPD2 / OKRB 007 code as written (XX, XX.XX … XX.XX.XX.XXX), or `CodeError`."""
    text = str(value).strip()
    if not _OKPD2.match(text):
        raise CodeError(N_("not an OKPD2 / OKRB code (XX.XX.XX.XXX)"))
    return text
