"""Citizen and business login with phone number + one-time SMS code."""
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from xaso.core import services
from xaso.core.models import LoginCode, User
from xaso.core.tests.factories import BusinessFactory, CitizenFactory, OfficialFactory
from xaso.notifications.models import Message

pytestmark = pytest.mark.django_db

LOGIN = "/dang-nhap/"
CODE = "/dang-nhap/ma/"


@pytest.fixture(autouse=True)
def _clean(settings):
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    cache.clear()
    yield
    cache.clear()


def sent_code(phone="0912345678"):
    message = Message.objects.filter(recipient=phone, channel="sms").order_by("-pk").first()
    assert message is not None, "no SMS queued"
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def ask(client, phone="0912 345 678", remote_addr="127.0.0.1", **data):
    return client.post(LOGIN, {"phone": phone, **data}, REMOTE_ADDR=remote_addr)


def test_first_login_creates_a_citizen_account(client):
    response = ask(client, "+84 912 345 678")
    assert response.status_code == 302 and response.url == CODE
    login_code = LoginCode.objects.get()
    assert login_code.phone == "0912345678"
    code = sent_code()
    assert code not in login_code.code_hash  # only a hash is stored
    assert login_code.expires_at - login_code.created_at <= timedelta(seconds=300 + 1)
    page = client.get(CODE).content.decode()
    assert "091****678" in page and "0912345678" not in page
    response = client.post(CODE, {"code": code})
    assert response.status_code == 302 and response.url == "/tai-khoan/"
    user = User.objects.get(phone="0912345678")
    assert user.kind == User.Kind.CITIZEN and not user.has_usable_password()
    assert int(client.session["_auth_user_id"]) == user.pk


def test_existing_citizen_logs_in_without_duplicate(client):
    citizen = CitizenFactory(phone="0912345678")
    ask(client)
    client.post(CODE, {"code": sent_code()})
    assert int(client.session["_auth_user_id"]) == citizen.pk
    assert User.objects.filter(phone="0912345678").count() == 1


def test_wrong_code_counts_attempts_then_locks_the_code(client):
    ask(client)
    code = sent_code()
    wrong = "000000" if code != "000000" else "111111"
    for i in range(1, services.OTP_MAX_ATTEMPTS):
        response = client.post(CODE, {"code": wrong})
        assert response.status_code == 200 and "_auth_user_id" not in client.session
        assert LoginCode.objects.get().attempts == i
    client.post(CODE, {"code": wrong})
    # Five wrong attempts: even the right code is now refused.
    response = client.post(CODE, {"code": code})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "request a new code" in response.content.decode().lower() or "mã mới" in response.content.decode().lower()


def test_expired_code_refused(client):
    ask(client)
    code = sent_code()
    LoginCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(CODE, {"code": code})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_code_works_once(client):
    ask(client)
    code = sent_code()
    client.post(CODE, {"code": code})
    assert "_auth_user_id" in client.session
    client.logout()
    with pytest.raises(services.LoginCodeError):
        services.verify_login_code("0912345678", code)


def test_new_code_replaces_the_old_one(client):
    ask(client)
    first = sent_code()
    ask(client)
    second = sent_code()
    if first != second:
        with pytest.raises(services.LoginCodeError):
            services.verify_login_code("0912345678", first)
    assert services.verify_login_code("0912345678", second)[0].phone == "0912345678"


def test_invalid_phone_gets_a_field_error(client):
    response = ask(client, "0212345678")
    assert response.status_code == 200
    assert response.context["form"].errors["phone"]
    assert not LoginCode.objects.exists()
    html = response.content.decode()
    assert 'aria-describedby="id_phone_help id_phone_error"' in html and 'id="id_phone_error"' in html


def test_rate_limit_per_phone(client, settings):
    settings.XASO_OTP_RATE_PER_PHONE = ["3/15m", "10/d"]
    for _ in range(3):
        assert ask(client).status_code == 302
    response = ask(client)
    assert response.status_code == 200
    assert response.context["form"].errors["phone"]
    assert LoginCode.objects.count() == 3
    # Another number from the same address is not affected.
    assert ask(client, "0987654321").status_code == 302


def test_rate_limit_per_ip(client, settings):
    settings.XASO_OTP_RATE_PER_IP = "2/h"
    assert ask(client, "0912345671").status_code == 302
    assert ask(client, "0912345672").status_code == 302
    response = ask(client, "0912345673")
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert ask(client, "0912345673", remote_addr="10.2.2.2").status_code == 302


def test_no_enumeration_official_phone_gets_same_answer_but_no_code(client):
    OfficialFactory(phone="0912345678")
    unknown = ask(client, "0987654321")
    official = ask(client, "0912345678")
    assert unknown.status_code == official.status_code == 302 and unknown.url == official.url
    assert not Message.objects.filter(recipient="0912345678").exists()
    # And no code can log an official in through the portal.
    response = client.post(CODE, {"code": "123456"})
    assert "_auth_user_id" not in client.session and response.status_code == 200


def test_business_account_created_with_tax_code(client):
    response = ask(client, "0987654321", business="on", tax_code="0100109106", organisation_name="Công ty Mẫu")
    assert response.status_code == 302
    client.post(CODE, {"code": sent_code("0987654321")})
    user = User.objects.get(phone="0987654321")
    assert user.kind == User.Kind.BUSINESS
    assert user.tax_code == "0100109106" and user.organisation_name == "Công ty Mẫu"


def test_business_needs_valid_tax_code_and_name(client):
    response = ask(client, "0987654321", business="on", tax_code="0100109107", organisation_name="")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "tax_code" in errors and "organisation_name" in errors
    assert not LoginCode.objects.exists()


def test_business_tax_code_taken_by_another_account(client):
    BusinessFactory(tax_code="0100109106")
    ask(client, "0987654321", business="on", tax_code="0100109106", organisation_name="Công ty Khác")
    response = client.post(CODE, {"code": sent_code("0987654321")})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert not User.objects.filter(phone="0987654321").exists()


def test_code_page_without_pending_login_goes_back(client):
    assert client.get(CODE).url == LOGIN


# --- profile ----------------------------------------------------------------------------------


def test_profile_update_validates_national_id(client):
    citizen = CitizenFactory(national_id=None)
    client.force_login(citizen)
    response = client.post("/tai-khoan/", {"full_name": "Nguyễn Văn An", "national_id": "003085001234", "address": "", "email": ""})
    assert response.status_code == 200 and "national_id" in response.context["form"].errors
    response = client.post(
        "/tai-khoan/",
        {"full_name": "Nguyễn Văn An", "national_id": "038 085 001 999", "date_of_birth": "1985-03-12", "address": "Thôn 1", "email": "an@example.com"},
    )
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.national_id == "038085001999" and citizen.full_name == "Nguyễn Văn An"
    page = client.get("/tai-khoan/").content.decode()
    assert "038******999" in page


def test_profile_birth_year_must_match_national_id(client):
    citizen = CitizenFactory(national_id=None)
    client.force_login(citizen)
    response = client.post("/tai-khoan/", {"full_name": "A", "national_id": "038085001999", "date_of_birth": "1990-01-01"})
    assert response.status_code == 200 and "date_of_birth" in response.context["form"].errors


def test_profile_national_id_unique(client):
    CitizenFactory(national_id="038085001999")
    citizen = CitizenFactory(national_id=None)
    client.force_login(citizen)
    response = client.post("/tai-khoan/", {"full_name": "A", "national_id": "038085001999"})
    assert response.status_code == 200 and "national_id" in response.context["form"].errors


def test_profile_requires_login_and_sends_officials_away(client):
    assert client.get("/tai-khoan/").url.startswith(LOGIN)
    client.force_login(OfficialFactory())
    assert client.get("/tai-khoan/").url == "/lam-viec/"
