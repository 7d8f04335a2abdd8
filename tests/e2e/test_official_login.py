"""An official with a commune-wide leader role logs in with a password and a TOTP code
(two-factor authentication is required for leaders) and lands on the workspace."""
import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from xaso.core.models import Position, Role
from xaso.core.tests.factories import OFFICIAL_PASSWORD, CommuneFactory, OfficialFactory

# A fixed key, as the official's authenticator app would hold it after scanning the QR code.
# django-two-factor-auth asks for the code of the device named "default" (what its setup creates).
TOTP_KEY = "3132333435363738393031323334353637383930"


def current_token(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):0{device.digits}d}"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.browser_context_args(locale="vi-VN")
def test_leader_logs_in_with_password_and_totp_and_reaches_the_workspace(live_server, page):
    commune = CommuneFactory(name="Xã Ngọc Liên")
    leader = OfficialFactory(
        username="chutich", full_name="Lê Văn Chủ Tịch", unit=commune, role=Role.LEADER, position=Position.CHAIRMAN
    )
    device = TOTPDevice.objects.create(user=leader, name="default", key=TOTP_KEY, confirmed=True)

    page.goto(f"{live_server.url}/account/login/")
    page.fill("#id_auth-username", "chutich")
    page.fill("#id_auth-password", OFFICIAL_PASSWORD)
    page.locator("form button[type=submit].btn-primary").click()

    # Second step: the authenticator code.
    token_field = page.locator("#id_token-otp_token")
    expect(token_field).to_be_visible()
    token_field.fill(current_token(device))
    page.locator("form button[type=submit].btn-primary").click()

    expect(page).to_have_url(f"{live_server.url}/lam-viec/")
    expect(page.locator("header")).to_contain_text("Lê Văn Chủ Tịch")
    device.refresh_from_db()
    assert device.last_t > -1  # the code was checked against this device (and cannot be replayed)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.browser_context_args(locale="vi-VN")
def test_leader_with_a_wrong_code_stays_on_the_login_page(live_server, page):
    commune = CommuneFactory()
    leader = OfficialFactory(username="phochutich", unit=commune, role=Role.LEADER, position=Position.VICE_CHAIRMAN)
    device = TOTPDevice.objects.create(user=leader, name="default", key=TOTP_KEY, confirmed=True)
    wrong = f"{(int(current_token(device)) + 1) % 10**device.digits:0{device.digits}d}"

    page.goto(f"{live_server.url}/lam-viec/")
    expect(page).to_have_url(re.compile(r"/account/login/"))
    page.fill("#id_auth-username", "phochutich")
    page.fill("#id_auth-password", OFFICIAL_PASSWORD)
    page.locator("form button[type=submit].btn-primary").click()
    page.locator("#id_token-otp_token").fill(wrong)
    page.locator("form button[type=submit].btn-primary").click()

    expect(page).to_have_url(re.compile(r"/account/login/"))
    expect(page.locator("#id_token-otp_token")).to_be_visible()
    expect(page.locator(".invalid-feedback, .alert-danger").first).to_be_visible()
    # Without the second factor the workspace stays closed.
    page.goto(f"{live_server.url}/lam-viec/")
    expect(page).to_have_url(re.compile(r"/account/login/\?next=/lam-viec/$"))
