"""Security headers and answers of the site as a whole (docs/security.md)."""
import pytest
from django.test import Client

from xaso.core.tests.factories import CitizenFactory

pytestmark = pytest.mark.django_db


def test_pages_carry_the_content_security_policy_and_other_headers(client):
    r = client.get("/")
    policy = r["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "form-action 'self'"):
        assert directive in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert r["X-Content-Type-Options"] == "nosniff" and r["X-Frame-Options"] == "DENY"
    assert r["Referrer-Policy"] == "same-origin" and "camera=()" in r["Permissions-Policy"]


def test_no_template_has_an_inline_script_or_style():
    """Templates served to browsers keep scripts and styles in static files (the PDF form
    templates, rendered by WeasyPrint only, may have their own <style>)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in root.glob("*/templates/**/*.html"):
        if "/forms/" in str(path):
            continue
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"<style\b", text) or re.search(r"\sstyle=\"", text) or re.search(r"\son[a-z]+=\"", text):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []


def test_pages_for_signed_in_people_are_never_stored(client):
    citizen = CitizenFactory()
    client.force_login(citizen)
    r = client.get("/tai-khoan/")
    assert "no-store" in r["Cache-Control"] and "private" in r["Cache-Control"]
    # The public lookup shows a dossier's state: never stored either.
    assert "no-store" in Client().get("/tra-cuu/?ma=X&k=1234")["Cache-Control"]


@pytest.mark.parametrize("path", ["/thu-tuc/?q=a%00b", "/tra-cuu/?ma=A%00B&k=1234", "/api/v1/procedures/a%00b/", "/ho-so/?procedure=%00"])
def test_a_nul_byte_is_a_vietnamese_400(path):
    r = Client().get(path)
    assert r.status_code == 400
    text = r.json()["detail"] if path.startswith("/api/") else r.content.decode()
    assert "NUL" in text and ("không" in text or "ký tự" in text)
    if path.startswith("/api/"):
        assert r["Content-Type"] == "application/json" and "detail" in r.json()


def test_bodies_too_large_or_too_deep_get_a_vietnamese_answer(settings):
    api = Client()
    r = api.post("/api/v1/dossiers/lookup/", b'{"a": "' + b"x" * (3 * 1024 * 1024) + b'"}', content_type="application/json")
    assert r.status_code in (405, 413)  # the lookup takes no body; whatever it says, it is not a 500
    citizen = Client()
    citizen.force_login(CitizenFactory())
    r = citizen.post("/api/v1/dossiers/", b"[" * 200_000, content_type="application/json")
    assert r.status_code == 400 and "JSON" in r.json()["detail"] and "32" in r.json()["detail"]
    r = citizen.post("/api/v1/dossiers/", b"[" * 40 + b"]" * 40, content_type="application/json")
    assert r.status_code == 400 and "32" in r.json()["detail"]
    r = Client().post("/dang-nhap/", b"phone=" + b"1" * (3 * 1024 * 1024), content_type="application/x-www-form-urlencoded")
    assert r.status_code == 413 and "MB" in r.content.decode() and "Request" not in r.content.decode()[:200]
    settings.XASO_MAX_REQUEST_MB = 1
    r = Client().post("/api/v1/dossiers/", b"x" * (2 * 1024 * 1024), content_type="application/octet-stream")
    assert r.status_code == 413 and r.json()["detail"]


def test_security_txt_names_the_contact(settings):
    assert Client().get("/.well-known/security.txt").status_code == 404
    settings.XASO_SECURITY_CONTACT = "mailto:antt@example.vn"
    r = Client().get("/.well-known/security.txt")
    assert r.status_code == 200 and "Contact: mailto:antt@example.vn" in r.content.decode() and "Expires: " in r.content.decode()
