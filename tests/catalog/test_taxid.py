import pytest

from unionsync.catalog.taxid import TaxIdError, validate_tax_id

# INNs with correct check digits (computed by the FTS algorithm)
VALID_INN_10 = "7707083893"
VALID_INN_12 = "500100732259"


def test_valid_inns_and_unp_pass():
    assert validate_tax_id("RU", VALID_INN_10) == VALID_INN_10
    assert validate_tax_id("RU", VALID_INN_12) == VALID_INN_12
    assert validate_tax_id("BY", " 100000022 ") == "100000022"
    assert validate_tax_id("BY", "УНП 190542056") == "190542056"  # as printed on documents


@pytest.mark.parametrize(
    ("country", "value", "reason"),
    [
        ("RU", "7707083894", "check digit"),
        ("RU", "500100732258", "check digit"),
        ("RU", "770708389", "10 digits"),
        ("RU", "77070838a3", "10 digits"),
        ("BY", "10000001", "9 characters"),
        ("BY", "1000000223", "9 characters"),
        ("BY", "100000013", "check digit"),  # 9 digits, but its check digit is wrong
        ("BY", "800000022", "region"),
    ],
)
def test_invalid_tax_ids_are_refused_with_the_reason(country, value, reason):
    with pytest.raises(TaxIdError, match=reason):
        validate_tax_id(country, value)


def test_organizations_refuse_invalid_tax_ids_whatever_the_order_of_fields():
    from unionsync.catalog.models import Organization, OrganizationKind

    with pytest.raises(TaxIdError, match="check digit"):
        Organization(
            kind=OrganizationKind.ENTERPRISE, name="x", tax_id="7707083894", country_code="RU"
        )
    with pytest.raises(TaxIdError, match="9 characters"):
        Organization(
            kind=OrganizationKind.ENTERPRISE, name="x", country_code="BY", tax_id="7707083893"
        )
    org = Organization(kind=OrganizationKind.BANK, name="y", country_code="RU", tax_id=VALID_INN_10)
    assert org.tax_id == VALID_INN_10
