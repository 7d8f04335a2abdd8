"""Staff people pages (directory, citizen lookup with masking and audited reads) and the demo
organisation."""
import io

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from xaso.core import demo
from xaso.core.selectors import citizen_ref
from xaso.core.identifiers import is_valid_national_id, is_valid_phone, is_valid_tax_code
from xaso.core.models import AuditRecord, Membership, Role, Unit, User
from xaso.core.selectors import unit_ids_in_scope

from .factories import BusinessFactory, CitizenFactory, CommuneFactory, OfficialFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean(settings):
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    cache.clear()


def test_directory_shows_units_in_scope_with_members(client):
    commune = CommuneFactory(name="Xã Alpha")
    dept = UnitFactory(parent=commune, name="Phòng Beta")
    other = UnitFactory(name="Phòng Gamma")  # another commune
    head = OfficialFactory(unit=dept, role=Role.UNIT_HEAD, full_name="Trưởng Phòng Beta")
    OfficialFactory(unit=dept, role=Role.SPECIALIST, full_name="Chuyên Viên Beta")
    OfficialFactory(unit=other, role=Role.SPECIALIST, full_name="Người Gamma")
    client.force_login(head)
    html = client.get("/lam-viec/can-bo/").content.decode()
    assert "Phòng Beta" in html and "Chuyên Viên Beta" in html
    assert "Phòng Gamma" not in html and "Người Gamma" not in html


def test_directory_forbidden_to_specialists(client):
    client.force_login(OfficialFactory(role=Role.SPECIALIST))
    assert client.get("/lam-viec/can-bo/").status_code == 403


def test_citizen_list_is_masked(client, settings):
    settings.XASO_TWO_FACTOR_REQUIRED_ROLES = []  # administrators need a second factor otherwise
    # An administrator sees every account (others: the applicants of their dossiers, see
    # dossiers/tests/test_citizen_record_scope.py).
    CitizenFactory(full_name="Nguyễn Văn An", phone="0912345678", national_id="038085001789")
    BusinessFactory(organisation_name="Công ty Mẫu", tax_code="0100109106")
    client.force_login(OfficialFactory(role=Role.ADMIN))
    html = client.get("/lam-viec/cong-dan/").content.decode()
    assert "Nguyễn Văn An" in html and "Công ty Mẫu" in html
    assert "091****678" in html and "038******789" in html
    assert "0912345678" not in html and "038085001789" not in html
    assert "0100109106" in html  # enterprise tax codes are public


@pytest.mark.parametrize("query", ["Văn An", "0912 345 678", "+84912345678", "001789"])
def test_citizen_search(client, settings, query):
    settings.XASO_TWO_FACTOR_REQUIRED_ROLES = []  # administrators need a second factor otherwise
    target = CitizenFactory(full_name="Nguyễn Văn An", phone="0912345678", national_id="038085001789")
    CitizenFactory(full_name="Trần Thị Bích")
    client.force_login(OfficialFactory(role=Role.ADMIN))
    page = client.get("/lam-viec/cong-dan/", {"q": query}).context["page"]
    assert [u.pk for u in page] == [target.pk]


def test_citizen_search_forbidden_to_specialist_and_citizens(client):
    client.force_login(OfficialFactory(role=Role.SPECIALIST))
    assert client.get("/lam-viec/cong-dan/").status_code == 403
    client.force_login(CitizenFactory())
    assert client.get("/lam-viec/cong-dan/").status_code == 403


def test_opening_a_citizen_record_shows_full_data_and_is_audited(client, settings):
    settings.XASO_TWO_FACTOR_REQUIRED_ROLES = []  # administrators need a second factor otherwise
    citizen = CitizenFactory(phone="0912345678", national_id="038085001789")
    officer = OfficialFactory(role=Role.ADMIN, username="motcua1")
    client.force_login(officer)
    html = client.get(f"/lam-viec/cong-dan/{citizen_ref(citizen)}/").content.decode()
    assert "0912345678" in html and "038085001789" in html
    record = AuditRecord.objects.filter(action=AuditRecord.Action.READ).get()
    assert record.actor_username == "motcua1"
    assert record.object_id == str(citizen.pk)
    assert "national_id" in record.changes["fields"] and "phone" in record.changes["fields"]


def test_officials_are_not_citizen_records(client, settings):
    settings.XASO_TWO_FACTOR_REQUIRED_ROLES = []  # administrators need a second factor otherwise
    client.force_login(OfficialFactory(role=Role.ADMIN))
    other = OfficialFactory()
    assert client.get(f"/lam-viec/cong-dan/{citizen_ref(other)}/").status_code == 404


# --- demo data --------------------------------------------------------------------------------


def _snapshot():
    return (
        sorted(Unit.objects.values_list("code", "parent__code", "name", "identifier")),
        sorted(User.objects.values_list("username", "kind", "password", "phone", "national_id", "tax_code")),
        sorted(Membership.objects.values_list("user__username", "unit__code", "role", "position")),
        sorted(TOTPDevice.objects.values_list("user__username", "key")),
    )


def test_demo_load_is_idempotent_and_prints_accounts():
    out = io.StringIO()
    demo.load(out)
    first = _snapshot()
    demo.load(io.StringIO())
    assert _snapshot() == first
    text = out.getvalue()
    for username in ("admin", "chutich", "vhxh", "motcua", "chuyenvien", "truongphong"):
        assert username in text
    assert demo.DEMO_PASSWORD in text
    assert demo.totp_base32(demo.DEMO_TOTP_KEYS["admin"]) in text


def test_demo_accounts_match_the_contract():
    demo.load(io.StringIO())
    validate_password(demo.DEMO_PASSWORD)
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.has_perm("core.manage_people")
    chutich = User.objects.get(username="chutich")
    assert chutich.full_name == "Phan Thị Hà"
    assert set(chutich.memberships.values_list("role", flat=True)) == {Role.LEADER}
    ngoc_lien = Unit.objects.get(code="ngoc-lien")
    assert unit_ids_in_scope(chutich) == ngoc_lien.descendant_ids()
    assert not chutich.has_perm("core.view_unit", Unit.objects.get(code="ngoc-lac"))
    assert set(User.objects.get(username="vhxh").memberships.values_list("role", flat=True)) == {Role.STANDING_OFFICE, Role.SPECIALIST}
    assert User.objects.get(username="motcua").has_perm("core.search_citizens")
    assert User.objects.get(username="truongphong").memberships.get().role == Role.UNIT_HEAD
    assert Unit.objects.get(code="thanh-hoa").identifier == "000.00.00.H56"
    names = set(Unit.objects.filter(parent=ngoc_lien).values_list("name", flat=True))
    assert {"Văn phòng HĐND và UBND xã", "Phòng Văn hóa - Xã hội", "Phòng Kinh tế", "Trung tâm Phục vụ hành chính công",
            "Trung tâm Cung ứng dịch vụ công", "Trường Mầm non Ngọc Liên", "Trường Tiểu học Ngọc Liên", "Trường THCS Ngọc Liên"} <= names
    citizen = User.objects.get(phone="0912345678")
    assert citizen.kind == User.Kind.CITIZEN and is_valid_national_id(citizen.national_id)
    assert citizen.national_id.startswith("038")
    business = User.objects.get(kind=User.Kind.BUSINESS)
    assert is_valid_tax_code(business.tax_code) and is_valid_phone(business.phone)
    assert Unit.objects.filter(kind=Unit.Kind.COMMUNE).count() >= 3


def test_demo_leader_logs_in_with_the_printed_secret(client):
    demo.load(io.StringIO())
    client.post("/account/login/", {"login_view-current_step": "auth", "auth-username": "chutich", "auth-password": demo.DEMO_PASSWORD})
    code = f"{totp(bytes.fromhex(demo.DEMO_TOTP_KEYS['chutich'])):06d}"
    response = client.post("/account/login/", {"login_view-current_step": "token", "token-otp_token": code})
    assert response.status_code == 302
    assert client.get("/lam-viec/").status_code == 200
    assert client.get("/lam-viec/can-bo/").status_code == 200


# --- admin ------------------------------------------------------------------------------------


def test_admin_people_pages(client, settings):
    settings.XASO_TWO_FACTOR_REQUIRED_ROLES = []
    admin = OfficialFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    citizen = CitizenFactory(phone="0912345678", national_id="038085001789")
    client.force_login(admin)
    html = client.get("/quan-tri/core/user/").content.decode()
    assert "091****678" in html and "038******789" in html
    assert client.get(f"/quan-tri/core/user/{citizen.pk}/change/").status_code == 200
    assert client.get("/quan-tri/core/user/add/").status_code == 200
    response = client.post(
        "/quan-tri/core/user/add/",
        {"username": "canbo.moi", "full_name": "Cán bộ mới", "kind": "official", "password1": "Tre-xanh-2026!", "password2": "Tre-xanh-2026!", "usable_password": "true",
         "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert User.objects.get(username="canbo.moi").check_password("Tre-xanh-2026!")
    assert client.get("/quan-tri/core/unit/").status_code == 200
    assert client.get("/quan-tri/core/logincode/").status_code == 200


def test_admin_login_goes_through_the_staff_login(client):
    response = client.get("/quan-tri/login/?next=/quan-tri/")
    assert response.status_code == 302 and response.url.startswith("/account/login/")
