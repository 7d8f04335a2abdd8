"""A commune for the citizen portal's tests: the demo organisation (units, officials, the
demo citizen) and a few procedures made here (fast; no catalogue import)."""
import io
from types import SimpleNamespace

import pytest

from xaso.core.models import User

from .helpers import make_procedure


@pytest.fixture
def commune(db, settings, tmp_path):
    from xaso.core import demo as core_demo
    from xaso.core.models import Unit

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.XASO_TWO_FACTOR_REQUIRED_ROLES = []
    settings.XASO_PUBLIC_BASE_URL = "https://xaso.example"
    core_demo.load(io.StringIO())
    # Data the migrations ship is gone after a browser test flushed the database.
    from xaso.portal.defaults import ensure_life_events
    from xaso.vault.defaults import ensure_document_types

    ensure_document_types()
    ensure_life_events()
    w = SimpleNamespace()
    w.citizen = User.objects.get(username="dan-0912345678")
    w.business = User.objects.get(username="dan-0987654321")
    w.other = User.objects.create(username="dan-0911000111", kind=User.Kind.CITIZEN, phone="0911000111", full_name="Hà Thị Lan", national_id="038190000111")
    w.reception = User.objects.get(username="motcua")
    w.head = User.objects.get(username="truongphong")
    w.specialist = User.objects.get(username="chuyenvien")
    w.leader = User.objects.get(username="chutich")
    w.ngoclac_reception = User.objects.get(username="ngoclac.motcua")
    w.centre = Unit.objects.get(code="ngoc-lien-pvhcc")
    w.commune = Unit.objects.get(code="ngoc-lien")
    w.ngoclac = Unit.objects.get(code="ngoc-lac")
    w.ngoclac_centre = Unit.objects.get(code="ngoc-lac-pvhcc")
    return w


@pytest.fixture
def birth(commune):
    """A fully online procedure: a mandatory form, a conditional birth certificate."""
    return make_procedure()


@pytest.fixture
def partial(commune):
    """A partly online procedure with a per-unit fee (copies)."""
    return make_procedure(
        code="T.0002", name="Cấp bản sao trích lục hộ tịch", online_level="partial",
        documents=[
            {"name": "Tờ khai đề nghị cấp bản sao trích lục", "requirement": "mandatory", "submission": "submit"},
            {"name": "Văn bản ủy quyền (nếu ủy quyền)", "requirement": "conditional", "submission": "submit"},
            {"name": "Xuất trình: giấy tờ tùy thân", "requirement": "mandatory", "submission": "present"},
        ],
        fees=[{"kind": "per_unit", "amount": 8000, "unit": "bản sao", "description": "Phí cấp bản sao", "online_amount": 4000}],
    )
