"""The citizen's journey on a phone (360 × 740, Debian's chromium): log in by phone code, find
"đăng ký khai sinh" through the finder, submit it with one photo uploaded and one document
reused from the vault; the officer receives it and a supplement is asked; the citizen
answers it on the phone; staff finish it with an electronic result; the citizen downloads
the result from "Hồ sơ của tôi" and sees it in the vault.

On every citizen page: the bytes of a first load (≤ 150 KB: the HTML as served, the static
files gzip-compressed as whitenoise serves them), no horizontal scroll at 360 px, and axe-core
(from npm, injected here, never shipped to users) with no serious or critical violation.
Screenshots of the journey go to test-results/portal/ (or the folder in
XASO_PORTAL_SCREENSHOTS: docs/images/portal/ for the documentation)."""
import gzip
import io
import os
import re
from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import expect

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = Path(os.environ.get("XASO_PORTAL_SCREENSHOTS") or REPO / "test-results" / "portal")
MAX_BYTES = 150 * 1024
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg")
PHONE = "0912345678"


@pytest.fixture
def commune(transactional_db, settings, tmp_path):
    from xaso.catalog import demo as catalog_demo
    from xaso.core import demo as core_demo
    from xaso.core.models import User
    from xaso.portal.defaults import ensure_life_events
    from xaso.portal.demo import scan
    from xaso.vault import services as vault
    from xaso.vault.defaults import ensure_document_types
    from xaso.vault.models import DocumentType

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.XASO_TWO_FACTOR_REQUIRED_ROLES = []
    settings.WHITENOISE_USE_FINDERS = True
    core_demo.load(io.StringIO())
    catalog_demo.load(io.StringIO())
    ensure_document_types()
    ensure_life_events()
    citizen = User.objects.get(phone=PHONE)
    vault.upload(citizen, file=scan("Giấy chứng sinh", ["Bé Nguyễn Minh Khang"], fmt="JPEG"), doc_type=DocumentType.objects.get(code="giay-chung-sinh"),
                 title="Giấy chứng sinh của bé Minh Khang", number="2026/GCS-0412", issuer="Trạm Y tế xã Ngọc Liên")
    return {u.username: u for u in User.objects.filter(username__in=["motcua", "truongphong", "chuyenvien", "chutich"])} | {"citizen": citizen}


class Checker:
    """Checks each citizen page once: weight, axe, width; and saves its screenshot."""

    def __init__(self, page):
        self.page = page
        self.axe = AXE.read_text()
        self.report = []
        SHOTS.mkdir(parents=True, exist_ok=True)

    def weight(self) -> int:
        urls = self.page.evaluate("() => [location.href, ...performance.getEntriesByType('resource').map(e => e.name)]")
        total = 0
        for url in dict.fromkeys(urls):
            if not url.startswith("http"):
                continue
            r = self.page.request.get(url)
            body, ctype = r.body(), r.headers.get("content-type", "")
            static = "/static/" in url
            total += len(gzip.compress(body, 6)) if static and ctype.startswith(COMPRESSIBLE) else len(body)
        return total

    def violations(self) -> list:
        self.page.evaluate(self.axe)
        return self.page.evaluate(
            """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
                 .filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => ({id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))"""
        )

    def __call__(self, name):
        page = self.page
        page.wait_for_load_state("load")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{name}: {width} px wide"
        size = self.weight()
        assert size <= MAX_BYTES, f"{name}: {size} bytes on first load"
        bad = self.violations()
        assert not bad, f"{name}: axe {bad}"
        self.report.append((name, size))
        path = SHOTS / f"{name}.png"
        page.screenshot(path=path)
        _shrink(path)


def _shrink(path):
    """Screenshots kept small for the documentation: a 64-colour palette PNG."""
    from PIL import Image

    img = Image.open(path).convert("RGB").quantize(colors=64)
    img.save(path, optimize=True)


def staff(user):
    c = Client()
    c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return c


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.browser_context_args(viewport={"width": 360, "height": 740}, locale="vi-VN", is_mobile=True, has_touch=True, bypass_csp=True)
def test_citizen_journey_on_a_phone(live_server, page, commune, tmp_path):
    from xaso.dossiers import services as ds
    from xaso.dossiers.models import Dossier
    from xaso.notifications.models import Message
    from xaso.portal.demo import scan

    check = Checker(page)
    base = live_server.url
    photo = tmp_path / "to-khai.jpg"
    photo.write_bytes(scan("Tờ khai đăng ký khai sinh", ["Người yêu cầu: Nguyễn Văn An"], fmt="JPEG").read())

    # 1. Log in by phone code.
    page.goto(f"{base}/dang-nhap/")
    check("01-dang-nhap")
    page.get_by_label("Số điện thoại di động").fill(PHONE)
    page.get_by_role("button", name="Gửi mã cho tôi").click()
    expect(page).to_have_url(re.compile(r"/dang-nhap/ma/$"))
    code = re.search(r"\b(\d{6})\b", Message.objects.filter(recipient=PHONE).latest("id").body).group(1)
    page.get_by_label("Mã nhận được qua SMS").fill(code)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(r"/tai-khoan/$"))

    # 2. Find "đăng ký khai sinh" through the finder.
    page.goto(f"{base}/")
    check("02-trang-chu")
    page.get_by_role("link", name="Tìm đúng thủ tục").click()
    check("03-tim-thu-tuc")
    page.get_by_role("link", name="Sinh con").click()
    page.get_by_label("Đã đăng ký kết hôn").check()
    page.get_by_label("Không, chỉ khai sinh").check()
    page.get_by_label("Không", exact=True).check()
    page.get_by_role("button", name="Xem việc cần làm").click()
    expect(page.get_by_role("link", name="Đăng ký khai sinh", exact=True)).to_be_visible()
    check("04-sinh-con")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").first.click()
    check("05-nop-truc-tuyen")
    page.get_by_role("button", name="Bắt đầu").click()

    # 3. The applicant, prefilled from the account.
    expect(page.get_by_label("Họ và tên")).to_have_value("Nguyễn Văn An")
    check("06-nguoi-nop")
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    # 4. One photo uploaded, the birth certificate reused from the vault.
    expect(page.get_by_role("heading", level=1)).to_have_text("Giấy tờ")
    check("07-giay-to")
    page.locator("#files-0").set_input_files(str(photo))
    page.locator("#doc-0").get_by_role("button", name="Tải lên").click()
    expect(page.locator("#doc-0-state")).to_contain_text("1 tệp")
    page.get_by_label(re.compile("Giấy chứng sinh của bé Minh Khang")).check()
    page.locator("#doc-1").get_by_role("button", name="Dùng giấy tờ này").click()
    expect(page.locator("#doc-1-state")).to_contain_text("Từ kho giấy tờ")
    check("08-giay-to-da-co")
    page.get_by_role("link", name="Tiếp tục").click()

    # 5. Delivery and fees, then review and submit.
    check("09-nhan-ket-qua")
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    check("10-xem-lai")
    page.get_by_role("button", name="Nộp hồ sơ").click()
    expect(page.locator("#dossier-status")).to_have_text("Đã gửi; bộ phận một cửa đang kiểm tra")
    check("11-da-nop")
    d = Dossier.objects.get(applicant_account=commune["citizen"])
    assert [c.reused for c in d.components.order_by("id")] == [False, True]

    # 6. The officer sees it at the reception desk and receives it; a supplement is asked.
    assert d.code in staff(commune["motcua"]).get("/ho-so/tiep-nhan/").content.decode()
    d = ds.receive(d, commune["motcua"])
    d = ds.transfer(d, commune["motcua"])
    d = ds.assign(d, commune["truongphong"], specialist=commune["chuyenvien"])
    d = ds.request_supplement(d, commune["chuyenvien"], items=["Ảnh chụp tờ khai có đủ chữ ký"], reason="Tờ khai thiếu chữ ký của người yêu cầu.")

    # 7. The citizen answers it on the phone.
    page.goto(f"{base}/ho-so-cua-toi/")
    expect(page.get_by_text("Đang chờ bạn bổ sung")).to_be_visible()
    check("12-ho-so-cua-toi")
    page.get_by_role("link", name="Gửi bổ sung").first.click()
    check("13-bo-sung")
    page.locator("#item-0-files").set_input_files(str(photo))
    page.get_by_role("button", name="Gửi bổ sung").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã gửi phần bổ sung")
    d.refresh_from_db()
    assert d.status == "in_progress" and not d.pauses.filter(ended_at__isnull=True).exists()

    # 8. Staff finish it with an electronic result.
    if d.has_head_review:  # the procedure's process has the head of department's review
        d = ds.forward_for_approval(ds.submit_for_review(d, commune["chuyenvien"]), commune["truongphong"])
    else:
        d = ds.submit_for_approval(d, commune["chuyenvien"])
    d = ds.approve(d, commune["chutich"])
    d = ds.result_ready(d, commune["chuyenvien"], result_number="215/2026/KS", result_file=scan("Giấy khai sinh", ["Số: 215/2026/KS"]))

    # 9. The citizen downloads the result and finds it in the vault.
    page.goto(f"{base}/ho-so-cua-toi/{d.code}/")
    expect(page.locator("#dossier-status")).to_have_text("Đã có kết quả")
    check("14-co-ket-qua")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải kết quả").first.click()
    assert download.value.suggested_filename == f"{d.code}-ket-qua.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    page.goto(f"{base}/kho-giay-to/")
    expect(page.get_by_role("link", name="Kết quả: Đăng ký khai sinh")).to_be_visible()
    check("15-kho-giay-to")
    print("\n".join(f"{name}: {size / 1024:.1f} KB" for name, size in check.report))
