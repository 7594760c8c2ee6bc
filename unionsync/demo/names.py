"""How real lists write the same product differently: abbreviations, look-alike letters, codes."""

from __future__ import annotations

import random
import re

ABBREVIATIONS = {
    "подшипник": "подш.",
    "шариковый": "шарик.",
    "роликовый": "ролик.",
    "электрический": "эл.",
    "электродвигатель": "эл. двигатель",
    "двигатель": "двиг.",
    "однорядный": "однор.",
    "радиальный": "рад.",
    "технический": "техн.",
    "автоматический": "автомат.",
    "гидравлический": "гидр.",
    "трансформатор": "тр-р",
    "конденсатор": "конд.",
    "резистор": "рез.",
    "медицинская": "мед.",
}
# Latin letters that look like Cyrillic ones: lists typed on mixed keyboards contain them
LOOKALIKES = {"о": "o", "а": "a", "е": "e", "с": "c", "р": "p", "х": "x"}


def abbreviate(name: str, rng: random.Random) -> str:
    """Shorten some words the way catalogue compilers do."""
    words = name.split(" ")
    out = []
    for word in words:
        short = ABBREVIATIONS.get(word.lower())
        out.append(short if short and rng.random() < 0.7 else word)
    return " ".join(out)


def mangle_model(variant: str, rng: random.Random) -> str:
    """A model or size token written another way: `6205-2RS` → `6205 2RS`, `х` ↔ `x`."""
    text = variant
    if "-" in text and rng.random() < 0.6:
        text = text.replace("-", rng.choice([" ", ""]), 1)
    if rng.random() < 0.3:
        text = text.replace("х", "x") if "х" in text else text.replace("x", "х")
    if rng.random() < 0.3:
        text = re.sub(r"(\d),(\d)", r"\1.\2", text)
    return text


def lookalike(name: str, rng: random.Random) -> str:
    """One Cyrillic letter inside a word swapped for its Latin twin (a classic data-entry slip)."""
    positions = [i for i, ch in enumerate(name) if ch in LOOKALIKES and i > 0]
    if not positions:
        return name
    i = rng.choice(positions)
    return name[:i] + LOOKALIKES[name[i]] + name[i + 1 :]


def write_code(code: str, rng: random.Random, *, allow_short: bool) -> str | None:
    """A 10-digit code as some list would write it: spaced, dotted, shortened or missing."""
    roll = rng.random()
    if allow_short:
        if roll < 0.18:
            return None
        if roll < 0.33:
            return code[:6] if rng.random() < 0.5 else f"{code[:4]} {code[4:6]}"
        if roll < 0.43:
            return code[:4]
    style = rng.random()
    if style < 0.4:
        return f"{code[:4]} {code[4:6]} {code[6:9]} {code[9]}"
    if style < 0.6:
        return f"{code[:4]}.{code[4:6]}.{code[6:9]}.{code[9]}"
    return code
