import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from xaso.core import identifiers as ids
from xaso.core.identifiers import IdentifierError

TODAY = dt.date(2026, 11, 28)


# --- personal identification number ---------------------------------------------------------


@pytest.mark.parametrize(
    "number, province, sex, year",
    [
        ("038085001234", "Thanh Hóa", "male", 1985),
        ("001190012345", "Hà Nội", "female", 1990),
        ("096203000001", "Cà Mau", "male", 2003),
        ("079310123456", "Hồ Chí Minh", "female", 2010),
        ("038 085 001 234", "Thanh Hóa", "male", 1985),
    ],
)
def test_national_id_decodes(number, province, sex, year):
    parsed = ids.parse_national_id(number, today=TODAY)
    assert (parsed.province_name, parsed.sex, parsed.birth_year) == (province, sex, year)
    assert len(parsed.number) == 12


@pytest.mark.parametrize(
    "number, code",
    [
        ("03808500123", "national_id_digits"),  # 11 digits
        ("0380850012345", "national_id_digits"),
        ("03808500123A", "national_id_digits"),
        ("", "national_id_digits"),
        ("003085001234", "national_id_province"),  # 003 is not a province code
        ("097085001234", "national_id_province"),
        ("038230001234", "national_id_future"),  # 2000s + 30 = 2030 > 2026
        ("038499001234", "national_id_future"),  # 2199
    ],
)
def test_national_id_errors(number, code):
    with pytest.raises(IdentifierError) as exc:
        ids.parse_national_id(number, today=TODAY)
    assert exc.value.code == code


def test_national_id_birth_date_consistency():
    ids.parse_national_id("038085001234", date_of_birth=dt.date(1985, 3, 12), today=TODAY)
    with pytest.raises(IdentifierError) as exc:
        ids.parse_national_id("038085001234", date_of_birth=dt.date(1986, 3, 12), today=TODAY)
    assert exc.value.code == "national_id_birth_mismatch"
    assert exc.value.params == {"year": 1985, "birth_year": 1986}


def test_province_list_is_the_63_of_the_circular():
    assert len(ids.PROVINCE_CODES) == 63
    assert ids.PROVINCE_CODES["001"] == "Hà Nội"
    assert ids.PROVINCE_CODES["038"] == "Thanh Hóa"
    assert ids.PROVINCE_CODES["096"] == "Cà Mau"


@given(
    province=st.sampled_from(sorted(ids.PROVINCE_CODES)),
    century_sex=st.sampled_from("0123"),
    yy=st.integers(0, 99),
    serial=st.integers(0, 999_999),
)
def test_national_id_roundtrip(province, century_sex, yy, serial):
    number = f"{province}{century_sex}{yy:02d}{serial:06d}"
    year = {"0": 1900, "1": 1900, "2": 2000, "3": 2000}[century_sex] + yy
    if year > TODAY.year:
        with pytest.raises(IdentifierError):
            ids.parse_national_id(number, today=TODAY)
        return
    parsed = ids.parse_national_id(number, today=TODAY)
    assert parsed.number == number
    assert parsed.birth_year == year
    assert parsed.sex == ("male" if century_sex in "02" else "female")
    assert ids.mask_national_id(number) == number[:3] + "******" + number[-3:]


@given(st.text(max_size=20))
def test_national_id_never_crashes(value):
    try:
        parsed = ids.parse_national_id(value, today=TODAY)
    except IdentifierError:
        return
    assert parsed.number.isdigit() and len(parsed.number) == 12


# --- phone ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["0912345678", "+84912345678", "84912345678", "0084912345678", "091 234 5678", "0912.345.678", "+84 91-234-5678", "(091) 2345678"],
)
def test_phone_forms_normalise(raw):
    assert ids.normalize_phone(raw) == "0912345678"


@pytest.mark.parametrize("raw", ["0321234567", "0392345678", "0563456789", "0701234567", "0812345678", "0889999999", "0987654321", "0599123456"])
def test_phone_known_prefixes(raw):
    assert ids.normalize_phone(raw) == raw


@pytest.mark.parametrize(
    "raw, code",
    [
        ("0212345678", "phone_prefix"),  # fixed-line area prefix
        ("0112345678", "phone_prefix"),
        ("0612345678", "phone_prefix"),
        ("0992123456", "phone_prefix"),  # 0992 block not assigned (099[013-9] only)
        ("091234567", "phone_format"),  # 9 digits
        ("09123456789", "phone_format"),
        ("912345678", "phone_format"),  # no leading 0
        ("+8591234567", "phone_format"),
        ("abc", "phone_format"),
        ("", "phone_format"),
    ],
)
def test_phone_errors(raw, code):
    with pytest.raises(IdentifierError) as exc:
        ids.normalize_phone(raw)
    assert exc.value.code == code


@given(prefix=st.sampled_from(["32", "33", "39", "56", "58", "59", "70", "76", "79", "81", "85", "86", "88", "90", "94", "98"]), rest=st.integers(0, 9_999_999))
def test_phone_property_all_input_forms_agree(prefix, rest):
    local = f"0{prefix}{rest:07d}"
    for form in (local, "+84" + local[1:], "84" + local[1:], f"{local[:4]} {local[4:7]} {local[7:]}", f"{local[:4]}.{local[4:7]}.{local[7:]}"):
        assert ids.normalize_phone(form) == local
    assert ids.mask_phone(local) == local[:3] + "****" + local[-3:]


@given(st.text(max_size=20))
def test_phone_normalised_is_ten_digits(value):
    try:
        phone = ids.normalize_phone(value)
    except IdentifierError:
        return
    assert len(phone) == 10 and phone.startswith("0") and phone.isdigit()


# --- tax code ---------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["0100109106", "0300588569", "0100233488"])  # real enterprise codes
def test_real_tax_codes_pass_the_check_digit(code):
    assert ids.parse_tax_code(code) == ids.TaxCode(code, "enterprise")


def test_tax_code_branch_and_personal():
    assert ids.parse_tax_code("0100109106-001").number == "0100109106-001"
    assert ids.parse_tax_code("0100109106 001".replace(" ", "")).kind == "branch"
    assert ids.parse_tax_code("038085001234", today=TODAY) == ids.TaxCode("038085001234", "personal")


@pytest.mark.parametrize(
    "code, error",
    [
        ("0100109107", "tax_checksum"),
        ("0100233480", "tax_checksum"),
        ("0100000000", "tax_checksum"),
        ("0100109106-000", "tax_branch"),
        ("010010910", "tax_format"),
        ("0100109106-01", "tax_format"),
        ("01001091A6", "tax_format"),
        ("003085001234", "national_id_province"),
    ],
)
def test_tax_code_errors(code, error):
    with pytest.raises(IdentifierError) as exc:
        ids.parse_tax_code(code, today=TODAY)
    assert exc.value.code == error


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_tax_check_digit_property(first_nine):
    assume(first_nine[2:] != "0000000")
    check = ids.tax_check_digit(first_nine)
    if check is None:
        assert not any(ids.is_valid_tax_code(first_nine + str(d)) for d in range(10))
    else:
        assert ids.is_valid_tax_code(first_nine + str(check))
        # A single wrong digit at the end is always caught.
        assert all(not ids.is_valid_tax_code(first_nine + str(d)) for d in range(10) if d != check)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9), st.integers(0, 8), st.integers(1, 9))
def test_tax_single_digit_substitution_caught(first_nine, position, delta):
    assume(first_nine[2:] != "0000000")
    check = ids.tax_check_digit(first_nine)
    assume(check is not None)
    changed = first_nine[:position] + str((int(first_nine[position]) + delta) % 10) + first_nine[position + 1 :]
    assume(changed[2:] != "0000000")
    # Weights are distinct primes below 11, so one changed digit always changes the sum mod 11.
    assert not ids.is_valid_tax_code(changed + str(check))


# --- masking ----------------------------------------------------------------------------------


def test_masking():
    assert ids.mask_national_id("038085001789") == "038******789"
    assert ids.mask_phone("0912345678") == "091****678"
    assert ids.mask_national_id(None) == "" and ids.mask_phone("") == ""
    assert ids.mask_email("nguyenvana@example.com") == "n*********@example.com"
    assert ids.mask_phone("12345") == "*****"


def test_template_filters_mask():
    from django.template import Context, Template

    out = Template("{% load identity %}{{ n|mask_national_id }} {{ p|mask_phone }} {{ t|mask_tax_code }} {{ e|mask_tax_code }}").render(
        Context({"n": "038085001789", "p": "0912345678", "t": "038085001789", "e": "0100109106"})
    )
    assert out == "038******789 091****678 038******789 0100109106"


# --- Django validators ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "validator, value, code, shown",
    [
        ("validate_national_id", "003085001234", "national_id_province", "003"),
        ("validate_national_id", "12345", "national_id_digits", "12"),
        ("validate_phone", "0212345678", "phone_prefix", "021"),
        ("validate_tax_code", "0100109107", "tax_checksum", ""),
    ],
)
def test_django_validators_name_the_problem(validator, value, code, shown):
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from xaso.core import validators

    with translation.override("en"), pytest.raises(ValidationError) as exc:
        getattr(validators, validator)(value)
    assert exc.value.code == code
    assert shown in exc.value.messages[0]


def test_django_validators_accept_valid_values():
    from xaso.core import validators

    validators.validate_national_id("038085001234")
    validators.validate_phone("+84 912 345 678")
    validators.validate_tax_code("0100109106-001")
