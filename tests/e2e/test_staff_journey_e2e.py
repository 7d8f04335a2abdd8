"""The staff journey as officials live it, in the browser: counter → head of department →
chairman → result. The event log, the process-control sheet and the public lookup must read
right: each hand-over under the unit that acted (the chairman for the commune's People's
Committee, not the department), the head's review as its own step of the procedure's process,
buttons in the imperative and history in the past tense, menus without pages the user may not
open."""
import re
import subprocess

import pytest
from playwright.sync_api import expect

from xaso.core.models import User
from xaso.dossiers.models import Dossier

from .test_dossier_e2e import PDF, as_user, commune, do  # noqa: F401  (the fixture is used by name)


def pdf_text(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-raw", "-", "-"], input=data, capture_output=True, check=True)
    return " ".join(out.stdout.decode("utf-8").split())


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_counter_head_chairman_result(live_server, browser, commune):  # noqa: F811
    # Counter: the reception officer receives a birth registration; only the mandatory
    # document is ticked in advance, the conditional ones are left to tick.
    officer = as_user(browser, live_server, "motcua")
    officer.goto(f"{live_server.url}/ho-so/tiep-nhan/moi/?procedure=1.001193")
    boxes = officer.locator('input[type=checkbox][name$="_submitted"]')
    checked = [boxes.nth(i).is_checked() for i in range(boxes.count())]
    assert checked[0] and not any(checked[1:])
    officer.fill("#id_applicant_name", "Lò Văn Khánh")
    officer.fill("#id_applicant_phone", "0977654321")
    officer.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    expect(officer.locator(".alert-success")).to_be_visible()
    d = Dossier.objects.get(applicant_name="Lò Văn Khánh")
    # An action button says what to do; the history says what was done.
    expect(officer.locator('summary[data-action="transfer"]')).to_have_text("Chuyển đơn vị giải quyết")
    do(officer, "transfer")

    # Head of department: assigns; later reviews and forwards to the chairman.
    head = as_user(browser, live_server, "truongphong")
    head.goto(f"{live_server.url}/ho-so/{d.code}/")
    head.locator('summary[data-action="assign"]').click()
    head.select_option('[name="assign-specialist"]', str(User.objects.get(username="chuyenvien").pk))
    head.locator('form[action$="/xu-ly/assign/"] button[type=submit]').click()
    expect(head.locator("#dossier-status")).to_have_text("Đang xử lý")

    specialist = as_user(browser, live_server, "chuyenvien")
    specialist.goto(f"{live_server.url}/ho-so/{d.code}/")
    expect(specialist.locator('summary[data-action="submit_for_approval"]')).to_have_count(0)
    do(specialist, "submit_for_review")
    expect(specialist.locator("#dossier-status")).to_have_text("Chờ trưởng phòng xem xét")

    head.goto(f"{live_server.url}/ho-so/")
    head.get_by_role("link", name=d.code).click()
    expect(head.locator('summary[data-action="forward_for_approval"]')).to_have_text("Trình lãnh đạo phê duyệt")
    do(head, "forward_for_approval")

    # Chairman: approves. The chairman's menus offer no page the chairman may not open.
    leader = as_user(browser, live_server, "chutich")
    leader.goto(f"{live_server.url}/ho-so/{d.code}/")
    nav = leader.locator('nav[aria-label="Hồ sơ"]')
    expect(nav.locator('a[href="/ho-so/tiep-nhan/moi/"]')).to_have_count(0)
    expect(nav.locator('a[href="/ho-so/tiep-nhan/"]')).to_have_count(0)
    do(leader, "approve")
    expect(leader.locator("#dossier-status")).to_have_text("Đã phê duyệt")

    # Result: the specialist sends the signed result to the desk; the officer returns it.
    specialist.goto(f"{live_server.url}/ho-so/{d.code}/")
    do(specialist, "result_ready", {"result_number": "7/GKS"}, files={"result_file": {"name": "gks.pdf", "mimeType": "application/pdf", "buffer": PDF}})
    officer.goto(f"{live_server.url}/ho-so/{d.code}/")
    do(officer, "return_result")
    expect(officer.locator("#dossier-status")).to_have_text("Đã trả kết quả")

    # The event log: each step under the unit that acted, in the past tense.
    timeline = officer.locator("section[aria-labelledby=h-time] ol").inner_text()
    assert "Đã trình trưởng phòng xem xét (Trần Thị Mai, Phòng Văn hóa - Xã hội)" in timeline
    assert "Trưởng phòng đã xem xét, trình lãnh đạo (Hoàng Văn Nam, Phòng Văn hóa - Xã hội)" in timeline
    assert "Đã phê duyệt (Phan Thị Hà, Xã Ngọc Liên)" in timeline
    assert "Đã trả kết quả (Nguyễn Văn Hùng, Trung tâm Phục vụ hành chính công)" in timeline

    # The process-control sheet: the steps of the procedure's process, the head's review
    # among them, each with its verdict.
    rows = officer.locator("section[aria-labelledby=h-steps] tbody tr")
    names = [rows.nth(i).locator("td").nth(1).inner_text().split("\n")[0] for i in range(rows.count())]
    assert names == [
        "Tiếp nhận hồ sơ", "Phân công tại đơn vị giải quyết", "Thẩm định, đề xuất kết quả", "Trưởng phòng xem xét",
        "Lãnh đạo UBND phê duyệt, ký", "Ban hành kết quả", "Trả kết quả",
    ]
    assert names.count("Thẩm định, đề xuất kết quả") == 1
    href = officer.get_by_role("link", name="PDF").last.get_attribute("href")
    assert href.endswith("/phieu-kiem-soat.pdf")
    sheet = pdf_text(officer.request.get(f"{live_server.url}{href}").body())
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in sheet
    assert "Trưởng phòng xem xét" in sheet and "Lãnh đạo UBND phê duyệt, ký" in sheet and "Xã Ngọc Liên" in sheet
    assert re.search(r"Trưởng phòng xem xét Phòng Văn hóa - Xã hội .*?(Trước hạn|Đúng hạn)", sheet)

    # The public lookup repeats the history with the right units, without names.
    public = browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 740}, is_mobile=True).new_page()
    public.goto(f"{live_server.url}/tra-cuu/?ma={d.code}&k=4321")
    history = public.locator("main ol").inner_text()
    assert "Đã phê duyệt (Xã Ngọc Liên)" in history
    assert "Trưởng phòng đã xem xét, trình lãnh đạo (Phòng Văn hóa - Xã hội)" in history
    assert "Phan Thị Hà" not in history and "Lò Văn Khánh" not in public.locator("main").inner_text()
    # The public layout speaks for the commune, with its centre's contact in the footer.
    expect(public.locator("header")).to_contain_text("Ủy ban nhân dân xã Ngọc Liên")
    expect(public.locator("footer")).to_contain_text("Đường dây nóng")
    assert public.evaluate("document.documentElement.scrollWidth") <= 360
    assert list(Dossier.objects.get(pk=d.pk).events.values_list("action", flat=True)) == [
        "intake", "transfer", "assign", "submit_for_review", "forward_for_approval", "approve", "result_ready", "return_result",
    ]


CONTRAST = """
(el) => {
  const lum = (rgb) => {
    const [r, g, b] = rgb.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map((v) => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  let bg = null, node = el;
  while (node && !bg) {
    const c = getComputedStyle(node).backgroundColor;
    if (c && c !== "rgba(0, 0, 0, 0)" && c !== "transparent") bg = c;
    node = node.parentElement;
  }
  const a = lum(getComputedStyle(el).color), b = lum(bg || "rgb(255, 255, 255)");
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}
"""


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_public_header_contrast_and_icon(live_server, browser, commune):  # noqa: F811
    """At desktop width every header link reaches 4.5:1 against its background (WCAG AA; the
    translucent links on Bootstrap's primary blue were 2.36:1), and the icon is served."""
    page = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 800}).new_page()
    page.goto(f"{live_server.url}/thu-tuc/")
    links = page.locator("header a, header button")
    assert links.count() >= 4
    for i in range(links.count()):
        ratio = links.nth(i).evaluate(CONTRAST)
        assert ratio >= 4.5, (links.nth(i).inner_text(), ratio)
    assert page.request.get(f"{live_server.url}/favicon.ico").status == 200
