"""The reform plan in a browser: a department head submits a quarterly report with an
evidence file, the standing office accepts it, the chairman (password + TOTP) downloads the
quarterly report as DOCX."""
import io

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from docx import Document
from playwright.sync_api import expect

from xaso.plan.models import Evidence, ProgressReport
from xaso.plan.tests.factories import import_seed, make_commune, official

PASSWORD = "Mat-khau-2026!"
TOTP_KEY = "3132333435363738393031323334353637383930"


def login(page, base, username, device=None):
    page.goto(f"{base}/account/login/")
    page.fill("#id_auth-username", username)
    page.fill("#id_auth-password", PASSWORD)
    page.locator("form button[type=submit].btn-primary").click()
    if device is not None:
        token = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):0{device.digits}d}"
        page.locator("#id_token-otp_token").fill(token)
        page.locator("form button[type=submit].btn-primary").click()
    expect(page).to_have_url(f"{base}/lam-viec/")


def logout(page):
    page.locator("header form button[type=submit]").click()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.browser_context_args(locale="vi-VN")
def test_quarterly_report_submitted_accepted_and_downloaded(live_server, page, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    commune = make_commune()
    import_seed(commune)
    official("truongphong_kt", commune, "kt", "unit_head", "head")
    official("vhxh", commune, "vhxh", "standing_office", "specialist")
    chairman = official("chutich", commune, None, "leader", "chairman")
    chairman.full_name = "Phan Thị Hà"
    chairman.save()
    device = TOTPDevice.objects.create(user=chairman, name="default", key=TOTP_KEY, confirmed=True)
    evidence = tmp_path / "quyet-dinh-kinh-phi.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% kinh phi CCHC 2026\n%%EOF\n")
    base = live_server.url

    # 1. The head of Phòng Kinh tế reports on task 43 for quarter I/2026, with a file.
    login(page, base, "truongphong_kt")
    page.goto(f"{base}/ke-hoach/bao-cao/")
    page.locator("a[href*='/ky/2026-Q1/nhiem-vu/43/']").click()
    page.select_option("#id_status", "done")
    page.fill("#id_progress", "100")
    page.fill("#id_done", "Đã tham mưu bố trí 120 triệu đồng kinh phí cải cách hành chính năm 2026")
    page.set_input_files("#id_files", str(evidence))
    page.locator("button[name=submit]").click()
    expect(page).to_have_url(f"{base}/ke-hoach/bao-cao/")
    expect(page.locator(".alert-success")).to_be_visible()
    report = ProgressReport.objects.get(task__number=43)
    assert report.state == "submitted"
    assert Evidence.objects.get(report=report).original_name == "quyet-dinh-kinh-phi.pdf"
    logout(page)

    # 2. The standing office accepts it from the review queue.
    login(page, base, "vhxh")
    page.goto(f"{base}/ke-hoach/duyet/")
    page.locator(f"a[href='/ke-hoach/bao-cao/{report.pk}/']").click()
    expect(page.locator("#review-state")).to_be_visible()
    page.locator("button[name=accept]").click()
    expect(page).to_have_url(f"{base}/ke-hoach/duyet/")
    report.refresh_from_db()
    assert report.state == "accepted"
    logout(page)

    # 3. The chairman (two-factor) downloads the quarterly report.
    login(page, base, "chutich", device)
    page.goto(f"{base}/ke-hoach/?ky=2026-Q1")
    with page.expect_download() as download_info:
        page.locator("a[href='/ke-hoach/ky/2026-Q1/bao-cao.docx']").click()
    download = download_info.value
    assert download.suggested_filename == "bao-cao-cchc-2026-Q1.docx"
    document = Document(io.BytesIO(open(download.path(), "rb").read()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Kết quả thực hiện công tác cải cách hành chính quý I năm 2026" in text
    assert "Nhiệm vụ 43 (Phòng Kinh tế): hoàn thành, 100%. Đã tham mưu bố trí 120 triệu đồng" in text
    assert "Phan Thị Hà" in "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
