from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile

from xaso.core.models import Membership, Position, Role, Unit, User
from xaso.dossiers import services
from xaso.dossiers.services import Applicant, ComponentIn, ProcedureTerms

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def at(y, m, d, hh=9, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


class World:
    pass


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.XASO_PUBLIC_BASE_URL = "https://xaso.example"
    w = World()
    w.province = Unit.objects.create(kind=Unit.Kind.PROVINCE, code="thanh-hoa", name="Tỉnh Thanh Hóa", identifier="000.00.00.H56")
    w.commune = Unit.objects.create(parent=w.province, kind=Unit.Kind.COMMUNE, code="ngoc-lien", name="Xã Ngọc Liên", identifier="000.00.22.H56")
    w.centre = Unit.objects.create(parent=w.commune, kind=Unit.Kind.CENTRE, code="nl-ttpvhcc", name="Trung tâm Phục vụ hành chính công xã Ngọc Liên", identifier="000.01.22.H56")
    w.dept = Unit.objects.create(parent=w.commune, kind=Unit.Kind.DEPARTMENT, code="nl-vhxh", name="Phòng Văn hóa - Xã hội", identifier="000.02.22.H56")
    w.other_commune = Unit.objects.create(parent=w.province, kind=Unit.Kind.COMMUNE, code="minh-son", name="Xã Minh Sơn", identifier="000.00.23.H56")
    w.other_dept = Unit.objects.create(parent=w.other_commune, kind=Unit.Kind.DEPARTMENT, code="ms-vhxh", name="Phòng Văn hóa - Xã hội Minh Sơn", identifier="000.02.23.H56")

    def official(username, unit, role, position=Position.STAFF):
        u = User.objects.create_user(username=username, password="x" * 12, kind=User.Kind.OFFICIAL, full_name=username.title())
        Membership.objects.create(user=u, unit=unit, role=role, position=position)
        return u

    w.official = official
    w.reception = official("motcua", w.centre, Role.RECEPTION, Position.RECEPTION_OFFICER)
    w.head = official("truongphong", w.dept, Role.UNIT_HEAD, Position.HEAD)
    w.centre_head = official("giamdoc", w.centre, Role.UNIT_HEAD, Position.DIRECTOR)
    w.specialist = official("chuyenvien", w.dept, Role.SPECIALIST, Position.SPECIALIST)
    w.specialist2 = official("chuyenvien2", w.dept, Role.SPECIALIST, Position.SPECIALIST)
    w.leader = official("chutich", w.commune, Role.LEADER, Position.CHAIRMAN)
    w.admin = official("quantri", w.commune, Role.ADMIN)
    w.standing = official("vhxh", w.dept, Role.STANDING_OFFICE)
    w.outsider_reception = official("motcua_ms", w.other_commune, Role.RECEPTION)
    w.outsider_head = official("truongphong_ms", w.other_dept, Role.UNIT_HEAD)
    w.outsider_specialist = official("chuyenvien_ms", w.other_dept, Role.SPECIALIST)
    w.citizen = User.objects.create_user(username="0912345678", password="x" * 12, kind=User.Kind.CITIZEN, full_name="Nguyễn Văn An", phone="0912345678", identity_verified=True)
    w.terms = ProcedureTerms(
        code="1.001193",
        name="Đăng ký khai sinh",
        field_name="Hộ tịch",
        days=3,
        cutoff=time(15, 0),
        fee=0,
        steps=[
            # No head-of-department review step: the specialist submits straight to the
            # leader (``head_review_terms`` has the catalogue's default process with it).
            {"name": "Tiếp nhận", "role": "reception", "share": 10},
            {"name": "Thẩm định", "role": "specialist", "share": 50},
            {"name": "Phê duyệt", "role": "leader", "share": 20},
            {"name": "Trả kết quả", "role": "reception", "share": 10},
        ],
        documents=[{"name": "Tờ khai đăng ký khai sinh", "mandatory": True}, {"name": "Giấy chứng sinh", "mandatory": True}],
        competent_unit=w.dept,
    )
    return w


def head_review_terms(world, **kw):
    """The catalogue's default internal process, with the head of department's review."""
    import dataclasses

    steps = [
        {"name": "Tiếp nhận hồ sơ", "role": "reception", "share": 5},
        {"name": "Chuyển hồ sơ đến đơn vị giải quyết", "role": "reception", "share": 5},
        {"name": "Thẩm định, đề xuất kết quả", "role": "specialist", "share": 50},
        {"name": "Trưởng phòng xem xét", "role": "unit_head", "share": 15},
        {"name": "Lãnh đạo UBND phê duyệt, ký", "role": "leader", "share": 15},
        {"name": "Trả kết quả", "role": "reception", "share": 10},
    ]
    return dataclasses.replace(world.terms, steps=steps, **kw)


def applicant(**kw):
    base = dict(name="Nguyễn Văn An", id_number="038095000123", address="Thôn 1, xã Ngọc Liên", phone="0912345678", email="an@example.vn")
    base.update(kw)
    return Applicant(**base)


def components(with_file=True):
    f = ContentFile(PDF, name="to-khai.pdf") if with_file else None
    return [ComponentIn(name="Tờ khai đăng ký khai sinh", file=f), ComponentIn(name="Giấy chứng sinh", reused=True)]


@pytest.fixture
def make_intake(world):
    def make(now=None, **kw):
        args = dict(
            officer=world.reception,
            terms=world.terms,
            applicant=applicant(),
            components=components(),
            receiving_unit=world.centre,
            now=now or at(2026, 3, 2, 9, 0),
        )
        args.update(kw)
        return services.intake(**args)

    return make


def statements(fn, *args, **kwargs) -> int:
    """How many SQL statements ``fn(*args, **kwargs)`` runs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as q:
        fn(*args, **kwargs)
    return len(q.captured_queries)


def api_as(user):
    """A DRF test client authenticated as ``user``."""
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(user)
    return api


def result_pdf():
    return ContentFile(PDF, name="ket-qua.pdf")


CATALOGUE_FILE = Path(__file__).resolve().parents[2] / "catalog" / "fixtures" / "procedures.csv"


@pytest.fixture
def catalogue(db):
    """The bundled procedure catalogue, imported."""
    from xaso.catalog.importer import import_file

    report = import_file(CATALOGUE_FILE)
    assert report.ok, report.errors


@pytest.fixture
def vietnamese_pages(settings):
    """Pages rendered in Vietnamese for an official without the 2FA step, static files
    from the finders, a fresh cache (for tests that read page text)."""
    from django.core.cache import cache
    from django.utils import translation

    settings.XASO_TWO_FACTOR_REQUIRED_ROLES = []
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    cache.clear()
    with translation.override("vi"):
        yield

