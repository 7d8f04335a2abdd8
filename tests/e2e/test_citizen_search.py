"""A citizen on a small phone (360 × 740) finds the birth registration procedure from the
home page, typing without accents, and opens it."""
import io
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from xaso.catalog import demo as catalog_demo

# Screenshots of the pages as a phone shows them, for a person to look at (failures get theirs
# from pytest-playwright, also under test-results/).
SCREENSHOTS = Path(os.environ.get("XASO_E2E_SCREENSHOTS", Path(__file__).resolve().parents[2] / "test-results"))


@pytest.fixture
def catalogue(transactional_db):
    catalog_demo.load(io.StringIO())


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.browser_context_args(viewport={"width": 360, "height": 740}, locale="vi-VN", is_mobile=True, has_touch=True)
def test_citizen_finds_birth_registration_on_a_phone(live_server, page, catalogue):
    page.goto(f"{live_server.url}/")
    search = page.get_by_role("search").get_by_role("searchbox")
    expect(search).to_be_visible()
    search.fill("dang ky khai sinh")
    search.press("Enter")

    expect(page).to_have_url(re.compile(r"/thu-tuc/\?q=dang\+ky\+khai\+sinh"))
    result = page.get_by_role("link", name="Đăng ký khai sinh", exact=True)
    expect(result).to_be_visible()
    # Nothing is wider than the phone's screen: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "citizen-search-360.png", full_page=True)

    result.click()
    expect(page).to_have_url(re.compile(r"/thu-tuc/1\.001193/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Đăng ký khai sinh")
    expect(page.locator("main")).to_contain_text("Giấy chứng sinh")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=SCREENSHOTS / "citizen-procedure-360.png", full_page=True)
