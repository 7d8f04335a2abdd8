"""Online submission through the pages: a draft saved at every step, prefilled from the
account, documents uploaded or reused from the vault, the fee shown, one dossier per
submission; and every bad input refused with a message naming the field."""
import uuid

import pytest
from django.urls import reverse

from xaso.dossiers.models import Component, Dossier
from xaso.dossiers.states import Status
from xaso.portal import services
from xaso.portal.models import Draft
from xaso.vault.models import Document, DocumentType

from .helpers import jpeg, logged_in, pdf

pytestmark = pytest.mark.django_db


def start(client, procedure):
    r = client.post(reverse("portal:submit_start", args=[procedure.code]))
    assert r.status_code == 302, r.content[:500]
    return Draft.objects.get(public_id=r.url.split("/")[-3])


def fill_applicant(client, draft, **extra):
    data = {"role": "self", "name": "Nguyễn Văn An", "id_number": "038085001234", "address": "Thôn Liên Sơn, xã Ngọc Liên", "phone": "0912345678", "email": ""}
    data.update(extra)
    return client.post(reverse("portal:draft_applicant", args=[draft.public_id]), data)


def birth_certificate(owner, **kw):
    from django.core.files.base import ContentFile

    t = DocumentType.objects.get(code="giay-chung-sinh")
    doc = Document(owner=owner, doc_type=t, title="Giấy chứng sinh của bé Bình", number="GCS-123", source=Document.Source.UPLOAD, content_type="application/pdf", size=len(b"%PDF-1.4 gcs"), sha256=uuid.uuid4().hex * 2, **kw)
    doc.file.save("gcs.pdf", ContentFile(b"%PDF-1.4 gcs"), save=False)
    doc.save()
    return doc


def test_full_submission_with_photo_and_vault_reuse(client, commune, birth):
    logged_in(client, commune.citizen)
    reused = birth_certificate(commune.citizen)
    # The procedure page offers online submission.
    page = client.get(reverse("catalog:detail", args=[birth.code]))
    assert reverse("portal:submit_start", args=[birth.code]) in page.content.decode()
    draft = start(client, birth)
    # Step 1 is prefilled from the account.
    r = client.get(reverse("portal:draft_applicant", args=[draft.public_id]))
    html = r.content.decode()
    assert "Nguyễn Văn An" in html and "038085001234" in html
    assert fill_applicant(client, draft).status_code == 302
    # Step 2: a photo for the form, the birth certificate from the vault.
    url = reverse("portal:draft_document", args=[draft.public_id, 0])
    r = client.post(url, {"action": "upload", "files": [jpeg(size=(4000, 3000), exif_gps=True)]})
    assert r.status_code == 302
    r = client.get(reverse("portal:draft_documents", args=[draft.public_id]))
    assert "Giấy chứng sinh của bé Bình" in r.content.decode()
    r = client.post(reverse("portal:draft_document", args=[draft.public_id, 1]), {"action": "vault", "vault": reused.pk})
    assert r.status_code == 302
    # Step 3: delivery; the fee is shown.
    r = client.get(reverse("portal:draft_delivery", args=[draft.public_id]))
    assert "fees-title" in r.content.decode()
    r = client.post(reverse("portal:draft_delivery", args=[draft.public_id]), {"commune": commune.commune.pk, "delivery": "online", "pickup": "", "post_address": "", "request_summary": ""})
    assert r.status_code == 302, r.content.decode()[:2000]
    # Step 4: review and submit, twice (a double tap): one dossier.
    review = reverse("portal:draft_review", args=[draft.public_id])
    assert client.get(review).status_code == 200
    r1 = client.post(review)
    r2 = client.post(review)
    assert r1.status_code == 302 and r2.status_code == 302
    assert Dossier.objects.filter(applicant_account=commune.citizen).count() == 1
    d = Dossier.objects.get(applicant_account=commune.citizen)
    assert d.status == Status.SUBMITTED and d.channel == 2 and d.receiving_unit == commune.centre
    comps = list(d.components.order_by("id"))
    assert [c.name for c in comps] == ["Tờ khai đăng ký khai sinh theo mẫu", "Giấy chứng sinh (nếu không có: văn bản của người làm chứng)"]
    photo, cert = comps
    assert photo.content_type == "image/jpeg" and photo.digitised and not photo.reused
    from PIL import Image

    with photo.file.open("rb") as f:
        img = Image.open(f)
        assert max(img.size) == 2000  # downscaled
        assert not img.getexif()  # EXIF (GPS, device) stripped
    assert cert.reused and cert.file.name == reused.file.name  # nothing copied
    assert reused.reuses.get().component == cert
    # The photo went into the vault (kept once).
    assert Document.objects.filter(owner=commune.citizen, file=photo.file.name).exists()
    # The dossier page says what happens next.
    r = client.get(reverse("portal:my_dossier", args=[d.code]) + "?moi=1")
    assert d.code in r.content.decode()
    draft.refresh_from_db()
    assert draft.dossier == d and not draft.files.exists()


def test_agent_submits_for_someone_else(commune, birth):
    from .helpers import pdf

    draft = services.start_draft(commune.citizen, birth)
    prefilled = services.prefill_applicant(commune.citizen, "agent")
    assert prefilled["agent_name"] == "Nguyễn Văn An" and prefilled["agent_id_number"] == "038085001234"
    services.save_applicant(draft, prefilled | {"name": "Hà Thị Lan", "id_number": "038190000111", "address": "Thôn 2", "phone": "0911000111",
                                                "authorisation_document": "Giấy ủy quyền số 5 ngày 01/03/2026"})
    services.add_files(draft, 0, [pdf()])
    services.save_delivery(draft, {"commune": commune.commune.pk, "delivery": "online"})
    d = services.submit(draft, commune.citizen)
    assert (d.applicant_name, d.agent_name, d.authorisation_document) == ("Hà Thị Lan", "Nguyễn Văn An", "Giấy ủy quyền số 5 ngày 01/03/2026")
    assert d.applicant_account == commune.citizen
    # Someone else's documents do not go into the agent's vault.
    assert not Document.objects.filter(owner=commune.citizen).exists()


def test_business_submits(commune, birth):
    from .helpers import pdf

    draft = services.start_draft(commune.business, birth)
    values = services.prefill_applicant(commune.business, "business")
    assert values["id_number"] == "2801234564" and values["name"].startswith("Hợp tác xã")
    services.save_applicant(draft, values)
    services.add_files(draft, 0, [pdf()])
    services.save_delivery(draft, {"commune": commune.commune.pk, "delivery": "post", "post_address": "Thôn 3, xã Ngọc Liên"})
    d = services.submit(draft, commune.business)
    assert d.applicant_kind == "organisation" and d.applicant_id_number == "2801234564" and d.delivery == "post"
    assert "Thôn 3, xã Ngọc Liên" in d.request_summary


def test_online_fee_shown_and_priced(client, commune, partial):
    from xaso.portal import selectors

    lines, total, undetermined = selectors.fee_preview(partial.current_version(), {"1": 3})
    assert (lines[0]["unit_price"], lines[0]["quantity"], total, undetermined) == (4000, 3, 12000, False)
    logged_in(client, commune.citizen)
    draft = services.start_draft(commune.citizen, partial)
    html = client.get(reverse("portal:draft_delivery", args=[draft.public_id])).content.decode()
    assert "4.000 đ/bản sao × 1 = 4.000 đ" in html
    r = client.post(reverse("portal:draft_delivery", args=[draft.public_id]), {"commune": commune.commune.pk, "delivery": "online", "qty_1": "-1"})
    assert r.status_code == 400 and 'id="id_qty_1_error"' in r.content.decode()
    r = client.post(reverse("portal:draft_delivery", args=[draft.public_id]), {"commune": commune.commune.pk, "delivery": "online", "qty_1": "3"})
    assert r.status_code == 302
    assert "12.000 đ" in client.get(reverse("portal:draft_review", args=[draft.public_id])).content.decode()
