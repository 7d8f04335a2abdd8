"""Staff login: password + TOTP (mandatory for leaders/administrators), backup codes, lockout
per account and per IP, strong passwords, POST-only logout, API tokens."""
import base64
import io

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from xaso.core.models import AuditRecord, Position, Role

from .factories import OFFICIAL_PASSWORD, CitizenFactory, CommuneFactory, OfficialFactory

pytestmark = pytest.mark.django_db

LOGIN = "/account/login/"
WORKSPACE = "/lam-viec/"


@pytest.fixture(autouse=True)
def _clean(settings):
    # Pages render without a collectstatic manifest.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    cache.clear()
    yield
    cache.clear()


def password_step(client, username, password=OFFICIAL_PASSWORD, **extra):
    return client.post(
        LOGIN, {"login_view-current_step": "auth", "auth-username": username, "auth-password": password}, **extra
    )


def token_step(client, token):
    return client.post(LOGIN, {"login_view-current_step": "token", "token-otp_token": token})


def code_of(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def leader():
    return OfficialFactory(username="leader", unit=CommuneFactory(), role=Role.LEADER, position=Position.CHAIRMAN)


# --- two-factor -------------------------------------------------------------------------------


def test_specialist_logs_in_with_password_only(client):
    OfficialFactory(username="cv", role=Role.SPECIALIST)
    response = password_step(client, "cv")
    assert response.status_code == 302 and response.url == reverse("core:workspace")
    assert client.get(WORKSPACE).status_code == 200


def test_leader_without_device_is_sent_to_setup(client, leader):
    password_step(client, "leader")
    response = client.get(WORKSPACE)
    assert response.status_code == 302 and response.url == reverse("two_factor:setup")
    # Nothing else is reachable either, except the 2FA pages and logout.
    assert client.get("/lam-viec/can-bo/").url == reverse("two_factor:setup")
    assert client.get(reverse("two_factor:setup")).status_code == 200


def test_leader_whose_only_device_is_not_the_default_is_sent_to_setup_not_back_to_login(client, leader):
    TOTPDevice.objects.create(user=leader, name="phone", confirmed=True)
    password_step(client, "leader")
    response = client.get(WORKSPACE)
    assert response.status_code == 302 and response.url == reverse("two_factor:setup")
    assert client.get(reverse("two_factor:setup")).status_code == 200


def test_leader_sets_up_totp_then_reaches_workspace(client, leader):
    password_step(client, "leader")
    setup = reverse("two_factor:setup")
    client.get(setup)
    assert client.post(setup, {"setup_view-current_step": "welcome"}).status_code == 200
    b32 = client.session["django_two_factor-qr_secret_key"]
    device = TOTPDevice(key=base64.b32decode(b32).hex())
    response = client.post(setup, {"setup_view-current_step": "generator", "generator-token": code_of(device)})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert TOTPDevice.objects.filter(user=leader, confirmed=True).exists()
    assert client.get(WORKSPACE).status_code == 200


def test_leader_with_device_must_give_the_code(client, leader):
    device = TOTPDevice.objects.create(user=leader, name="default", confirmed=True)
    response = password_step(client, "leader")
    assert response.status_code == 200  # the token step
    assert "token-otp_token" in response.content.decode()
    assert client.get(WORKSPACE).status_code == 302  # not logged in yet
    assert token_step(client, "000000" if code_of(device) != "000000" else "111111").status_code == 200  # wrong code
    # django-otp throttles a device after a failure (1 s, doubling); skip the wait.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    response = token_step(client, code_of(device))
    assert response.status_code == 302
    assert client.get(WORKSPACE).status_code == 200


def test_backup_code_logs_in_once(client, leader):
    TOTPDevice.objects.create(user=leader, name="default", confirmed=True)
    backup = StaticDevice.objects.create(user=leader, name="backup")
    backup.token_set.create(token="abcd1234")
    password_step(client, "leader")
    client.post(LOGIN, {"wizard_goto_step": "backup"})
    response = client.post(LOGIN, {"login_view-current_step": "backup", "backup-otp_token": "abcd1234"})
    assert response.status_code == 302
    assert client.get(WORKSPACE).status_code == 200
    assert not backup.token_set.exists()  # used up
    client.post("/dang-xuat/")
    password_step(client, "leader")
    client.post(LOGIN, {"wizard_goto_step": "backup"})
    response = client.post(LOGIN, {"login_view-current_step": "backup", "backup-otp_token": "abcd1234"})
    assert response.status_code == 200  # refused the second time
    assert client.get(WORKSPACE).status_code == 302


def test_unverified_leader_api_session_gets_403_json(client, leader):
    password_step(client, "leader")
    response = client.get("/api/v1/schema/")
    assert response.status_code == 403
    assert "detail" in response.json()


def test_two_factor_pages_use_our_layout(client):
    html = client.get(LOGIN).content.decode()
    assert 'lang="vi"' in html
    assert "vendor/bootstrap/css/bootstrap.min.css" in html
    assert "cdnjs" not in html and "Provide a template named" not in html
    assert 'name="auth-username"' in html


# --- lockout ----------------------------------------------------------------------------------


def test_lockout_per_account_refuses_the_right_password_from_another_ip(client, settings):
    OfficialFactory(username="victim")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        password_step(client, "victim", "Wrong-password-1", REMOTE_ADDR="10.0.0.1")
    response = password_step(client, "victim", REMOTE_ADDR="10.0.0.2")
    assert response.status_code in (403, 429)
    assert "core/lockout.html" in [t.name for t in response.templates]
    assert client.get(WORKSPACE, REMOTE_ADDR="10.0.0.2").status_code == 302  # not logged in
    # Other accounts are not locked by the account lockout (from an address with no failures).
    OfficialFactory(username="other")
    assert password_step(client, "other", REMOTE_ADDR="10.0.0.3").status_code == 302


def test_lockout_per_ip_blocks_every_account_from_that_ip(client, settings):
    OfficialFactory(username="target")
    for i in range(settings.AXES_FAILURE_LIMIT):
        password_step(client, f"nobody{i}", "Wrong-password-1", REMOTE_ADDR="10.9.9.9")
    response = password_step(client, "target", REMOTE_ADDR="10.9.9.9")
    assert response.status_code in (403, 429)
    assert "core/lockout.html" in [t.name for t in response.templates]
    # The same account from another address still works: the IP was locked, not the account.
    assert password_step(client, "target", REMOTE_ADDR="10.1.1.1").status_code == 302


def test_failures_below_the_limit_do_not_lock(client, settings):
    OfficialFactory(username="careless")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        password_step(client, "careless", "Wrong-password-1")
    assert password_step(client, "careless").status_code == 302


# --- passwords and logout ---------------------------------------------------------------------


@pytest.mark.parametrize("weak", ["short1A!", "1234567890123", "password123", "alllowercaseletters", "Ngoclienabc"])
def test_weak_passwords_refused(weak):
    with pytest.raises(ValidationError):
        validate_password(weak)


def test_strong_password_accepted():
    validate_password("NgocLien@2026")
    validate_password("Tre-xanh-Ngoc-Lien")


def test_logout_is_post_only(client):
    OfficialFactory(username="cv")
    password_step(client, "cv")
    assert client.get("/dang-xuat/").status_code == 405
    assert client.get(WORKSPACE).status_code == 200
    client.post("/dang-xuat/")
    assert client.get(WORKSPACE).status_code == 302


# --- citizens never reach staff pages ---------------------------------------------------------


@pytest.mark.parametrize("path", ["/lam-viec/", "/lam-viec/can-bo/", "/lam-viec/cong-dan/"])
def test_citizen_blocked_from_staff_pages(client, path):
    citizen = CitizenFactory()
    client.force_login(citizen)
    assert client.get(path).status_code == 403


def test_citizen_cannot_use_the_staff_login(client):
    citizen = CitizenFactory(username="dan-0911111111")
    response = password_step(client, citizen.username, "")
    assert response.status_code == 200  # form error, no login
    assert "_auth_user_id" not in client.session


def test_citizen_cannot_reach_admin(client):
    client.force_login(CitizenFactory())
    response = client.get("/quan-tri/")
    assert response.status_code == 302 and "/login/" in response.url


# --- API tokens -------------------------------------------------------------------------------


def test_apitoken_command_prints_and_resets_and_audits(leader):
    out = io.StringIO()
    call_command("apitoken", "leader", stdout=out, stderr=io.StringIO())
    key = out.getvalue().strip()
    assert Token.objects.get(user=leader).key == key
    out2 = io.StringIO()
    call_command("apitoken", "leader", stdout=out2, stderr=io.StringIO())
    assert out2.getvalue().strip() == key  # same token until reset
    out3 = io.StringIO()
    call_command("apitoken", "leader", "--reset", stdout=out3, stderr=io.StringIO())
    assert out3.getvalue().strip() != key
    verbs = list(AuditRecord.objects.filter(verb__startswith="api_token").values_list("verb", flat=True))
    assert verbs == ["api_token_issued", "api_token_shown", "api_token_reset"]


def test_apitoken_unknown_user():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("apitoken", "nobody", stdout=io.StringIO())


def test_token_bypasses_2fa_only_for_the_api(client, leader):
    token = Token.objects.create(user=leader)
    # A token alone: the API answers.
    assert client.get("/api/v1/schema/", HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 200
    # With an unverified leader's session too: the token request still passes…
    password_step(client, "leader")
    assert client.get("/api/v1/schema/", HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 200
    # …but a bogus token does not, and the header is ignored on HTML pages.
    assert client.get("/api/v1/schema/", HTTP_AUTHORIZATION="Token not-a-real-token").status_code == 403
    response = client.get(WORKSPACE, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 302 and response.url == reverse("two_factor:setup")


def test_leader_cannot_disable_two_factor_but_a_specialist_can(client, leader):
    device = TOTPDevice.objects.create(user=leader, name="default", confirmed=True)
    password_step(client, "leader")
    token_step(client, code_of(device))
    disable = reverse("two_factor:disable")
    response = client.post(disable, {"understand": "on"})
    assert response.status_code == 403
    assert "core/two_factor_mandatory.html" in [t.name for t in response.templates]
    assert TOTPDevice.objects.filter(user=leader).exists()

    client.post("/dang-xuat/")
    specialist = OfficialFactory(username="cv2", role=Role.SPECIALIST)
    own = TOTPDevice.objects.create(user=specialist, name="default", confirmed=True)
    password_step(client, "cv2")
    token_step(client, code_of(own))
    assert client.get(disable).status_code == 200


def test_security_page_hides_disable_for_mandatory_roles(client, leader):
    device = TOTPDevice.objects.create(user=leader, name="default", confirmed=True)
    password_step(client, "leader")
    token_step(client, code_of(device))
    html = client.get(reverse("two_factor:profile")).content.decode()
    assert reverse("two_factor:disable") not in html
    assert reverse("two_factor:backup_tokens") in html


def test_backup_tokens_page_generates_ten_codes_that_log_in(client, leader):
    device = TOTPDevice.objects.create(user=leader, name="default", confirmed=True)
    password_step(client, "leader")
    token_step(client, code_of(device))
    url = reverse("two_factor:backup_tokens")
    assert client.get(url).status_code == 200
    client.post(url)
    tokens = list(StaticDevice.objects.get(user=leader, name="backup").token_set.values_list("token", flat=True))
    assert len(tokens) == 10 and len(set(tokens)) == 10
    html = client.get(url).content.decode()
    assert all(t in html for t in tokens)
    client.post("/dang-xuat/")
    password_step(client, "leader")
    client.post(LOGIN, {"wizard_goto_step": "backup"})
    assert client.post(LOGIN, {"login_view-current_step": "backup", "backup-otp_token": tokens[3]}).status_code == 302
    assert client.get(WORKSPACE).status_code == 200
