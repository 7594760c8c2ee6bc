import pytest

from unionsync.reference.units import UnknownUnitError, resolve_unit


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("796", "796"),
        ("шт", "796"),
        ("шт.", "796"),
        ("pcs", "796"),
        (6, "006"),
        ("6", "006"),
        ("55", "055"),
        ("м2", "055"),
        ("компл", "839"),
        ("тыс. шт", "798"),
        ("КГ", "166"),
        (166.0, "166"),
    ],
)
def test_units_resolve_from_codes_and_names(written, code):
    assert resolve_unit(written).code == code


def test_unknown_unit_lists_the_known_ones():
    with pytest.raises(UnknownUnitError, match=r"unknown unit «бочка».*796 шт"):
        resolve_unit("бочка")
