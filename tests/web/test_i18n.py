"""Every text a page or an error shows has its Russian translation, and no stale ones linger."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from unionsync.web.i18n import LOCALE_DIR, translations

ROOT = Path(__file__).resolve().parents[2]
METHODS = [("unionsync/**.py", "python"), ("unionsync/**/templates/**.html", "jinja2")]
OPTIONS = {"unionsync/**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def extracted_ids() -> set[str]:
    ids = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT, METHODS, keywords=KEYWORDS, options_map=OPTIONS
    ):
        ids.add(message[0] if isinstance(message, tuple) else message)
    return ids


def catalog_ids() -> dict[str, object]:
    with (LOCALE_DIR / "ru" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="ru")
    return {(m.id[0] if isinstance(m.id, tuple) else m.id): m.string for m in catalog if m.id}


def test_every_message_has_a_russian_translation():
    ids = extracted_ids()
    catalog = catalog_ids()
    assert len(ids) > 100
    missing = sorted(i for i in ids if not catalog.get(i))
    assert missing == []


def test_the_catalog_has_no_stale_messages():
    stale = sorted(set(catalog_ids()) - extracted_ids())
    assert stale == []


def test_placeholders_survive_translation():
    ru = translations("ru")
    assert ru.gettext("Page %(n)s of %(total)s") % {"n": 1, "total": 3} == "Страница 1 из 3"
    assert (
        ru.ngettext(
            "%(num)s error found; nothing was imported.",
            "%(num)s errors found; nothing was imported.",
            5,
        )
        % {"num": 5}
        == "Найдено 5 ошибок; ничего не загружено."
    )
