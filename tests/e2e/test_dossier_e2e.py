"""The one-stop-shop from end to end in the browser: an officer receives a birth
registration at the counter and prints the slip; the head assigns it; the specialist asks
for a supplement, the officer records it, the specialist submits to the head, who forwards it;
the leader approves; the
specialist attaches the electronic result; the officer hands it back; a member of the public
looks it up by code and the last 4 digits of the phone number."""
import io
import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from xaso.catalog import demo as catalog_demo
from xaso.core import demo as core_demo
from xaso.core.models import User
from xaso.dossiers.models import Dossier

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def commune(transactional_db, settings, tmp_path):
    settings.XASO_TWO_FACTOR_REQUIRED_ROLES = []
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    settings.WHITENOISE_USE_FINDERS = True
    core_demo.load(io.StringIO())
    catalog_demo.load(io.StringIO())


def as_user(browser, live_server, username):
    """A browser context logged in as ``username`` (session cookie of a real login)."""
    client = Client()
    client.force_login(User.objects.get(username=username))
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return context.new_page()


def do(page, action, fill=None, files=None):
    page.locator(f'summary[data-action="{action}"]').click()
    form = page.locator(f'form[action$="/xu-ly/{action}/"]')
    for name, value in (fill or {}).items():
        form.locator(f'[name="{action}-{name}"]').fill(value)
    for name, value in (files or {}).items():
        form.locator(f'[name="{action}-{name}"]').set_input_files(value)
    form.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_dossier_lifecycle_in_the_browser(live_server, browser, commune):
    # 1. The reception officer receives the dossier at the counter.
    officer = as_user(browser, live_server, "motcua")
    officer.goto(f"{live_server.url}/ho-so/tiep-nhan/moi/")
    officer.select_option("#procedure", "1.001193")
    officer.get_by_role("button", name="Tiếp tục").click()
    officer.fill("#id_applicant_name", "Đinh Thị Hạnh")
    officer.fill("#id_applicant_id_number", "038190012345")
    officer.fill("#id_applicant_phone", "0977123456")
    officer.fill("#id_applicant_address", "Thôn Liên Sơn, xã Ngọc Liên")
    officer.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    expect(officer.locator(".alert-success")).to_contain_text("Đã tiếp nhận hồ sơ")
    d = Dossier.objects.get(applicant_name="Đinh Thị Hạnh")
    assert re.fullmatch(r"004\.01\.99\.H56-\d{6}-\d{4}", d.code)
    expect(officer.locator("h1")).to_have_text(d.code)
    expect(officer.locator("#dossier-status")).to_have_text("Đã tiếp nhận")
    # Print the slip: the PDF link serves the receipt and appointment slip.
    href = officer.get_by_role("link", name="PDF").first.get_attribute("href")
    slip = officer.request.get(f"{live_server.url}{href}")
    assert slip.status == 200 and slip.headers["content-type"] == "application/pdf" and slip.body().startswith(b"%PDF")
    do(officer, "transfer")
    expect(officer.locator("#dossier-status")).to_have_text("Đã chuyển đơn vị giải quyết")

    # 2. The head of the department assigns it to a specialist.
    head = as_user(browser, live_server, "truongphong")
    head.goto(f"{live_server.url}/ho-so/")
    head.get_by_role("link", name=d.code).click()
    head.locator('summary[data-action="assign"]').click()
    head.select_option('[name="assign-specialist"]', str(User.objects.get(username="chuyenvien").pk))
    head.locator('form[action$="/xu-ly/assign/"] button[type=submit]').click()
    expect(head.locator("#dossier-status")).to_have_text("Đang xử lý")

    # 3. The specialist asks for a supplement; the clock pauses.
    specialist = as_user(browser, live_server, "chuyenvien")
    specialist.goto(f"{live_server.url}/ho-so/")
    specialist.get_by_role("link", name=d.code).click()
    do(specialist, "request_supplement", {"items": "Giấy tờ chứng minh nơi cư trú", "reason": "Thiếu giấy tờ chứng minh nơi cư trú."})
    expect(specialist.locator("#dossier-status")).to_have_text("Chờ người nộp bổ sung")
    expect(specialist.locator("main")).to_contain_text("Tạm dừng tính thời gian")

    # 4. The applicant brings it to the counter; the officer records it.
    officer.goto(f"{live_server.url}/ho-so/{d.code}/")
    do(officer, "supplement_received", {"name": "Giấy xác nhận cư trú"}, files={"file": {"name": "cu-tru.pdf", "mimeType": "application/pdf", "buffer": PDF}})
    expect(officer.locator("#dossier-status")).to_have_text("Đang xử lý")

    # 5. The specialist submits to the head of department (the procedure's process has the
    # head's review), who forwards it to the leader; the leader approves.
    specialist.goto(f"{live_server.url}/ho-so/{d.code}/")
    do(specialist, "submit_for_review")
    head.goto(f"{live_server.url}/ho-so/{d.code}/")
    do(head, "forward_for_approval")
    leader = as_user(browser, live_server, "chutich")
    leader.goto(f"{live_server.url}/ho-so/")
    leader.get_by_role("link", name=d.code).click()
    do(leader, "approve")
    expect(leader.locator("#dossier-status")).to_have_text("Đã phê duyệt")

    # 6. The specialist attaches the signed electronic result.
    specialist.goto(f"{live_server.url}/ho-so/{d.code}/")
    do(specialist, "result_ready", {"result_number": "125/GKS"}, files={"result_file": {"name": "giay-khai-sinh.pdf", "mimeType": "application/pdf", "buffer": PDF}})
    expect(specialist.locator("#dossier-status")).to_have_text("Đã có kết quả")

    # 7. The officer hands the result back.
    officer.goto(f"{live_server.url}/ho-so/tiep-nhan/")
    officer.get_by_role("link", name=d.code).click()
    do(officer, "return_result")
    expect(officer.locator("#dossier-status")).to_have_text("Đã trả kết quả")

    # 8. A member of the public looks it up by code (no login).
    public = browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 740}, is_mobile=True).new_page()
    public.goto(f"{live_server.url}/tra-cuu/")
    public.fill("#l-code", d.code)
    public.fill("#l-key", "3456")
    public.get_by_role("button", name="Tra cứu").click()
    expect(public.locator("#lookup-status")).to_have_text("Đã trả kết quả")
    expect(public.locator("main")).to_contain_text("Đăng ký khai sinh")
    expect(public.locator("main")).not_to_contain_text("Đinh Thị Hạnh")
    assert public.evaluate("document.documentElement.scrollWidth") <= 360
    d.refresh_from_db()
    assert d.status == "returned" and d.pauses.get().ended_at is not None
    assert list(d.events.values_list("action", flat=True)) == [
        "intake", "transfer", "assign", "request_supplement", "supplement_received",
        "submit_for_review", "forward_for_approval", "approve", "result_ready", "return_result",
    ]
