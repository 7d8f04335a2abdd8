"""Regressions found by walking through the running product as its users."""
import re

import pytest
from django.core.cache import cache

from xaso.core.tests.factories import BusinessFactory, CitizenFactory, OfficialFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean():
    cache.clear()
    yield
    cache.clear()


def _attr(html, element_id, name):
    tag = re.search(r'<(?:input|select|textarea)[^>]*\bid="%s"[^>]*>' % re.escape(element_id), html)
    assert tag, f"no element #{element_id}"
    value = re.search(r'\b%s="([^"]*)"' % re.escape(name), tag.group(0))
    return value.group(1) if value else None


def test_business_can_rename_itself_on_the_profile_page(client):
    # The form used to validate itself while being built, before the business name field
    # existed: the new name was silently dropped.
    business = BusinessFactory(organisation_name="Công ty Cũ")
    client.force_login(business)
    response = client.post("/tai-khoan/", {"full_name": "Trần Văn Bình", "organisation_name": "Công ty Mới", "address": "", "email": ""})
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    business.refresh_from_db()
    assert business.organisation_name == "Công ty Mới"


def test_business_name_is_required_on_the_profile_page(client):
    business = BusinessFactory(organisation_name="Công ty Cũ")
    client.force_login(business)
    response = client.post("/tai-khoan/", {"full_name": "Trần Văn Bình", "organisation_name": "", "address": "", "email": ""})
    assert response.status_code == 200 and "organisation_name" in response.context["form"].errors
    business.refresh_from_db()
    assert business.organisation_name == "Công ty Cũ"


def test_profile_error_is_linked_to_its_field(client):
    client.force_login(CitizenFactory(national_id=None))
    html = client.post("/tai-khoan/", {"full_name": "A", "national_id": "123"}).content.decode()
    described = (_attr(html, "id_national_id", "aria-describedby") or "").split()
    assert "id_national_id_error" in described and "id_national_id_help" in described
    assert 'id="id_national_id_error"' in html
    assert _attr(html, "id_national_id", "aria-invalid") == "true"


def test_login_error_is_linked_to_its_field(client):
    html = client.post("/dang-nhap/", {"phone": "12"}).content.decode()
    assert "id_phone_error" in (_attr(html, "id_phone", "aria-describedby") or "").split()
    assert 'id="id_phone_error"' in html


def test_home_page_leads_to_the_catalogue_lookup_and_logins(client):
    from xaso.catalog.tests.conftest import FIXTURE
    from xaso.catalog.importer import import_file

    from xaso.catalog.models import Procedure

    assert import_file(FIXTURE).ok
    Procedure.objects.filter(code="1.001193").update(is_frequent=True)
    html = client.get("/").content.decode()
    assert 'href="/thu-tuc/linh-vuc/ho-tich/"' in html  # browse by field
    assert 'href="/tra-cuu/"' in html  # dossier status lookup
    assert 'href="/dang-nhap/"' in html  # citizen login, also outside the collapsed menu
    assert 'href="/thu-tuc/1.001193/"' in html  # a frequently used procedure


def test_public_pages_make_no_favicon_request(client):
    # Without an icon link every page load asks for /favicon.ico and gets a 404.
    html = client.get("/").content.decode()
    assert re.search(r'<link rel="icon" href="[^"]+"', html)


def test_staff_menu_reaches_the_other_workspaces(client):
    client.force_login(OfficialFactory())
    html = client.get("/lam-viec/").content.decode()
    for url in ("/ho-so/", "/ke-hoach/", "/chi-tieu/", "/thu-tuc/"):
        assert f'href="{url}"' in html, url
    # The reception desk only for reception officers (a menu shows what the user may open).
    assert 'href="/ho-so/tiep-nhan/"' not in html


def test_public_menu_offers_dossier_lookup(client):
    html = client.get("/thu-tuc/").content.decode()
    assert 'href="/tra-cuu/"' in html


def test_api_reference_pages_load_nothing_from_outside(client):
    for url in ("/api/v1/docs/", "/api/v1/redoc/"):
        html = client.get(url).content.decode()
        assert "googleapis" not in html and "cdn." not in html, url
    # Redoc's bundle itself fetches an image from its CDN: the page's policy forbids it.
    policy = client.get("/api/v1/redoc/")["Content-Security-Policy"]
    assert "img-src 'self' data: blob:" in policy and "cdn." not in policy


def test_admin_is_branded_for_the_commune(rf):
    from django.contrib import admin

    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/quan-tri/")
    request.user = AnonymousUser()
    context = admin.site.each_context(request)
    from django.contrib.admin import AdminSite

    for key in ("site_header", "site_title"):
        # Our own title (translated into whatever language is active), not Django's default.
        assert getattr(admin.site, key) is not getattr(AdminSite, key)
        assert str(context[key]) == str(getattr(admin.site, key)) and "Django" not in str(context[key])
    assert "Django" not in str(admin.site.index_title)


def test_error_pages_are_in_our_layout_and_vietnamese(client, settings):
    settings.LANGUAGE_CODE = "vi"
    response = client.get("/khong-ton-tai/")
    html = response.content.decode()
    assert response.status_code == 404 and '<html lang="vi">' in html
    assert "Không tìm thấy trang" in html and 'href="/thu-tuc/"' in html


def test_access_denied_page_is_in_our_layout(client):
    client.force_login(CitizenFactory())
    response = client.get("/lam-viec/")
    assert response.status_code == 403 and "Không có quyền truy cập" in response.content.decode()


def test_expired_form_page_is_vietnamese():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/dang-nhap/", {"phone": "0912345678"})
    assert response.status_code == 403 and "Biểu mẫu đã hết hạn" in response.content.decode()


def test_server_error_page_renders_without_context():
    from django.template import loader

    html = loader.get_template("500.html").render()
    assert "Đã xảy ra lỗi" in html and '<html lang="vi">' in html
