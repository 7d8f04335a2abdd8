"""Walking the product as each official of the demo commune: every menu link opens (no page
the user may not open is offered), every page an official sees is Vietnamese (the two-factor
step and the administration included), and the public pages speak for the commune."""
import io
import re

import pytest
from django.core.cache import cache
from django.test import Client

from xaso.catalog import demo as catalog_demo
from xaso.core import demo as core_demo
from xaso.core.models import User
from xaso.indicators import demo as indicators_demo
from xaso.plan import demo as plan_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def commune(settings):
    cache.clear()
    settings.XASO_TWO_FACTOR_REQUIRED_ROLES = []
    out = io.StringIO()
    core_demo.load(out)
    catalog_demo.load(out)
    plan_demo.load(out)
    indicators_demo.load(out)
    from xaso.core import refcache

    refcache.clear()
    yield
    cache.clear()


def login(username, otp=False):
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    user = User.objects.get(username=username)
    client.force_login(user)
    if otp:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        session = client.session
        session["otp_device_id"] = TOTPDevice.objects.get(user=user).persistent_id
        session.save()
    return client


NAV = re.compile(r"<nav\b[^>]*>(.*?)</nav>", re.S)
HREF = re.compile(r'href="(/[^"#?]*)"')


def menu_links(html):
    links = set()
    for block in NAV.findall(html):
        links |= set(HREF.findall(block))
    return {link for link in links if not link.startswith(("/static/", "/tra-cuu/"))}


@pytest.mark.parametrize("username", ["chutich", "vhxh", "truongphong", "chuyenvien", "motcua"])
def test_every_menu_link_opens(commune, username):
    client = login(username)
    seen = set()
    for start in ("/lam-viec/", "/ho-so/", "/ke-hoach/", "/chi-tieu/"):
        response = client.get(start, follow=True)
        assert response.status_code == 200, (username, start)
        for link in menu_links(response.content.decode()) - seen:
            seen.add(link)
            status = client.get(link, follow=True).status_code
            assert status == 200, f"{username}: the menu offers {link}, which answers {status}"
    assert seen


def test_the_chairmans_menus(commune):
    client = login("chutich")
    html = client.get("/ke-hoach/").content.decode() + client.get("/ho-so/").content.decode()
    links = menu_links(html)
    for forbidden in ("/ke-hoach/bao-cao/", "/ke-hoach/duyet/", "/ho-so/tiep-nhan/moi/", "/ho-so/tiep-nhan/"):
        assert forbidden not in links
    assert {"/ke-hoach/", "/chi-tieu/", "/ho-so/"} <= links
    # The standing office sees its review queue; the desk officer the counter intake.
    assert "/ke-hoach/duyet/" in menu_links(login("vhxh").get("/ke-hoach/", follow=True).content.decode())
    assert "/ho-so/tiep-nhan/moi/" in menu_links(login("motcua").get("/ho-so/").content.decode())


ENGLISH = [
    "Show counts", "Model name", "Add link", "Toggle theme", "Otp_", "Axes", "Tasks Database Backend", "Task Result",
    "TOTP device", "Static device", "The user that this device belongs to", "Throttling", "Access attempts", "Attempt Time",
    "Please enter", "Token", "Enqueued at", "Priority", "Auth Token",
]


def _visible(html):
    html = re.sub(r"<script.*?</script>|<style.*?</style>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_administration_is_vietnamese(commune):
    from django.contrib import admin
    from django.urls import reverse

    client = login("admin", otp=True)
    pages = [reverse("admin:index")]  # builds the URLs (the registry is final after that)
    for model in list(admin.site._registry):
        info = (model._meta.app_label, model._meta.model_name)
        pages.append(reverse("admin:%s_%s_changelist" % info))
        pages.append(reverse("admin:%s_%s_add" % info))
    checked = 0
    for url in pages:
        response = client.get(url)
        if response.status_code == 403:  # read-only records cannot be added by hand
            continue
        assert response.status_code == 200, url
        text = _visible(response.content.decode())
        found = [word for word in ENGLISH if word in text]
        assert not found, f"{url}: {found}"
        checked += 1
    assert checked > 40


def test_the_two_factor_step_is_vietnamese(commune):
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.get("/account/login/")
    response = client.post("/account/login/", {"login_view-current_step": "auth", "auth-username": "chutich", "auth-password": core_demo.DEMO_PASSWORD})
    text = _visible(response.content.decode())
    assert "ứng dụng xác thực" in text and "Mã xác thực" in text
    assert "Please enter" not in text and "Token" not in text
    response = client.post("/account/login/", {"login_view-current_step": "token", "token-otp_token": "12"})
    text = _visible(response.content.decode())
    assert "Please enter" not in text and "Token" not in text


def test_public_pages_speak_for_the_commune(commune, client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    header = re.search(r"<header.*?</header>", html, re.S).group(0)
    footer = re.search(r"<footer.*?</footer>", html, re.S).group(0)
    assert "Ủy ban nhân dân tỉnh Thanh Hóa" in header and "Ủy ban nhân dân xã Ngọc Liên" in header
    assert "Trung tâm Phục vụ hành chính công" in footer and "Đường dây nóng" in footer and "0237 3 000 000" in footer
    assert "Trụ sở UBND xã Ngọc Liên" in footer
    assert 'class="navbar navbar-expand-md navbar-dark public-header"' in html
    # The icon the browsers ask for.
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith(".ico")


def test_public_header_without_contact_data(db, client):
    # A commune whose centre has no address or hotline yet: the footer says what it knows.
    from xaso.core.models import Unit

    province = Unit.objects.create(kind=Unit.Kind.PROVINCE, code="tinh", name="Tỉnh Thanh Hóa")
    Unit.objects.create(kind=Unit.Kind.COMMUNE, code="xa", name="Xã Minh Sơn", parent=province)
    cache.clear()
    from xaso.core import refcache

    refcache.clear()
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Ủy ban nhân dân xã Minh Sơn" in html and "Đường dây nóng" not in html


def test_the_calendar_page_shows_the_culture_day_status(db, client):
    html = client.get("/lich-lam-viec/2026/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert 'id="culture-day"' in html and "28/2026/QH16" in html and "chưa được tính là ngày nghỉ" in html
    assert "9441/TB-BNV" in html and "Làm bù cho thứ Hai 31/08/2026" in html
    html = client.get("/lich-lam-viec/2027/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "28 tháng Chạp" in html and "theo quy tắc mặc định" in html
    html = client.get("/lich-lam-viec/2025/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "6150/TB-BLĐTBXH" in html and 'id="culture-day"' not in html
    assert client.get("/lich-lam-viec/1800/").status_code == 404


def test_the_culture_day_once_enacted(db, client, settings):
    settings.XASO_CALENDAR_EXTRA_HOLIDAYS = True
    html = client.get("/lich-lam-viec/2026/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert 'id="culture-day"' not in html and "Ngày Văn hóa Việt Nam" in html


def test_public_address_defaults_to_the_served_one(db, settings, monkeypatch):
    from xaso.core.site import public_base_url, served_url

    settings.XASO_PUBLIC_BASE_URL = ""
    monkeypatch.delenv("XASO_SERVED_URL", raising=False)
    assert public_base_url() == "http://127.0.0.1:8000"
    monkeypatch.setenv("XASO_SERVED_URL", served_url("10.0.0.5", 8080))
    assert public_base_url() == "http://10.0.0.5:8080"
    settings.XASO_PUBLIC_BASE_URL = "https://dichvucong.ngoclien.thanhhoa.gov.vn/"
    assert public_base_url() == "https://dichvucong.ngoclien.thanhhoa.gov.vn"
    assert served_url("::1", 8000) == "http://[::1]:8000"


def test_deploy_check_warns_without_a_public_address(settings):
    from xaso.core.site import check_public_base_url

    settings.DEBUG = False
    settings.XASO_PUBLIC_BASE_URL = ""
    assert [w.id for w in check_public_base_url()] == ["xaso.W002"]
    settings.XASO_PUBLIC_BASE_URL = "https://dichvucong.ngoclien.thanhhoa.gov.vn"
    assert check_public_base_url() == []
