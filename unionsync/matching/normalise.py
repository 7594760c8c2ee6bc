"""Normalisation of product names, the first stage of matching.

Real lists write one product many ways: «Подшипник шариковый радиальный 6205-2RS»,
«подшипники шарик. рад. 6205 2RS», "Deep groove ball bearing 6205-2RS". A name becomes:
- words: lower case, ё → е, Latin look-alikes inside Russian words folded, abbreviations expanded
  (шарик. → шариковый), Russian lemmas (pymorphy3, cached);
- model tokens kept whole and written one way (6205-2RS = 6205 2RS = 62052RS → `62052rs`);
- sizes and fittings in one notation (М10х50 → `m10x50`, Ду 50 / DN50 → `dn50`, Ру 16 → `pn16`);
- standards (ГОСТ 8338-75, GOST 8338-75 → `gost8338-75`);
- bare numbers, for comparing quantities such as ratings and sizes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from unionsync.nomenclature.text import fold, lemma

ABBREVIATIONS = {
    "подш": "подшипник",
    "шарик": "шариковый",
    "ролик": "роликовый",
    "рад": "радиальный",
    "однор": "однорядный",
    "эл": "электрический",
    "двиг": "двигатель",
    "техн": "технический",
    "автомат": "автоматический",
    "гидр": "гидравлический",
    "тр-р": "трансформатор",
    "конд": "конденсатор",
    "рез": "резистор",
    "мед": "медицинский",
    "цилиндр": "цилиндрический",
    "цилиндрич": "цилиндрический",
    "конич": "конический",
    "керам": "керамический",
    "алюм": "алюминиевый",
    "тонкопл": "тонкопленочный",
    "пост": "постоянный",
    "перифер": "периферический",
    "функц": "функциональный",
    "табл": "таблетка",
    "р-р": "раствор",
    "пор": "порошок",
    "ст": "стальной",
    "т/с": "твердосплавный",
    "акс": "аксиальный",
    "поршн": "поршневой",
    "гусен": "гусеничный",
    "вибрац": "вибрационный",
    "текстур": "текстурированный",
    "синтетич": "синтетический",
    "крашен": "крашеный",
    "пропашн": "пропашной",
    "газ": "газовый",
    "ж/д": "железнодорожный",
    "в/в": "внутривенный",
}
# Capitalised abbreviations that name a kind of product, not a series: never glued to a number
PRODUCT_ABBREVIATIONS = frozenset(
    {
        "чип",
        "чпу",
        "led",
        "smd",
        "cob",
        "кпп",
        "двс",
        "узи",
        "мрт",
        "кт",
        "ивл",
        "экг",
        "дгу",
        "гту",
        "плк",
        "акб",
        "ssd",
        "пк",
        "мк",
        "пп",
        "пэт",
        "ссд",
        "lan",
        "usb",
        "даф",
        "афс",
    }
)
# Cyrillic letters that look like Latin ones: model tokens are written in Latin
_TO_LATIN = str.maketrans(
    {
        "а": "a",
        "в": "b",
        "е": "e",
        "к": "k",
        "м": "m",
        "н": "h",
        "о": "o",
        "р": "p",
        "с": "c",
        "т": "t",
        "у": "y",
        "х": "x",
    }
)
_STANDARD = re.compile(r"\b(гост|gost|ост|ту|din|iso)\s*(р\s*)?(\d[\d.\-]*\d)", re.IGNORECASE)
_SIZE = re.compile(
    r"(?<![\w])[мm]\s?(\d+(?:[.,]\d+)?)\s*[xх×*]\s*(\d+(?:[.,]\d+)?)(?![\w])", re.IGNORECASE
)
_NOMINAL = re.compile(r"(?<![\w])(ду|dn|ру|pn)\s*(\d+)(?![\w])", re.IGNORECASE)
_DECIMAL_COMMA = re.compile(r"(\d),(\d)")
_TOKEN = re.compile(r"[0-9a-zа-яё]+(?:[-/.][0-9a-zа-яё]+)*", re.IGNORECASE)
_HAS_DIGIT = re.compile(r"\d")
_HAS_LETTER = re.compile(r"[a-zа-я]")
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")
_GLUED_WORD = re.compile(r"^(\d+(?:[.,]\d+)?)-?([а-яё]{4,}\.?)$")


@dataclass(frozen=True, slots=True)
class NormalName:
    """A name ready for comparison."""

    words: tuple[str, ...]
    models: tuple[str, ...]
    numbers: tuple[str, ...]

    @property
    def text(self) -> str:
        """Words and model tokens as one string (for n-gram vectorisers)."""
        return " ".join(self.words + self.models)


def model_token(token: str) -> str:
    """One spelling of a model or size token: Latin letters, no inner separators."""
    return re.sub(r"[-/.\s]", "", fold(token).translate(_TO_LATIN))


def _specials(text: str) -> tuple[str, list[str]]:
    """Standards, sizes and nominal sizes taken out of the text as canonical tokens."""
    found: list[str] = []

    def standard(match: re.Match[str]) -> str:
        name = {"гост": "gost", "ост": "ost", "ту": "tu"}.get(
            match.group(1).lower(), match.group(1).lower()
        )
        found.append(f"{name}{'r' if match.group(2) else ''}{match.group(3)}")
        return " "

    def size(match: re.Match[str]) -> str:
        found.append(f"m{match.group(1).replace(',', '.')}x{match.group(2).replace(',', '.')}")
        return " "

    def nominal(match: re.Match[str]) -> str:
        kind = {"ду": "dn", "ру": "pn"}.get(match.group(1).lower(), match.group(1).lower())
        found.append(f"{kind}{match.group(2)}")
        return " "

    text = _STANDARD.sub(standard, text)
    text = _SIZE.sub(size, text)
    text = _NOMINAL.sub(nominal, text)
    return text, found


@lru_cache(maxsize=200_000)
def normalise_name(name: str) -> NormalName:
    """The comparable form of a product name (cached: catalogues repeat names)."""
    text = _DECIMAL_COMMA.sub(r"\1.\2", name.replace("ё", "е").replace("Ё", "Е"))
    text, models = _specials(text.replace("\u00a0", " "))
    written = _TOKEN.findall(text)  # as written: capitals tell series codes from words
    tokens = [t.lower() for t in written]
    words: list[str] = []
    numbers: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        nxt = tokens[index + 1] if index + 1 < len(tokens) else ""
        head, _, tail = token.partition("-")
        if head.isalpha() and len(head) >= 5 and _HAS_DIGIT.search(tail):
            # «Эльбрус-8СВ»: a word and a model joined by a hyphen
            words.append(lemma(fold(head)).replace("ё", "е"))
            token = tail
        elif (
            token.isalpha()
            and len(token) <= 4
            and written[index].isupper()
            and token not in PRODUCT_ABBREVIATIONS
            and _HAS_DIGIT.search(nxt[:1])
        ):
            # «ВОЦ 800», «ЦС 125х250»: a series code in capitals written apart from its number
            token, index = token + nxt, index + 1
            nxt = tokens[index + 1] if index + 1 < len(tokens) else ""
        glued = _GLUED_WORD.match(token)
        if glued:  # «46рядная», «21канальный»: a number written against its word
            numbers.append(glued.group(1).replace(",", "."))
            words.append(lemma(fold(glued.group(2))).replace("ё", "е"))
            index += 1
            continue
        if _HAS_DIGIT.search(token):
            # a suffix such as "2RS" written apart from its "6205" belongs to it
            if (
                _NUMBER.match(token)
                and nxt[:1].isdigit()
                and _HAS_LETTER.search(nxt)
                and len(nxt) <= 4
            ):
                token, index = token + nxt, index + 1
            if _NUMBER.match(token):
                numbers.append(token.replace(",", "."))
            else:
                models.append(model_token(token))
        else:
            expanded = ABBREVIATIONS.get(fold(token).rstrip("."), token)
            words.extend(lemma(fold(part)).replace("ё", "е") for part in expanded.split())
        index += 1
    return NormalName(tuple(words), tuple(models), tuple(numbers))
