"""Parsing TN VED EAEU codes as real lists write them.

Accepted: `8482 10 100 0`, `8482.10.100.0`, `8482101000`, codes given to 2, 4, 6 or 8 digits,
and «из 8708» / "ex 8708" (only part of that heading: the flag is kept). A number with an odd digit
count most likely lost its leading zero in Excel: that is an error that names the likely code,
never a silent fix (the nomenclature importer can later restore it when exactly one code fits).
"""

from __future__ import annotations

import re
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


def parse_tnved(raw: object) -> TnvedCode:
    """Read one code as written; raise `CodeError` naming the problem."""
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
