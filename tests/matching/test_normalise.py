"""Names written differently by the two sides normalise to the same comparable form."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from unionsync.catalog.models import Capability, ProgramItem
from unionsync.core.meta import DemoMatchTruth
from unionsync.matching.normalise import normalise_name


def test_case_yo_lookalikes_abbreviations_and_lemmas():
    full = normalise_name("Подшипник шариковый радиальный однорядный 6205-2RS")
    short = normalise_name("подшипники шарик. рад. однор. 6205 2RS")
    typo = normalise_name("Пoдшипник шариковый радиальный однорядный 62052RS")  # Latin «o»
    assert full == short == typo
    assert full.words == ("подшипник", "шариковый", "радиальный", "однорядный")
    assert full.models == ("62052rs",)
    assert normalise_name("ЁЛКА").words == ("елка",)


def test_sizes_fittings_and_standards_are_written_one_way():
    assert normalise_name("Болт М10х50 ГОСТ 7798-70").models == ("gost7798-70", "m10x50")
    assert normalise_name("bolt M10x50 GOST 7798-70").models == ("gost7798-70", "m10x50")
    assert normalise_name("Задвижка Ду 300 Ру 80").models == ("dn300", "pn80")
    assert normalise_name("задвижка DN300 PN80").models == ("dn300", "pn80")
    assert normalise_name("Подшипник ГОСТ 8338-75").models == ("gost8338-75",)


def test_model_tokens_with_cyrillic_letters_match_their_latin_spelling():
    assert (
        normalise_name("Микроконтроллер К1986ВЕ92QI").models
        == normalise_name("МК K1986BE92QI").models
        == ("k1986be92qi",)
    )


def test_series_codes_written_apart_or_hyphenated_are_one_model():
    assert normalise_name("ВОЦ-800").models == normalise_name("ВОЦ 800").models
    assert (
        normalise_name("Гидроцилиндр ЦС-125х250").models
        == normalise_name("цилиндр гидравлический ЦС 125x250").models
    )
    assert normalise_name("Эльбрус-8СВ") == normalise_name("Эльбрус 8СВ")


def test_numbers_are_kept_apart_from_words():
    name = normalise_name("Электродвигатель асинхронный АИР160S4 15 кВт")
    assert name.models == ("aиp160s4",) and name.numbers == ("15",)  # И has no Latin twin
    assert name.words == ("электродвигатель", "асинхронный", "квт")


def test_demo_pairs_that_are_true_share_their_model_tokens(demo_session: Session):
    """On the demo's ground truth, the partner's spelling keeps the model token recognisable."""
    pairs = demo_session.execute(
        select(ProgramItem.name_ru, Capability.product_name)
        .join(DemoMatchTruth, DemoMatchTruth.item_id == ProgramItem.id)
        .join(Capability, Capability.id == DemoMatchTruth.capability_id)
    ).all()
    with_models = [(a, b) for a, b in pairs if normalise_name(a).models]
    shared = sum(
        bool(set(normalise_name(a).models) & set(normalise_name(b).models)) for a, b in with_models
    )
    assert len(with_models) > 1000
    assert shared / len(with_models) >= 0.9, shared / len(with_models)


def test_decimal_commas_and_lower_case_words_before_numbers():
    assert normalise_name("4,7 мкФ").numbers == normalise_name("4.7 мкФ").numbers == ("4.7",)
    chip = normalise_name("конд. керам. ЧИП 0603 X7R 100 нФ")
    assert chip.numbers == ("0603", "100")  # «ЧИП» is a word here, not a series code
