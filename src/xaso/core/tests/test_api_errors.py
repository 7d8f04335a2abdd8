"""The API speaks Vietnamese in its error messages, DRF's own included (xaso.core.drf_messages,
xaso.core.api_errors)."""
import re
from pathlib import Path

import django
import pytest
import rest_framework
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext
from rest_framework.test import APIClient

from xaso.core import drf_messages
from xaso.core.tests.factories import CitizenFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def test_drf_messages_are_translated():
    with translation.override("vi"):
        for message in drf_messages.MESSAGES:
            assert gettext(message) != message, message


def test_marked_messages_are_drfs_own():
    # A message copied wrong (or changed by a DRF upgrade) would silently stay English.
    root = Path(rest_framework.__file__).parent
    source = "".join((root / name).read_text() for name in (
        "exceptions.py", "fields.py", "serializers.py", "validators.py", "pagination.py", "relations.py", "authentication.py",
    ))
    source += (Path(django.__file__).parent / "core" / "validators.py").read_text()
    for message in drf_messages.MESSAGES:
        assert message in source or message.replace('"', '\\"') in source, message


def test_bad_token_bad_page_and_wrong_type_in_vietnamese():
    anon = APIClient()
    anon.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    r = anon.get("/api/v1/procedures/")
    assert r.status_code == 401 and r.json() == {"detail": "Mã API không hợp lệ."}
    r = APIClient().get("/api/v1/procedures/", {"page": "0"})
    assert r.status_code == 404 and r.json() == {"detail": "Trang không hợp lệ."}
    r = APIClient().get("/api/v1/dossiers/")
    assert r.status_code in (401, 403) and r.json()["detail"].startswith("Chưa có thông tin xác thực")


def test_malformed_json_and_wrong_types_in_vietnamese():
    api = APIClient()
    api.force_authenticate(CitizenFactory())
    r = api.post("/api/v1/dossiers/", "{bad", content_type="application/json")
    assert r.status_code == 400 and r.json() == {"detail": "Nội dung yêu cầu không phải là JSON hợp lệ."}
    r = api.post("/api/v1/dossiers/", {"procedure_code": [1], "channel": "x", "components": "a"}, format="json")
    body = r.json()
    assert r.status_code == 400
    assert body["procedure_code"] == ["Phải là một chuỗi ký tự."]
    assert body["channel"] == ["“x” không phải là một lựa chọn hợp lệ."]
    assert body["components"] == {"non_field_errors": ["Cần một danh sách, nhưng nhận được kiểu “str”."]}
    r = api.post("/api/v1/dossiers/", {"procedure_code": "a\x00b"}, format="json")
    assert r.json()["procedure_code"] == ["Không được chứa ký tự null."]
    r = api.post("/api/v1/dossiers/", "x", content_type="text/plain")
    assert r.status_code == 415 and r.json() == {"detail": "Không hỗ trợ kiểu nội dung “text/plain” của yêu cầu."}


def test_throttled_in_vietnamese(monkeypatch):
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "1/min"})
    api = APIClient()
    assert api.get("/api/v1/calendar/2026/").status_code == 200
    r = api.get("/api/v1/calendar/2026/")
    assert r.status_code == 429
    assert re.fullmatch(r"Quá nhiều yêu cầu\. Có thể thử lại sau \d+ giây\.", r.json()["detail"])


def test_paginated_lists_document_the_invalid_page_404():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    for path in ("/api/v1/procedures/", "/api/v1/dossiers/", "/api/v1/plan/tasks/", "/api/v1/plan/targets/"):
        assert "no such page" in paths[path]["get"]["responses"]["404"]["description"].lower(), path
    assert "404" not in paths["/api/v1/calendar/due/"]["get"]["responses"]
