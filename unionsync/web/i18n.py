"""Russian first, English second: gettext catalogs compiled from our .po files at start-up.

Message ids are English; `locale/ru/LC_MESSAGES/messages.po` holds the Russian text. The .po is
the only source (no compiled .mo in the repository): it is compiled in memory once per process.
"""

from __future__ import annotations

import io
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from unionsync.core.messages import N_

__all__ = ["N_", "current_language", "gettext", "ngettext", "translations"]

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("ru", "en")
DEFAULT_LANGUAGE = "ru"

current_language: ContextVar[str] = ContextVar("current_language", default=DEFAULT_LANGUAGE)


@cache
def translations(language: str) -> NullTranslations:
    """The catalog for `language` (English is the identity: message ids are English)."""
    po_path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == "en" or not po_path.exists():
        return NullTranslations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def gettext(message: str) -> str:
    """`message` in the current request's language."""
    return translations(current_language.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_language.get()).ngettext(singular, plural, n)


def pick_language(requested: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """A supported language from a cookie or query value, else the default."""
    return requested if requested in LANGUAGES else default
