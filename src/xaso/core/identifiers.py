"""Vietnamese personal and business identifiers: parsing, validation, normalisation, masking.

Pure Python (no Django import): the Django validators in ``xaso.core.validators`` wrap these
functions and translate the error codes into user-facing messages.

Sources
-------
* Personal identification number (số định danh cá nhân, printed on the CCCD/căn cước card):
  12 digits = 3-digit code of the province where the birth was registered, 1 digit for
  century and sex, 2 digits for the year of birth, 6 random digits.
  Nghị định 137/2015/NĐ-CP art. 7 (structure); Thông tư 07/2016/TT-BCA, later
  Thông tư 59/2021/TT-BCA, Appendix I (province codes) and art. 7 (century/sex digit);
  Luật Căn cước 2023 art. 12 (12 digits). The 63 province codes below are those of the
  appendix; numbers already issued keep their code after the 2025 merger of provinces.
* Mobile numbers: 10 digits beginning with 0 since the 2018 renumbering (Bộ TT&TT, 15/09/2018).
  The prefixes accepted are those of Google libphonenumber's metadata for VN (mobile type),
  the maintained reference used by Android and most gateways.
* Tax code (mã số thuế): Thông tư 105/2020/TT-BTC art. 5: N1..N10 for an enterprise, where N10
  is a check digit, and N1..N10-N11N12N13 for a dependent unit (branch). The check digit is
  computed with weights 31, 29, 23, 19, 17, 13, 7, 5, 3 and ``10 - (sum mod 11)`` (the
  algorithm of python-stdnum's ``vn.mst``; hand-checked against real codes 0100109106,
  0300588569, 0100233488). Since 01/07/2025 individuals and household businesses use their
  12-digit personal identification number as tax code (Thông tư 86/2024/TT-BTC art. 5).
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

# ---------------------------------------------------------------------------------------
# Personal identification number
# ---------------------------------------------------------------------------------------

#: Province codes of birth registration (TT 07/2016/TT-BCA, TT 59/2021/TT-BCA, Appendix I).
PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

#: Century/sex digit → (first year of the century, sex). TT 59/2021/TT-BCA art. 7.
CENTURY_SEX = {
    "0": (1900, "male"),
    "1": (1900, "female"),
    "2": (2000, "male"),
    "3": (2000, "female"),
    "4": (2100, "male"),
    "5": (2100, "female"),
    "6": (2200, "male"),
    "7": (2200, "female"),
    "8": (2300, "male"),
    "9": (2300, "female"),
}


class IdentifierError(ValueError):
    """An identifier failed a check. ``code`` names the failure (stable, for translation);
    ``params`` carries the values a message may show."""

    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        super().__init__(code, params)


@dataclass(frozen=True)
class NationalId:
    number: str
    province_code: str
    province_name: str
    sex: str  # "male" | "female"
    birth_year: int


_SEPARATORS = re.compile(r"[\s.\-]")


def _today(today: _dt.date | None) -> _dt.date:
    return today or _dt.date.today()


def parse_national_id(value: str, *, today: _dt.date | None = None, date_of_birth: _dt.date | None = None) -> NationalId:
    """Check a 12-digit personal identification number and decode it.

    Raises ``IdentifierError`` with code ``national_id_digits`` (not 12 digits),
    ``national_id_province`` (unknown province code), ``national_id_future`` (birth year
    after this year) or ``national_id_birth_mismatch`` (year or sex digit inconsistent with
    the date of birth given)."""
    number = _SEPARATORS.sub("", value or "")
    if not re.fullmatch(r"\d{12}", number):
        raise IdentifierError("national_id_digits")
    province = number[:3]
    if province not in PROVINCE_CODES:
        raise IdentifierError("national_id_province", province=province)
    century, sex = CENTURY_SEX[number[3]]
    year = century + int(number[4:6])
    if year > _today(today).year:
        raise IdentifierError("national_id_future", year=year)
    if date_of_birth is not None and date_of_birth.year != year:
        raise IdentifierError("national_id_birth_mismatch", year=year, birth_year=date_of_birth.year)
    return NationalId(number=number, province_code=province, province_name=PROVINCE_CODES[province], sex=sex, birth_year=year)


def normalize_national_id(value: str) -> str:
    return parse_national_id(value).number


def is_valid_national_id(value: str, **kwargs) -> bool:
    try:
        parse_national_id(value, **kwargs)
    except IdentifierError:
        return False
    return True


# ---------------------------------------------------------------------------------------
# Mobile phone
# ---------------------------------------------------------------------------------------

# National significant number (9 digits, after the leading 0) of a mobile line, from
# libphonenumber's VN metadata: Viettel 03x, 086, 096-098; VinaPhone 081-085, 088, 091, 094;
# MobiFone 070, 076-079, 089, 090, 093; Vietnamobile 052, 056, 058, 092; Gmobile 059, 099;
# iTel 087; Reddi 055(9); and the narrower blocks 052[238], 0559, 089[6-9], 099[013-9].
_MOBILE_NSN = re.compile(r"(?:5(?:2[238]|59)|89[6-9]|99[013-9])\d{6}|(?:3\d|5[1689]|7[06-9]|8[1-8]|9[0-8])\d{7}")
_PHONE_PUNCT = re.compile(r"[\s.\-()]")


def normalize_phone(value: str) -> str:
    """Return a Vietnamese mobile number as ``0`` + 9 digits.

    Accepts ``0912345678``, ``+84912345678``, ``84912345678``, ``0084…`` with spaces, dots,
    dashes or brackets. Raises ``IdentifierError`` ``phone_format`` (not a phone number
    shape) or ``phone_prefix`` (a number, but not a Vietnamese mobile prefix)."""
    raw = _PHONE_PUNCT.sub("", value or "")
    if raw.startswith("+84"):
        nsn = raw[3:]
    elif raw.startswith("0084"):
        nsn = raw[4:]
    elif raw.startswith("84") and len(raw) == 11:
        nsn = raw[2:]
    elif raw.startswith("0"):
        nsn = raw[1:]
    else:
        raise IdentifierError("phone_format")
    if not re.fullmatch(r"\d{9}", nsn):
        raise IdentifierError("phone_format")
    if not _MOBILE_NSN.fullmatch(nsn):
        raise IdentifierError("phone_prefix", prefix="0" + nsn[:2])
    return "0" + nsn


def is_valid_phone(value: str) -> bool:
    try:
        normalize_phone(value)
    except IdentifierError:
        return False
    return True


# ---------------------------------------------------------------------------------------
# Tax code
# ---------------------------------------------------------------------------------------

TAX_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


def tax_check_digit(first_nine: str) -> int | None:
    """Check digit of a 10-digit tax code, or None when no digit fits (sum ≡ 0 mod 11:
    such numbers are never issued)."""
    total = sum(w * int(d) for w, d in zip(TAX_WEIGHTS, first_nine))
    check = 10 - total % 11
    return None if check == 10 else check


@dataclass(frozen=True)
class TaxCode:
    number: str  # canonical: "0101234567", "0101234567-001" or 12 digits
    kind: str  # "enterprise" | "branch" | "personal"


def parse_tax_code(value: str, *, today: _dt.date | None = None) -> TaxCode:
    """Check a tax code: 10 digits (enterprise), 10-3 digits (dependent unit) or a 12-digit
    personal identification number (individuals and household businesses, TT 86/2024).

    Raises ``IdentifierError`` ``tax_format``, ``tax_checksum``, ``tax_branch`` or any
    ``national_id_*`` code for 12-digit values."""
    compact = re.sub(r"[\s.]", "", value or "")
    m = re.fullmatch(r"(\d{10})(?:-?(\d{3}))?", compact)
    if m is None:
        if re.fullmatch(r"\d{12}", compact):
            return TaxCode(number=parse_national_id(compact, today=today).number, kind="personal")
        raise IdentifierError("tax_format")
    main, branch = m.groups()
    if main[2:9] == "0000000" or tax_check_digit(main[:9]) != int(main[9]):
        raise IdentifierError("tax_checksum")
    if branch is not None:
        if branch == "000":
            raise IdentifierError("tax_branch")
        return TaxCode(number=f"{main}-{branch}", kind="branch")
    return TaxCode(number=main, kind="enterprise")


def normalize_tax_code(value: str) -> str:
    return parse_tax_code(value).number


def is_valid_tax_code(value: str) -> bool:
    try:
        parse_tax_code(value)
    except IdentifierError:
        return False
    return True


# ---------------------------------------------------------------------------------------
# Masking (lists shown to staff, messages)
# ---------------------------------------------------------------------------------------


def mask_national_id(value: str | None) -> str:
    """``038190123456`` → ``038******456``: province code and last three digits only."""
    if not value:
        return ""
    value = str(value)
    if len(value) <= 6:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 6) + value[-3:]


def mask_phone(value: str | None) -> str:
    """``0912345678`` → ``091****678``."""
    if not value:
        return ""
    value = str(value)
    if len(value) <= 6:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 6) + value[-3:]


def mask_email(value: str | None) -> str:
    """``nguyenvana@example.com`` → ``n*********@example.com``."""
    if not value or "@" not in value:
        return value or ""
    local, domain = value.split("@", 1)
    return local[:1] + "*" * max(len(local) - 1, 1) + "@" + domain
