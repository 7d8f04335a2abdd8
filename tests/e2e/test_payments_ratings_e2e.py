"""Paying and rating on a small phone (360 × 740): the citizen opens the payment link the
officer sent by SMS, pays in the local sandbox gateway (the real protocol: signed URL, the
gateway's notification over HTTP to the live server), comes back and downloads the signed
receipt; once the dossier is closed, rates the service from the SMS link. And the counter
tablet: paired once, a waiting screen, one rating, then the waiting screen again."""
import io
import re

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from playwright.sync_api import expect

from xaso.catalog import demo as catalog_demo
from xaso.core import demo as core_demo
from xaso.core.models import Unit, User
from xaso.dossiers import services
from xaso.dossiers.models import Dossier
from xaso.dossiers.services import Applicant
from xaso.notifications.models import Message
from xaso.payments import services as payments
from xaso.payments.tests.conftest import version
from xaso.ratings import services as ratings
from xaso.ratings.models import Kiosk, Rating

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PHONE = {"viewport": {"width": 360, "height": 740}, "locale": "vi-VN", "is_mobile": True, "has_touch": True}


@pytest.fixture
def commune(transactional_db, settings, tmp_path, live_server):
    settings.XASO_TWO_FACTOR_REQUIRED_ROLES = []
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    settings.WHITENOISE_USE_FINDERS = True
    settings.XASO_PUBLIC_BASE_URL = live_server.url
    settings.XASO_PAYMENT_SANDBOX = True
    settings.XASO_PAYMENT_SANDBOX_IPN = "now"  # the sandbox calls the IPN URL over HTTP before sending the payer back
    core_demo.load(io.StringIO())
    catalog_demo.load(io.StringIO())


def fee_dossier():
    centre = Unit.objects.get(code="ngoc-lien-pvhcc")
    reception = User.objects.get(username="motcua")
    v = version(f"9.99{Dossier.objects.count():04d}", timing="before_result", online=True, fee=50_000, field="Hộ tịch")
    terms = services.terms_from_version(v, centre.local_government)
    applicant = Applicant(name="Đinh Thị Hạnh", id_number="038190012345", address="Thôn Liên Sơn, xã Ngọc Liên", phone="0987123456")
    return services.intake(officer=reception, terms=terms, applicant=applicant, components=[], receiving_unit=centre)


def close(d):
    people = {u.username: u for u in User.objects.filter(username__in=["motcua", "truongphong", "chuyenvien", "chutich"])}
    d = services.transfer(d, people["motcua"])
    d = services.assign(d, people["truongphong"], specialist=people["chuyenvien"])
    d = services.submit_for_approval(d, people["chuyenvien"])
    d = services.approve(d, people["chutich"])
    d = services.result_ready(d, people["chuyenvien"], result_number="12/CT", result_file=ContentFile(PDF, name="kq.pdf"))
    return services.return_result(d, people["motcua"])


def sms_link(d, event, live_server):
    body = Message.objects.filter(event=event, recipient=d.applicant_phone).latest("id").body
    return re.search(re.escape(live_server.url) + r"\S+", body).group(0)


def fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_pay_by_sms_link_download_the_receipt_then_rate(live_server, browser, commune):
    d = fee_dossier()
    payments.request_payment(d, User.objects.get(username="motcua"))
    phone = browser.new_context(**PHONE, accept_downloads=True).new_page()

    # The SMS link: the amount and the pay button.
    phone.goto(sms_link(d, "payments.request", live_server))
    expect(phone.locator("#pay-due")).to_have_text("50.000 đ")
    fits(phone)
    phone.locator("#pay-button").click()

    # The sandbox gateway's page, then back.
    expect(phone).to_have_url(re.compile(r"/sandbox/vnpay/paymentv2/vpcpay\.html\?"))
    fits(phone)
    phone.locator("#outcome-success").click()
    expect(phone).to_have_url(re.compile(r"/thanh-toan/vnpay/tra-ve/\?"))
    expect(phone.locator("#result-state")).to_contain_text("Thanh toán đã được xác nhận")
    fits(phone)
    phone.locator("#back-to-dossier").click()
    expect(phone.locator("#pay-done")).to_be_visible()

    # The signed electronic receipt, as an attachment.
    with phone.expect_download() as download:
        phone.locator("#receipts a").first.click()
    data = open(download.value.path(), "rb").read()
    assert data.startswith(b"%PDF") and b"/ByteRange" in data
    assert download.value.suggested_filename.startswith("bien-lai-")

    # Processed and returned: the rating link arrives by SMS; rate from it.
    close(Dossier.objects.get(pk=d.pk))
    phone.goto(sms_link(d, "ratings.invitation", live_server))
    fits(phone)
    phone.get_by_label("Rất hài lòng").check()
    phone.locator("#rate-comment").fill("Thanh toán trực tuyến nhanh, cán bộ tận tình.")
    phone.locator("#rate-submit").click()
    expect(phone.locator("#rate-done")).to_be_visible()
    rating = Rating.objects.get(dossier=d)
    assert rating.level == 3 and rating.channel == "link"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_counter_tablet(live_server, browser, commune):
    d = close(fee_dossier_paid())
    tablet = browser.new_context(locale="vi-VN", viewport={"width": 800, "height": 1280}, has_touch=True)
    client = Client()
    client.force_login(User.objects.get(username="motcua"))
    tablet.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = tablet.new_page()
    page.goto(f"{live_server.url}/danh-gia/quay/ghep/")
    page.fill("#k-name", "Quầy 1")
    page.get_by_role("button", name="Thiết lập").click()
    expect(page.locator("#kiosk-waiting")).to_be_visible()
    assert page.locator("nav").count() == 0  # kiosk mode: no navigation

    ratings.send_to_kiosk(d, User.objects.get(username="motcua"), Kiosk.objects.get(name="Quầy 1"))
    expect(page.locator("#rate-submit")).to_be_visible(timeout=10_000)  # the waiting screen reloads itself
    page.get_by_label("Hài lòng", exact=True).check()
    page.locator("#rate-submit").click()
    expect(page.locator("#kiosk-thanks")).to_be_visible()
    expect(page.locator("#kiosk-waiting")).to_be_visible(timeout=12_000)  # back to waiting
    assert Rating.objects.get(dossier=d).channel == "kiosk"


def fee_dossier_paid():
    from xaso.dossiers.models import PaymentMethod

    d = fee_dossier()
    services.record_fee_payment(d, User.objects.get(username="motcua"), amount=50_000, method=PaymentMethod.CASH)
    return d
