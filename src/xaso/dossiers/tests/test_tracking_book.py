"""The tracking book entry given at receipt (BM.01 "Vào Sổ theo dõi hồ sơ, Quyển số …; Số thứ
tự …"; BM.06 "kept per field or group of fields"): one book per receiving unit, field and
year (or per unit, ``XASO_TRACKING_BOOK_PER``), numbered without gap, printed on the receipt,
shown on the dossier page and in the tracking book XLSX."""
import dataclasses
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from xaso.core.tests.parallel import run_parallel
from xaso.dossiers import documents, services
from xaso.dossiers.models import Dossier, IssuedDocument, TrackingBookCounter

from .conftest import applicant, at, components
from .test_concurrency import pg_only
from .test_documents import docx_text, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_field(world):
    return dataclasses.replace(world.terms, code="2.000815", name="Chứng thực bản sao từ bản chính", field_name="Chứng thực")


def entry(d):
    d = Dossier.objects.get(pk=d.pk)
    return d.book_volume, d.book_seq


def test_one_book_per_unit_field_and_year(world, make_intake, other_field):
    a = make_intake(now=at(2026, 3, 2, 9))
    b = make_intake(now=at(2026, 3, 2, 10))
    c = make_intake(now=at(2026, 3, 3, 9), terms=other_field)
    d = make_intake(now=at(2026, 3, 4, 9))
    e = make_intake(now=at(2027, 1, 4, 9))
    other_unit = make_intake(now=at(2026, 3, 2, 9), receiving_unit=world.other_commune, officer=world.outsider_reception)
    assert [entry(x) for x in (a, b, c, d, e)] == [("HT-2026", 1), ("HT-2026", 2), ("CT-2026", 1), ("HT-2026", 3), ("HT-2027", 1)]
    assert entry(other_unit) == ("HT-2026", 1)  # another desk keeps its own books
    assert TrackingBookCounter.objects.get(unit=world.centre, year=2026, field="Hộ tịch").last == 3


def test_books_kept_per_unit(world, make_intake, other_field, settings):
    settings.XASO_TRACKING_BOOK_PER = "unit"
    a = make_intake(now=at(2026, 3, 2, 9))
    b = make_intake(now=at(2026, 3, 2, 10), terms=other_field)
    assert [entry(a), entry(b)] == [("STD-2026", 1), ("STD-2026", 2)]


def test_online_dossiers_enter_the_book_when_received(world, make_intake):
    make_intake(now=at(2026, 3, 2, 9))
    online = services.submit_online(user=world.citizen, terms=world.terms, applicant=applicant(), components=components(), receiving_unit=world.centre, now=at(2026, 3, 2, 20))
    refused = services.submit_online(user=world.citizen, terms=world.terms, applicant=applicant(), components=components(), receiving_unit=world.centre, now=at(2026, 3, 2, 21))
    assert entry(online) == ("", None)
    services.refuse_reception(refused, world.reception, reasons="Không thuộc thẩm quyền", now=at(2026, 3, 3, 8))
    services.receive(online, world.reception, now=at(2026, 3, 3, 8, 30))
    assert entry(online) == ("HT-2026", 2)
    assert entry(refused) == ("", None)  # never received: not in the book


def test_a_rolled_back_receipt_gives_its_number_back(world, make_intake, monkeypatch):
    make_intake(now=at(2026, 3, 2, 9))

    def fail(*a, **kw):
        raise services.DossierError("failure after the book number was drawn")

    with monkeypatch.context() as m:
        m.setattr(services, "_event", fail)
        with pytest.raises(services.DossierError):
            make_intake(now=at(2026, 3, 2, 10))
    assert entry(make_intake(now=at(2026, 3, 2, 11))) == ("HT-2026", 2)


def test_one_upsert_per_receipt(world, make_intake):
    make_intake(now=at(2026, 3, 2, 8, 0))  # warm the caches
    with CaptureQueriesContext(connection) as q:
        make_intake(now=at(2026, 3, 2, 9, 0))
    statements = [x["sql"] for x in q.captured_queries]
    assert sum('"dossiers_trackingbookcounter"' in s for s in statements) == 1


@pg_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_receipts_have_no_gap_or_duplicate_in_the_book(world, make_intake):
    n = 12

    def one(i):
        return make_intake(now=at(2026, 3, 2, 9, i)).pk

    pks, errors = run_parallel(n, one)
    assert not errors, errors
    assert sorted(Dossier.objects.filter(pk__in=pks).values_list("book_seq", flat=True)) == list(range(1, n + 1))


def test_receipt_pdf_docx_and_dossier_page(client, world, make_intake, settings):
    settings.XASO_TWO_FACTOR_REQUIRED_ROLES = []
    make_intake(now=at(2026, 3, 2, 9))
    d = make_intake(now=at(2026, 3, 2, 9, 5))
    doc = IssuedDocument.objects.get(dossier=d, kind="receipt")
    assert "Vào Sổ theo dõi hồ sơ, Quyển số: HT-2026; Số thứ tự: 2" in pdf_text(documents.render_pdf(doc))
    assert "Vào Sổ theo dõi hồ sơ, Quyển số: HT-2026; Số thứ tự: 2" in docx_text(documents.render_docx(doc))
    client.force_login(world.reception)
    html = client.get(reverse("dossiers:detail", args=[d.code])).content.decode()
    assert 'id="book-entry"' in html and "HT-2026" in html


def test_tracking_book_xlsx_one_sheet_per_book(world, make_intake, other_field):
    a = make_intake(now=at(2026, 3, 2, 9))
    c = make_intake(now=at(2026, 3, 3, 9), terms=other_field)
    b = make_intake(now=at(2026, 3, 4, 9))
    Dossier.objects.filter(pk=b.pk).update(book_volume="", book_seq=None)  # received before the electronic books
    wb = load_workbook(io.BytesIO(documents.tracking_book(world.commune, date(2026, 3, 1), date(2026, 3, 31))))
    assert wb.sheetnames == ["CT-2026", "HT-2026", "Chua vao so"]
    rows = {name: [tuple(r) for r in wb[name].iter_rows(values_only=True)] for name in wb.sheetnames}
    assert rows["HT-2026"][3][0] == "Quyển số: HT-2026 · Lĩnh vực: Hộ tịch"
    assert [(r[0], r[1]) for r in rows["HT-2026"][6:]] == [(1, a.code)]
    assert [(r[0], r[1]) for r in rows["CT-2026"][6:]] == [(1, c.code)]
    assert [r[1] for r in rows["Chua vao so"][6:]] == [b.code]
    # one field's book
    wb = load_workbook(io.BytesIO(documents.tracking_book(world.commune, date(2026, 3, 1), date(2026, 3, 31), field="Chứng thực")))
    assert wb.sheetnames == ["CT-2026"]


def test_book_page_downloads_one_fields_book(client, world, make_intake, other_field, settings):
    settings.XASO_TWO_FACTOR_REQUIRED_ROLES = []
    make_intake(now=at(2026, 3, 2, 9))
    make_intake(now=at(2026, 3, 3, 9), terms=other_field)
    client.force_login(world.reception)
    r = client.get(reverse("dossiers:book"), {"unit": world.centre.pk, "from": "2026-03-01", "to": "2026-03-31", "download": "1", "field": "Hộ tịch"})
    assert r.status_code == 200 and load_workbook(io.BytesIO(r.content)).sheetnames == ["HT-2026"]
