"""The Russian → English lexicon learnt from the TN VED and the HS names of the same codes."""

from __future__ import annotations

from tests.conftest import shared_data
from unionsync.nomenclature.bilingual import Lexicon, aligned_pairs, english_words
from unionsync.nomenclature.sources import read_hs_csv, read_tnved_dir
from unionsync.nomenclature.suggest import Entry, Suggester

RUSSIAN = {
    "8482": "Подшипники шариковые или роликовые",
    "8482101001": "- - - для промышленной сборки",
    "8482200000": "- подшипники роликовые конические",
    "8458": "Станки токарные металлорежущие",
    "8458110000": "- - с числовым программным управлением",
    "3004": "Лекарственные средства в дозированных формах",
    "4011": "Шины и покрышки пневматические резиновые новые",
    "4011100000": "- для легковых автомобилей",
    "8703": "Автомобили легковые",
}
ENGLISH = {
    "8482": "Ball or roller bearings",
    "848210": "Ball bearings",
    "848220": "Bearings; tapered roller bearings",
    "8458": "Lathes for removing metal",
    "845811": "Lathes; horizontal, numerically controlled",
    "3004": "Medicaments in measured doses",
    "4011": "New pneumatic tyres, of rubber",
    "401110": "Tyres; of a kind used on motor cars",
    "8703": "Motor cars and other motor vehicles",
}


def test_aligned_names_teach_the_words_and_a_russian_query_finds_the_english_heading():
    pairs = aligned_pairs(RUSSIAN, ENGLISH)
    # the headings, and each HS subheading with the shallowest TN VED line under it
    assert len(pairs) == 9
    lexicon = Lexicon.learn(pairs)
    assert lexicon.table["подшипник"][0][0] == "bear"
    assert "tyre" in lexicon.translate(["шина"])
    entries = [Entry("hs", c, n, n) for c, n in ENGLISH.items() if len(c) == 4]
    names = {c: [n] for c, n in ENGLISH.items() if len(c) == 4}
    words_only = Suggester(entries, english=names)
    assert words_only.suggest("шины пневматические резиновые") == []  # no shared word
    bridged = Suggester(entries, english=names, lexicon=lexicon)
    found = bridged.suggest("шины пневматические резиновые", top=2)
    assert found[0].code == "4011" and ("translated words", 1) in found[0].ranks


def test_the_lexicon_learnt_from_the_official_editions(tmp_path):
    folder = shared_data("nomenclature")
    russian = {r.code: r.name_ru or "" for r in read_tnved_dir(folder / "tnved-eaeu")}
    english = {
        r.code: r.name_en or "" for r in read_hs_csv(folder / "hs2022-en" / "harmonized-system.csv")
    }
    pairs = aligned_pairs(russian, english)
    assert len(pairs) > 5000
    lexicon = Lexicon.learn(pairs)
    for russian_word, english_word in (("подшипник", "bear"), ("насос", "pump"), ("шина", "tyre")):
        top = [e for e, _p in lexicon.table[russian_word][:3]]
        assert english_words(english_word)[0] in top, (russian_word, top)


def test_matching_compares_a_russian_and_an_english_name_through_the_lexicon():
    """«Подшипники роликовые конические» and "Tapered roller bearings" share no word as
    written; through the lexicon most of the English words translate Russian ones."""
    from unionsync.matching.candidates import Candidate, MatchRecord
    from unionsync.matching.scoring import DEFAULT_WEIGHTS, score_candidates

    lexicon = Lexicon.learn(aligned_pairs(RUSSIAN, ENGLISH))
    left = [MatchRecord(1, "Подшипники роликовые конические")]
    right = [MatchRecord(1, "Tapered roller bearings"), MatchRecord(2, "Pneumatic tyres")]
    pairs = [Candidate(1, 1, 0.1), Candidate(1, 2, 0.1)]

    def score(used: Lexicon | None) -> list:
        return score_candidates(left, right, pairs, weights=DEFAULT_WEIGHTS, lexicon=used)

    as_written, translated = score(None), score(lexicon)
    bearing, tyre = translated
    assert "translated" in {s.feature for s in bearing.steps}
    assert "words" not in {s.feature for s in bearing.steps}
    assert bearing.probability > as_written[0].probability
    assert bearing.probability > tyre.probability
    # within one language the words are compared as written, lexicon or not
    same = score_candidates(
        left,
        [MatchRecord(1, "подшипник роликовый")],
        [Candidate(1, 1, 0.5)],
        weights=DEFAULT_WEIGHTS,
        lexicon=lexicon,
    )
    assert "words" in {s.feature for s in same[0].steps}


def test_a_name_is_english_when_it_has_english_words_and_no_cyrillic():
    from unionsync.nomenclature.bilingual import is_english

    assert is_english("Tapered roller bearings 32205")
    assert not is_english("6205-2RS")  # a model number is no language
    assert not is_english("Подшипник SKF 6205")
