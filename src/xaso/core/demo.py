"""Demo organisation and accounts for Ngọc Liên commune (Thanh Hóa). Idempotent: objects
are looked up by their code or user name and created only when missing, so running
``load`` twice changes nothing (and never overwrites what an administrator edited).

Unit electronic identifiers: the province's ``000.00.00.H56`` is real (UBND tỉnh Thanh
Hóa). The communes' identifiers after the 2025 reorganisation are UNCONFIRMED: the demo uses
format-valid placeholders with ``99`` in the Y1Y2 group, to be replaced by an administrator
with the values from the province's list of electronic identifiers.

Communes: Ngọc Liên was formed in 2025 from the communes Ngọc Liên, Ngọc Sơn, Ngọc Trung,
Cao Thịnh and Lộc Thịnh of the former Ngọc Lặc district; Ngọc Lặc and Minh Sơn are two other
communes formed from the same district (HĐND tỉnh Thanh Hóa, resolution amending NQ
646/NQ-HĐND of 25/04/2025; Báo Thanh Hóa, 28/04/2025)."""
import base64

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Membership, Position, Role, Unit, User

#: One password for every demo staff account (passes the password validators).
DEMO_PASSWORD = "NgocLien@2026"

#: Fixed TOTP secrets (20 bytes) of the demo accounts that must use two-factor login.
DEMO_TOTP_KEYS = {
    "admin": b"xaso-demo-admin-totp".hex(),
    "chutich": b"xaso-demo-chutich-2f".hex(),
}

K = Unit.Kind

# (code, parent code, kind, name, short name, identifier, order)
UNITS = [
    ("thanh-hoa", None, K.PROVINCE, "Tỉnh Thanh Hóa", "Thanh Hóa", "000.00.00.H56", 0),
    # Ngọc Liên
    ("ngoc-lien", "thanh-hoa", K.COMMUNE, "Xã Ngọc Liên", "Ngọc Liên", "000.01.99.H56", 1),
    ("ngoc-lien-vp", "ngoc-lien", K.OFFICE, "Văn phòng HĐND và UBND xã", "Văn phòng", "001.01.99.H56", 1),
    ("ngoc-lien-vhxh", "ngoc-lien", K.DEPARTMENT, "Phòng Văn hóa - Xã hội", "Phòng VH-XH", "002.01.99.H56", 2),
    ("ngoc-lien-kt", "ngoc-lien", K.DEPARTMENT, "Phòng Kinh tế", "Phòng Kinh tế", "003.01.99.H56", 3),
    ("ngoc-lien-pvhcc", "ngoc-lien", K.CENTRE, "Trung tâm Phục vụ hành chính công", "TT PVHCC", "004.01.99.H56", 4),
    ("ngoc-lien-cudvc", "ngoc-lien", K.CENTRE, "Trung tâm Cung ứng dịch vụ công", "TT CƯDVC", "005.01.99.H56", 5),
    ("ngoc-lien-ca", "ngoc-lien", K.POLICE, "Công an xã Ngọc Liên", "Công an xã", "", 6),
    ("ngoc-lien-tyt", "ngoc-lien", K.HEALTH, "Trạm Y tế xã Ngọc Liên", "Trạm Y tế", "", 7),
    ("ngoc-lien-mn", "ngoc-lien", K.SCHOOL, "Trường Mầm non Ngọc Liên", "MN Ngọc Liên", "", 8),
    ("ngoc-lien-th", "ngoc-lien", K.SCHOOL, "Trường Tiểu học Ngọc Liên", "TH Ngọc Liên", "", 9),
    ("ngoc-lien-thcs", "ngoc-lien", K.SCHOOL, "Trường THCS Ngọc Liên", "THCS Ngọc Liên", "", 10),
    # Ngọc Lặc
    ("ngoc-lac", "thanh-hoa", K.COMMUNE, "Xã Ngọc Lặc", "Ngọc Lặc", "000.02.99.H56", 2),
    ("ngoc-lac-vp", "ngoc-lac", K.OFFICE, "Văn phòng HĐND và UBND xã", "Văn phòng", "001.02.99.H56", 1),
    ("ngoc-lac-vhxh", "ngoc-lac", K.DEPARTMENT, "Phòng Văn hóa - Xã hội", "Phòng VH-XH", "002.02.99.H56", 2),
    ("ngoc-lac-kt", "ngoc-lac", K.DEPARTMENT, "Phòng Kinh tế", "Phòng Kinh tế", "003.02.99.H56", 3),
    ("ngoc-lac-pvhcc", "ngoc-lac", K.CENTRE, "Trung tâm Phục vụ hành chính công", "TT PVHCC", "004.02.99.H56", 4),
    # Minh Sơn
    ("minh-son", "thanh-hoa", K.COMMUNE, "Xã Minh Sơn", "Minh Sơn", "000.03.99.H56", 3),
    ("minh-son-vp", "minh-son", K.OFFICE, "Văn phòng HĐND và UBND xã", "Văn phòng", "001.03.99.H56", 1),
    ("minh-son-vhxh", "minh-son", K.DEPARTMENT, "Phòng Văn hóa - Xã hội", "Phòng VH-XH", "002.03.99.H56", 2),
    ("minh-son-pvhcc", "minh-son", K.CENTRE, "Trung tâm Phục vụ hành chính công", "TT PVHCC", "004.03.99.H56", 4),
]

# (username, full name, superuser, [(unit code, position, role), …])
STAFF = [
    ("admin", "Quản trị hệ thống", True, [("ngoc-lien-vp", Position.STAFF, Role.ADMIN)]),
    ("chutich", "Phan Thị Hà", False, [("ngoc-lien", Position.CHAIRMAN, Role.LEADER)]),
    (
        "vhxh",
        "Lê Thị Thu",
        False,
        [("ngoc-lien-vhxh", Position.SPECIALIST, Role.STANDING_OFFICE), ("ngoc-lien-vhxh", Position.SPECIALIST, Role.SPECIALIST)],
    ),
    ("motcua", "Nguyễn Văn Hùng", False, [("ngoc-lien-pvhcc", Position.RECEPTION_OFFICER, Role.RECEPTION)]),
    ("chuyenvien", "Trần Thị Mai", False, [("ngoc-lien-vhxh", Position.SPECIALIST, Role.SPECIALIST)]),
    ("truongphong", "Hoàng Văn Nam", False, [("ngoc-lien-vhxh", Position.HEAD, Role.UNIT_HEAD)]),
    ("kinhte.truongphong", "Đỗ Minh Quân", False, [("ngoc-lien-kt", Position.HEAD, Role.UNIT_HEAD)]),
    ("kinhte.chuyenvien", "Quách Thị Yến", False, [("ngoc-lien-kt", Position.SPECIALIST, Role.SPECIALIST)]),
    ("ngoclac.motcua", "Bùi Thị Hoa", False, [("ngoc-lac-pvhcc", Position.RECEPTION_OFFICER, Role.RECEPTION)]),
    ("ngoclac.chuyenvien", "Phạm Văn Đức", False, [("ngoc-lac-vhxh", Position.SPECIALIST, Role.SPECIALIST)]),
    ("minhson.motcua", "Lò Thị Xuân", False, [("minh-son-pvhcc", Position.RECEPTION_OFFICER, Role.RECEPTION)]),
]

DEMO_CITIZEN = {
    "username": "dan-0912345678",
    "phone": "0912345678",
    "full_name": "Nguyễn Văn An",
    # 038 = Thanh Hóa, 0 = male born in the 1900s, 85 = 1985.
    "national_id": "038085001234",
    "address": "Xã Ngọc Liên, tỉnh Thanh Hóa",
}
DEMO_BUSINESS = {
    "username": "dan-0987654321",
    "phone": "0987654321",
    "full_name": "Lê Văn Bình",
    "organisation_name": "Hợp tác xã Nông nghiệp Ngọc Liên (dữ liệu mẫu)",
    # Format- and checksum-valid demo code (28 = Thanh Hóa tax department prefix).
    "tax_code": "2801234564",
    "address": "Xã Ngọc Liên, tỉnh Thanh Hóa",
}


def totp_base32(hex_key: str) -> str:
    return base64.b32encode(bytes.fromhex(hex_key)).decode()


# Contact details shown in the public pages' footer and on the forms (unit code → address,
# phone, e-mail). DEMO VALUES, not the commune's real ones: an administrator sets the real
# address and hotline of the centre in the admin (Units).
CONTACTS = {
    "ngoc-lien": ("Trụ sở UBND xã Ngọc Liên, tỉnh Thanh Hóa", "", ""),
    "ngoc-lien-pvhcc": ("Trụ sở UBND xã Ngọc Liên, tỉnh Thanh Hóa (dữ liệu mẫu)", "0237 3 000 000", "tthcc.ngoclien@example.vn"),
}


def _units():
    by_code = {}
    for code, parent, kind, name, short, identifier, order in UNITS:
        address, phone, email = CONTACTS.get(code, ("", "", ""))
        unit, _created = Unit.objects.get_or_create(
            code=code,
            defaults={
                "parent": by_code.get(parent),
                "kind": kind,
                "name": name,
                "short_name": short,
                "identifier": identifier,
                "sort_order": order,
                "address": address,
                "phone": phone,
                "email": email,
            },
        )
        if code in CONTACTS and not (unit.address or unit.phone or unit.email):
            # Demo databases made before the contacts existed; never overwrites an edit.
            unit.address, unit.phone, unit.email = address, phone, email
            unit.save(update_fields=["address", "phone", "email"])
        by_code[code] = unit
    return by_code


def _staff(units):
    validate_password(DEMO_PASSWORD)
    for username, full_name, superuser, memberships in STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                full_name=full_name,
                kind=User.Kind.OFFICIAL,
                is_staff=superuser,
                is_superuser=superuser,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        for unit_code, position, role in memberships:
            Membership.objects.get_or_create(user=user, unit=units[unit_code], role=role, defaults={"position": position})
        if username in DEMO_TOTP_KEYS and not TOTPDevice.objects.filter(user=user, name="default").exists():
            TOTPDevice.objects.create(user=user, name="default", key=DEMO_TOTP_KEYS[username], confirmed=True)


def _public_accounts():
    for data in (DEMO_CITIZEN, DEMO_BUSINESS):
        if not User.objects.filter(username=data["username"]).exists():
            kind = User.Kind.BUSINESS if "tax_code" in data else User.Kind.CITIZEN
            user = User(kind=kind, **data)
            user.set_unusable_password()
            user.save()


@transaction.atomic
def load(stdout) -> None:
    units = _units()
    _staff(units)
    _public_accounts()
    stdout.write(f"  {len(UNITS)} units (Thanh Hóa → Ngọc Liên, Ngọc Lặc, Minh Sơn)")
    stdout.write(f"  Staff accounts (log in at /account/login/), password for all: {DEMO_PASSWORD}")
    for username, full_name, _superuser, memberships in STAFF:
        roles = ", ".join(str(role) for _u, _p, role in memberships)
        stdout.write(f"    {username:<20} {full_name:<20} {roles}")
    for username, hex_key in DEMO_TOTP_KEYS.items():
        stdout.write(
            f"  Two-factor secret of {username}: {totp_base32(hex_key)} — add it to any authenticator app "
            f"(TOTP, 6 digits, 30 s) or compute a code with `python -c \"from django_otp.oath import totp; "
            f"print('%06d' % totp(bytes.fromhex('{hex_key}')))\"`"
        )
    stdout.write(
        f"  Citizen: phone {DEMO_CITIZEN['phone']} — log in at /dang-nhap/; the SMS code is printed on the "
        "console by the worker (`make demo` runs it beside the server; else `xaso notifications send`)."
    )
    stdout.write(f"  Business: phone {DEMO_BUSINESS['phone']}, tax code {DEMO_BUSINESS['tax_code']}.")
