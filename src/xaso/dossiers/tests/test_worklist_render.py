"""The worklist table and filter options are built in Python: escaped, same content."""
from types import SimpleNamespace

from django.template import Context, Template

from xaso.dossiers.selectors import Row

from .conftest import api_as


def _row(**kw):
    d = SimpleNamespace(code="000.01.99.H56-261128-0001", green_lane=True)
    base = dict(dossier=d, clock=object(), level="overdue", status_label="Đang xử lý", procedure_text="<script>x</script> Khai sinh",
                due_text="15:00 28/11/2026", hours_text="2,5 giờ làm việc", badge_class="text-bg-danger", badge_label="Quá hạn")
    base.update(kw)
    return Row(**base)


def render(src, **ctx):
    return Template("{% load dossiers_tags %}" + src).render(Context(ctx))


def test_rows_are_escaped_and_complete():
    html = render("{% worklist_table rows %}", rows=[_row(), _row(clock=None, badge_label="", level="none")])
    assert "&lt;script&gt;x&lt;/script&gt; Khai sinh" in html and "<script>" not in html
    assert html.count('<tr class="dossier-row') == 2
    assert 'class="dossier-row level-overdue"' in html and "/ho-so/000.01.99.H56-261128-0001/" in html
    assert '<span class="badge text-bg-danger">Quá hạn</span>' in html and "Quá hạn</span> <span class=\"small text-body-secondary\">2,5 giờ làm việc" in html and "-2,5" not in html
    assert html.count("text-bg-success") == 2  # green lane badge on both


def test_empty_table_says_so():
    assert "Không có hồ sơ nào." in render("{% worklist_table rows %}", rows=[])


def test_select_options_mark_the_selected_one_and_escape():
    html = render("{% select_options choices sel %}", choices=[(1, "Trực tiếp"), (2, "<b>Trực tuyến</b>")], sel="2")
    assert html == '<option value="1">Trực tiếp</option><option value="2" selected>&lt;b&gt;Trực tuyến&lt;/b&gt;</option>'
    assert render("{% select_options choices sel %}", choices=["Hộ tịch"], sel="") == '<option value="Hộ tịch">Hộ tịch</option>'


def test_api_list_matches_the_list_serializer(db, world, make_intake):
    
    from xaso.dossiers.api import LIST_FIELDS, DossierListItemSerializer
    from xaso.dossiers.models import Dossier

    make_intake()
    make_intake()
    api = api_as(world.reception)
    data = api.get("/api/v1/dossiers/").json()
    expected = DossierListItemSerializer(Dossier.objects.order_by("-green_lane", "due_at", "id").select_related("current_unit"), many=True).data
    assert data["count"] == 2 and data["results"] == [dict(x) for x in expected]
    assert set(data["results"][0]) == set(LIST_FIELDS) | {"current_unit"}
    assert data["results"][0]["received_at"].endswith("+07:00")
