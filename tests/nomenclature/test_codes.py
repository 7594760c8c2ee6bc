import pytest

from unionsync.nomenclature.codes import (
    CodeError,
    CodeRange,
    TnvedCode,
    ancestors,
    covers,
    parent_of,
    parse_code_list,
    parse_tnved,
)


@pytest.mark.parametrize(
    "written", ["8482 10 100 9", "8482.10.100.9", "8482101009", " 8482-10-100-9 ", 8482101009]
)
def test_every_common_spelling_of_a_code_normalises_to_digits(written):
    code = parse_tnved(written)
    assert code.digits == "8482101009"
    assert code.level == 10
    assert code.hs6 == "848210"
    assert code.formatted() == "8482 10 100 9"


@pytest.mark.parametrize(
    ("written", "digits"), [("из 8708", "8708"), ("ex 8708 30", "870830"), ("ИЗ 8708", "8708")]
)
def test_ex_codes_keep_their_partial_flag(written, digits):
    code = parse_tnved(written)
    assert (code.digits, code.ex) == (digits, True)
    assert code.formatted().startswith("из ")


def test_a_code_that_lost_its_leading_zero_is_an_error_naming_the_likely_code():
    with pytest.raises(CodeError) as info:
        parse_tnved(101210000)
    message = str(info.value)
    assert "9 digits" in message
    assert "0101210000" in message


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("8482 10 – 8482 80", "range or a list"),
        ("8482, 8483", "range or a list"),
        ("84A2", "only digits"),
        ("848", "lost its leading zero"),
        ("84821", "lost its leading"),
        ("848210100912", "2, 4, 6, 8 or 10"),
        ("", "empty code"),
    ],
)
def test_malformed_codes_say_what_is_wrong(written, reason):
    with pytest.raises(CodeError, match=reason):
        parse_tnved(written)


def test_levels_parents_ancestors_and_covers():
    assert parent_of("8482101009") == "84821010"
    assert parent_of("84") is None
    assert ancestors("8482101009") == ["84821010", "848210", "8482", "84"]
    assert covers("8482", "8482101009") and not covers("8483", "8482101009")


def test_lists_ranges_and_ex_entries_are_read_from_one_cell():
    specs = parse_code_list("8482 10 – 8482 80; из 8708, 8483.10")
    assert specs == [CodeRange("848210", "848280"), TnvedCode("8708", ex=True), TnvedCode("848310")]
    assert specs[0].includes("8482300009") and not specs[0].includes("8482990000")
    assert parse_code_list("ex 8482 10 .. 8482 30")[0] == CodeRange("848210", "848230", ex=True)


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("8482 80 – 8482 10", "not after the last"),
        ("8482 – 8482 10", "one level"),
        ("8482 – 8483 – 8484", "not a range of two"),
        ("", "empty"),
        ("84A2, 8483", "only digits"),
    ],
)
def test_bad_lists_say_which_part_is_wrong(written, reason):
    with pytest.raises(CodeError, match=reason):
        parse_code_list(written)


def test_a_lost_leading_zero_is_restored_only_when_the_nomenclature_knows_the_code():
    book = {"0101210000"}.__contains__
    assert parse_tnved("101210000", known=book).digits == "0101210000"
    with pytest.raises(CodeError, match="lost its leading zero, but 0101290000 is not in"):
        parse_tnved("101290000", known=book)
    with pytest.raises(CodeError, match="lost its leading zero"):
        parse_tnved("101210000")
