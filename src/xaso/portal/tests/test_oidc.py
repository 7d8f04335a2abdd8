"""National identity login (OpenID Connect, authorization code + PKCE + nonce) against a
local test provider (oidc-provider-mock in a thread): account matched on the personal
identification number, identity level stored and carried to the national-portal payload;
and the failure paths: state mismatch, nonce mismatch, expired (or replayed) code, a
second account with the same number, an official, a provider that does not answer."""
import base64
import hashlib
import os
from urllib.parse import parse_qs, urlparse

import requests
import pytest
from django.test import Client
from django.urls import reverse

from xaso.core.models import User
from xaso.portal.models import NationalIdentity

pytestmark = pytest.mark.django_db

ID = "038190012345"


@pytest.fixture(scope="module")
def provider():
    os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")
    from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread(require_nonce=True) as server:
        base = f"http://localhost:{server.server_port}"
        config = requests.get(f"{base}/.well-known/openid-configuration", timeout=10).json()
        yield base, config


@pytest.fixture
def oidc(settings, provider, commune):
    base, config = provider
    settings.XASO_OIDC_ISSUER = config["issuer"]
    settings.OIDC_RP_CLIENT_ID = "xaso-test"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = config["authorization_endpoint"]
    settings.OIDC_OP_TOKEN_ENDPOINT = config["token_endpoint"]
    settings.OIDC_OP_USER_ENDPOINT = config["userinfo_endpoint"]
    settings.OIDC_OP_JWKS_ENDPOINT = config["jwks_uri"]
    settings.XASO_OIDC_LEVEL_CLAIM = "level"
    return base


def set_user(base, sub, **claims):
    r = requests.put(f"{base}/users/{sub}", json={"name": "Đinh Thị Hạnh", "level": "2", **claims}, timeout=10)
    assert r.status_code == 204


def start(client):
    r = client.get(reverse("oidc_authentication_init"))
    assert r.status_code == 302
    return r["Location"]


def authorize(location, sub):
    """The person logs in at the provider: the provider's answer (our callback URL)."""
    r = requests.post(location, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert r.status_code == 302, r.text
    return r.headers["Location"]


def callback(client, url):
    parsed = urlparse(url)
    return client.get(parsed.path, parse_qs(parsed.query) and {k: v[0] for k, v in parse_qs(parsed.query).items()})


def login(client, base, sub=ID):
    return callback(client, authorize(start(client), sub))


def messages(response):
    return [str(m) for m in response.wsgi_request._messages]


def test_request_uses_pkce_s256_state_and_nonce(client, oidc):
    q = parse_qs(urlparse(start(client)).query)
    assert q["code_challenge_method"] == ["S256"] and len(q["code_challenge"][0]) == 43
    state = q["state"][0]
    stored = client.session["oidc_states"][state]
    assert stored["nonce"] == q["nonce"][0]
    expected = base64.urlsafe_b64encode(hashlib.sha256(stored["code_verifier"].encode()).digest()).rstrip(b"=").decode()
    assert q["code_challenge"][0] == expected
    assert q["scope"] == ["openid profile"]


def test_first_login_creates_a_verified_citizen(client, oidc):
    set_user(oidc, ID)
    r = login(client, oidc)
    assert r.status_code == 302 and r["Location"] == reverse("portal:profile")
    user = User.objects.get(national_id=ID)
    assert user.kind == User.Kind.CITIZEN and user.full_name == "Đinh Thị Hạnh" and user.identity_verified
    link = NationalIdentity.objects.get(user=user)
    assert link.level == 2 and link.id_number == ID and link.subject == ID
    assert int(client.session["_auth_user_id"]) == user.pk
    assert "mức 2" in messages(r)[0]
    assert "VNeID, mức 2" in client.get(reverse("portal:profile")).content.decode()


def test_matches_the_existing_account_on_the_number_and_feeds_the_portal(client, oidc, commune, birth):
    set_user(oidc, commune.citizen.national_id, level="1")
    login(client, oidc, sub=commune.citizen.national_id)
    assert int(client.session["_auth_user_id"]) == commune.citizen.pk
    commune.citizen.refresh_from_db()
    assert commune.citizen.identity_verified and commune.citizen.national_identity.level == 1
    # The dossiers this account submits carry "verified with VNeID" to the national portal.
    from .helpers import submitted

    d = submitted(commune.citizen, birth)
    assert d.vneid_verified and d.sync_jobs.last().payload["TaiKhoanDuocXacThucVoiVNeID"] is True


def test_level_below_the_minimum_is_stored_but_not_verified(client, oidc, settings):
    settings.XASO_OIDC_VERIFIED_MIN_LEVEL = 2
    set_user(oidc, ID, level="1")
    login(client, oidc)
    user = User.objects.get(national_id=ID)
    assert not user.identity_verified and user.national_identity.level == 1


def test_state_mismatch(client, oidc):
    set_user(oidc, ID)
    url = authorize(start(client), ID).replace("state=", "state=x")
    r = callback(client, url)
    assert r["Location"] == reverse("portal:citizen_login")
    assert "Không kiểm tra được phiên đăng nhập" in messages(r)[0]
    assert "_auth_user_id" not in client.session and not User.objects.filter(national_id=ID).exists()


def test_nonce_mismatch(client, oidc):
    set_user(oidc, ID)
    location = start(client)
    state = parse_qs(urlparse(location).query)["state"][0]
    session = client.session
    session["oidc_states"][state]["nonce"] = "not-the-nonce-sent"
    session.save()
    r = callback(client, authorize(location, ID))
    assert r["Location"] == reverse("portal:citizen_login")
    assert "Không kiểm tra được kết quả" in messages(r)[0]
    assert not User.objects.filter(national_id=ID).exists()


def test_expired_or_replayed_code(client, oidc):
    set_user(oidc, ID)
    first = authorize(start(client), ID)
    assert callback(client, first)["Location"] == reverse("portal:profile")
    client.post(reverse("core:logout"))
    # The provider no longer honours that code (used once, or expired): a new login that
    # presents it is refused.
    fresh = urlparse(authorize(start(client), ID))
    state = parse_qs(fresh.query)["state"][0]
    old_code = parse_qs(urlparse(first).query)["code"][0]
    r = client.get(fresh.path, {"code": old_code, "state": state})
    assert r["Location"] == reverse("portal:citizen_login")
    assert any("hết hạn hoặc đã được dùng" in m for m in messages(r))
    assert "_auth_user_id" not in client.session


def test_second_account_with_the_same_number(client, oidc, commune):
    """A citizen logged in by phone (no number yet) links VNeID with a number that belongs to
    another account: refused, nothing linked or merged."""
    set_user(oidc, commune.citizen.national_id)
    logged = Client()
    logged.force_login(commune.other, backend="django.contrib.auth.backends.ModelBackend")
    commune.other.national_id = None
    commune.other.save()
    r = callback(logged, authorize(start(logged), commune.citizen.national_id))
    assert r["Location"] == reverse("portal:citizen_login")
    assert "đã gắn với một tài khoản khác" in messages(r)[0]
    commune.other.refresh_from_db()
    assert commune.other.national_id is None and not NationalIdentity.objects.exists()


def test_linking_while_logged_in_by_phone(client, oidc, commune):
    commune.other.national_id = None
    commune.other.save()
    set_user(oidc, ID)
    client.force_login(commune.other, backend="django.contrib.auth.backends.ModelBackend")
    login(client, oidc)
    commune.other.refresh_from_db()
    assert commune.other.national_id == ID and commune.other.identity_verified
    assert int(client.session["_auth_user_id"]) == commune.other.pk


def test_an_official_is_never_logged_in_this_way(client, oidc, commune):
    commune.reception.national_id = ID
    commune.reception.save()
    set_user(oidc, ID)
    r = login(client, oidc)
    assert r["Location"] == reverse("portal:citizen_login") and "Cán bộ đăng nhập" in messages(r)[0]
    assert "_auth_user_id" not in client.session


def test_invalid_number_claim(client, oidc):
    set_user(oidc, "not-a-number")
    r = login(client, oidc, sub="not-a-number")
    assert r["Location"] == reverse("portal:citizen_login") and "số định danh cá nhân hợp lệ" in messages(r)[0]


def test_provider_down(client, oidc, settings):
    set_user(oidc, ID)
    url = authorize(start(client), ID)
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/token"
    r = callback(client, url)
    assert r["Location"] == reverse("portal:citizen_login") and "không phản hồi" in messages(r)[0]


def test_denied_at_the_provider(client, oidc):
    location = start(client)
    r = requests.post(location, data={"action": "deny"}, allow_redirects=False, timeout=10)
    resp = callback(client, r.headers["Location"])
    assert resp["Location"] == reverse("portal:citizen_login") and "hủy đăng nhập" in messages(resp)[0]


def test_off_without_configuration(client, settings):
    settings.OIDC_RP_CLIENT_ID = ""
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert "VNeID" not in client.get(reverse("portal:citizen_login")).content.decode()
