import pytest

from unionsync.nomenclature.codes import CodeError, parse_tnved


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
