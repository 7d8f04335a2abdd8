"""The site-wide Content-Security-Policy holds in a real browser: no page, the administration
and the API documentation included, has a script or a style the policy blocks, and what the
pages do with JavaScript still works (the citizen login's business fields, Swagger UI,
Redoc)."""
import io

import pytest
from django.test import Client
from playwright.sync_api import expect

CSP_RECORDER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sourceFile || '') + ':' + (e.lineNumber || ''));
});
"""


@pytest.fixture
def demo(settings, tmp_path):
    from xaso.catalog import demo as catalog_demo
    from xaso.core import demo as core_demo
    from xaso.core.models import User
    from xaso.plan import demo as plan_demo

    settings.XASO_TWO_FACTOR_REQUIRED_ROLES = []
    settings.MEDIA_ROOT = tmp_path / "media"
    core_demo.load(io.StringIO())
    catalog_demo.load(io.StringIO())
    plan_demo.load(io.StringIO())
    return User.objects.get(username="admin")


def _login(context, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def _violations(page):
    return page.evaluate("window.__csp || []")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_pages_run_under_the_policy_without_violations(live_server, page, demo):
    page.add_init_script(CSP_RECORDER)
    response = page.goto(f"{live_server.url}/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy and "object-src 'none'" in policy
    public = ["/", "/thu-tuc/", "/tra-cuu/?ma=X&k=1234", "/account/login/"]
    for path in public:
        page.goto(f"{live_server.url}{path}")
        assert _violations(page) == [], path

    # The citizen login's script (a static file now) still hides and shows the business fields.
    page.goto(f"{live_server.url}/dang-nhap/")
    expect(page.locator("#business-fields")).to_be_hidden()
    page.check("#id_business")
    expect(page.locator("#business-fields")).to_be_visible()
    assert _violations(page) == []

    from xaso.core.models import Unit

    _login(page.context, live_server, demo)
    unit = Unit.objects.order_by("pk").first().pk
    staff = ["/lam-viec/", "/lam-viec/can-bo/", "/ke-hoach/", "/chi-tieu/", "/ho-so/", "/quan-tri/", "/quan-tri/core/unit/", f"/quan-tri/core/unit/{unit}/change/", "/quan-tri/catalog/procedure/"]
    for path in staff:
        page.goto(f"{live_server.url}{path}")
        assert page.url.endswith(path), (path, page.url)
        assert _violations(page) == [], path


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_api_documentation_works_under_its_policies(live_server, page, demo):
    page.add_init_script(CSP_RECORDER)
    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.locator(".opblock").first).to_be_visible(timeout=30000)  # Swagger UI rendered the operations
    assert _violations(page) == []
    response = page.goto(f"{live_server.url}/api/v1/redoc/")
    assert "'unsafe-inline'" in response.headers["content-security-policy"]  # Redoc's own, wider policy
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator("h1").first).to_be_visible(timeout=30000)  # Redoc rendered the title
    expect(page.locator("#redoc-container")).to_contain_text("xaso API")
    # The one request the policy refuses is the one it is there to refuse: Redoc's bundle
    # asks cdn.redoc.ly for its logo; nothing leaves the server.
    assert [v for v in _violations(page) if "cdn.redoc.ly" not in v] == []
