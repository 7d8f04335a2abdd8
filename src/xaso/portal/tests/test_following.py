"""After submission: "Hồ sơ của tôi" (status in plain words, due date, what is expected,
history), supplement answered online (at reception and during processing, the clock
resumes), stop requested online, issued documents as signed PDFs, the electronic result
downloaded and kept in the vault."""
import pytest
from django.urls import reverse

from xaso.dossiers import services as ds
from xaso.dossiers.models import Dossier
from xaso.dossiers.states import Status
from xaso.vault.models import Document

from .helpers import jpeg, logged_in, pdf, submitted, to_result

pytestmark = pytest.mark.django_db


def test_my_dossiers_lists_only_mine_with_plain_status(client, commune, birth):
    mine = submitted(commune.citizen, birth)
    theirs = submitted(commune.other, birth)
    logged_in(client, commune.citizen)
    html = client.get(reverse("portal:my_dossiers")).content.decode()
    assert mine.code in html and theirs.code not in html
    # Another person's dossier: not found, whatever its code.
    assert client.get(reverse("portal:my_dossier", args=[theirs.code])).status_code == 404
    assert client.get(reverse("portal:result", args=[theirs.code])).status_code == 404
    comp = theirs.components.first()
    assert client.get(reverse("portal:component_file", args=[theirs.code, comp.pk])).status_code == 404


def test_officials_and_anonymous_are_kept_out(client, commune, birth):
    d = submitted(commune.citizen, birth)
    r = client.get(reverse("portal:my_dossier", args=[d.code]))
    assert r.status_code == 302 and reverse("portal:citizen_login") in r.url
    logged_in(client, commune.reception)
    assert client.get(reverse("portal:my_dossiers")).status_code == 403


def test_reception_supplement_answered_online(client, commune, birth):
    d = submitted(commune.citizen, birth)
    ds.reception_supplement(d, commune.reception, items=["Ảnh chụp tờ khai rõ nét"], reason="Ảnh bị mờ.")
    logged_in(client, commune.citizen)
    page = client.get(reverse("portal:my_dossier", args=[d.code])).content.decode()
    assert "Ảnh chụp tờ khai rõ nét" in page and reverse("portal:supplement", args=[d.code]) in page
    r = client.post(reverse("portal:supplement", args=[d.code]), {"item_0_files": [jpeg(), jpeg(color=(10, 10, 10))], "note": "Gửi lại ảnh"})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.SUBMITTED
    supp = d.components.filter(supplement_round=1)
    assert [c.content_type for c in supp] == ["application/pdf"]  # two photos, one PDF for the officer


def test_processing_supplement_answered_online_resumes_the_clock(client, commune, birth):
    d = submitted(commune.citizen, birth)
    d = ds.receive(d, commune.reception)
    d = ds.transfer(d, commune.reception)
    d = ds.assign(d, commune.head, specialist=commune.specialist)
    d = ds.request_supplement(d, commune.specialist, items=["Giấy chứng sinh"], reason="Thiếu giấy chứng sinh.")
    assert d.pauses.filter(ended_at__isnull=True).exists()
    logged_in(client, commune.citizen)
    r = client.post(reverse("portal:supplement", args=[d.code]), {"item_0_files": [pdf("gcs.pdf")]})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.IN_PROGRESS
    assert not d.pauses.filter(ended_at__isnull=True).exists()  # the clock runs again
    assert d.steps.order_by("-seq").first().given_by is None  # no official handed it on


def test_supplement_when_none_is_pending(client, commune, birth):
    d = submitted(commune.citizen, birth)
    logged_in(client, commune.citizen)
    r = client.post(reverse("portal:supplement", args=[d.code]), {"item_0_files": [pdf()]})
    assert r.status_code == 302
    msgs = [str(m) for m in r.wsgi_request._messages]
    assert msgs and "bổ sung" in msgs[0].lower()
    from django.core.exceptions import ValidationError

    from xaso.portal import services

    with pytest.raises(ValidationError) as exc:
        services.answer_supplement(commune.citizen, d, [{"item": "x", "files": [pdf()]}])
    assert "Không có yêu cầu bổ sung" in " ".join(exc.value.messages)


def test_stop_online(client, commune, birth):
    d = submitted(commune.citizen, birth)
    d = ds.receive(d, commune.reception)
    logged_in(client, commune.citizen)
    r = client.post(reverse("portal:stop", args=[d.code]), {"reasons": "", "confirm": "on"})
    assert r.status_code == 400 and "dừng" in r.content.decode()
    r = client.post(reverse("portal:stop", args=[d.code]), {"reasons": "Tôi nộp nhầm thủ tục.", "confirm": "on"})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.STOPPED and d.reasons == "Tôi nộp nhầm thủ tục."
    notice = d.documents.get(kind="stop")
    assert notice.issued_by is None  # issued by the system, no officer signs for the citizen
    r = client.get(reverse("portal:issued_document", args=[d.code, notice.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert r["Content-Disposition"].startswith("attachment")
    # No second stop, and none once a result exists.
    assert client.get(reverse("portal:stop", args=[d.code])).status_code == 302


def test_issued_receipt_and_result_into_the_vault(client, commune, birth):
    d = submitted(commune.citizen, birth)
    d = to_result(d, commune)
    logged_in(client, commune.citizen)
    page = client.get(reverse("portal:my_dossier", args=[d.code])).content.decode()
    receipt = d.documents.get(kind="receipt")
    assert reverse("portal:issued_document", args=[d.code, receipt.pk]) in page
    assert reverse("portal:result", args=[d.code]) in page
    r = client.get(reverse("portal:result", args=[d.code]))
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    assert b"".join(r.streaming_content).startswith(b"%PDF")
    doc = Document.objects.get(owner=commune.citizen, source=Document.Source.RESULT)
    assert doc.file.name == d.result_file.name  # the same stored file, not a copy
    assert doc.doc_type.code == "giay-khai-sinh" and doc.number == "12/KS" and doc.source_dossier == d
    assert "Ủy ban nhân dân xã Ngọc Liên" == doc.issuer
    vault = client.get(reverse("vault:list")).content.decode()
    assert doc.title in vault
    # The process-control sheet is internal.
    control = ds.issue_document(d, "control", unit=d.receiving_unit, user=commune.reception, now=d.finished_at)
    assert client.get(reverse("portal:issued_document", args=[d.code, control.pk])).status_code == 404


def test_expected_now(commune, birth):
    from xaso.portal import selectors

    d = submitted(commune.citizen, birth)
    assert selectors.expected_now(d) == []
    ds.reception_supplement(d, commune.reception, items=["x"], reason="y")
    d.refresh_from_db()
    assert [e.kind for e in selectors.expected_now(d)] == ["supplement"]
    assert selectors.plain_status(d) == "Cần bổ sung trước khi được tiếp nhận"


def test_counter_pickup_at_another_commune(commune, birth):
    from xaso.portal import selectors, services

    draft = services.start_draft(commune.citizen, birth)
    services.save_applicant(draft, services.prefill_applicant(commune.citizen) | {"address": "Thôn 1"})
    services.add_files(draft, 0, [pdf()])
    services.save_delivery(draft, {"commune": commune.commune.pk, "delivery": "counter", "pickup": commune.ngoclac.pk})
    d = services.submit(draft, commune.citizen)
    # Received and returned at Ngọc Lặc's desk, handled by Ngọc Liên's department.
    assert d.receiving_unit == commune.ngoclac_centre
    assert d.competent_unit.local_government == commune.commune
    assert d.delivery == "counter"
    assert commune.ngoclac_centre.pk in [x.centre.pk for x in selectors.desks()]
