"""Where in a passport a field error points, in words and as the edit form's anchor: the
services name fields by key (`period_end`, `products.2.capacity`), people by their labels
(«Продукция, строка 2: Мощность в год»), and a refused act links each problem to its place."""

from __future__ import annotations

import re
from dataclasses import dataclass

from unionsync.passports.editing import HEADER_LABELS
from unionsync.passports.template import load_template

OTHER = {
    "participants": ("Участники", "Participants", "edit-participants"),
    "content": ("Содержание паспорта", "Passport content", "passport-form"),
    "lock_version": ("Версия паспорта", "Passport version", "passport-form"),
}
ROW = {"ru": "строка", "en": "row"}
# `products`, `products[2].capacity`, `financing.total`: as `template.clean` names them
KEY = re.compile(r"(?P<section>[a-z_]+)(?:\[(?P<row>\d+)\])?(?:\.(?P<field>[a-z_]+))?")


@dataclass(frozen=True, slots=True)
class Place:
    label: str
    anchor: str  # the id of the edit form's part that holds the field
    in_message: bool = False  # the content's messages name their place themselves
    where: str = ""  # the section (and row), as the content's messages say «%(place)s»
    field: str = ""  # the field's label, as they say «%(label)s»


def place(key: str, lang: str = "ru") -> Place:
    """The field `key` of a passport as a reader names it, and where the form holds it."""
    ru = lang == "ru"
    if key in HEADER_LABELS:
        label_ru, label_en = HEADER_LABELS[key]
        return Place(label_ru if ru else label_en, "edit-general")
    if key in OTHER:
        label_ru, label_en, anchor = OTHER[key]
        return Place(label_ru if ru else label_en, anchor)
    match = KEY.fullmatch(key)
    sections = {s.key: s for s in load_template().sections}
    section = sections.get(match.group("section")) if match else None
    if match is None or section is None:
        return Place(key, "passport-form")
    words = [section.label(lang)]
    if match.group("row"):
        words.append(f"{ROW['ru' if ru else 'en']} {match.group('row')}")
    where = ", ".join(words)
    field = next((f for f in section.fields if f.key == match.group("field")), None)
    label = where + (": " + field.label(lang) if field is not None else "")
    return Place(
        label, f"edit-{section.key}", True, where, field.label(lang) if field is not None else ""
    )
