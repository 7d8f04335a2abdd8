"""Every bad input of an online submission gets a clear Vietnamese message naming the field,
and nothing is lost, half-saved or leaked."""
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from xaso.dossiers.models import Dossier
from xaso.portal import services
from xaso.portal.models import Draft, DraftFile

from .helpers import PDF, jpeg, logged_in, pdf, submitted
from .test_submission import birth_certificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(commune, birth):
    d = services.start_draft(commune.citizen, birth)
    services.save_applicant(d, services.prefill_applicant(commune.citizen) | {"address": "Thôn 1"})
    return d


def add(draft, *files, index=0):
    with pytest.raises(ValidationError) as exc:
        services.add_files(draft, index, list(files))
    return " ".join(exc.value.messages)


def test_wrong_type(draft):
    msg = add(draft, SimpleUploadedFile("virus.exe", b"MZ\x90\x00", content_type="application/octet-stream"))
    assert "virus.exe" in msg and "Tờ khai đăng ký khai sinh" in msg and "không" in msg
    assert not draft.files.exists()


def test_empty_file(draft):
    msg = add(draft, SimpleUploadedFile("trong.pdf", b"", content_type="application/pdf"))
    assert msg == "Tệp “trong.pdf” (Tờ khai đăng ký khai sinh theo mẫu) không có nội dung."


def test_disguised_file(draft):
    # A PDF named like a photo, and a text file named like a PDF.
    msg = add(draft, SimpleUploadedFile("anh.jpg", PDF, content_type="image/jpeg"))
    assert "anh.jpg" in msg and "không khớp" in msg
    msg = add(draft, SimpleUploadedFile("to-khai.pdf", b"<html>hi</html>", content_type="application/pdf"))
    assert "to-khai.pdf" in msg and "không khớp" in msg


def test_broken_photo(draft):
    msg = add(draft, SimpleUploadedFile("hong.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 200, content_type="image/jpeg"))
    assert "hong.jpg" in msg and "bị hỏng" in msg


def test_photo_of_20_mb(draft, settings):
    big = SimpleUploadedFile("anh-20mb.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * (20 * 1024 * 1024), content_type="image/jpeg")
    msg = add(draft, big)
    assert "anh-20mb.jpg" in msg and "20,0 MB" in msg and "tối đa 10 MB" in msg
    assert not draft.files.exists()


def test_photo_with_too_many_pixels(draft, settings):
    settings.XASO_UPLOAD_MAX_PIXELS = 1_000_000
    msg = add(draft, jpeg(size=(2000, 1000)))
    assert "2000 × 1000" in msg


def test_one_bad_file_keeps_none(draft):
    add(draft, pdf(), SimpleUploadedFile("x.pdf", b"", content_type="application/pdf"))
    assert not draft.files.exists()


def test_dossier_total_limit(draft, settings):
    settings.XASO_UPLOAD_MAX_DOSSIER_MB = 0
    msg = add(draft, pdf())
    assert "tối đa 0 MB" in msg


def test_too_many_files_per_document(draft, settings):
    settings.XASO_UPLOAD_MAX_FILES_PER_DOCUMENT = 2
    msg = add(draft, pdf(), pdf(), pdf())
    assert "tối đa 2 tệp" in msg


def test_missing_mandatory_document(client, commune, draft):
    services.save_delivery(draft, {"commune": commune.commune.pk, "delivery": "online"})
    logged_in(client, commune.citizen)
    r = client.post(reverse("portal:draft_review", args=[draft.public_id]))
    assert r.status_code == 400
    html = r.content.decode()
    assert "“Tờ khai đăng ký khai sinh theo mẫu” là bắt buộc" in html
    assert not Dossier.objects.exists()


def test_another_persons_vault_item(client, commune, draft):
    theirs = birth_certificate(commune.other)
    with pytest.raises(ValidationError) as exc:
        services.choose(draft, 1, "vault", theirs.pk)
    assert "không có trong kho của bạn" in " ".join(exc.value.messages)
    logged_in(client, commune.citizen)
    assert client.get(reverse("vault:document", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("vault:download", args=[theirs.pk])).status_code == 404


def test_expired_vault_item(commune, draft):
    from xaso.vault.models import DocumentType

    expired = birth_certificate(commune.citizen, valid_until=timezone.localdate() - timedelta(days=1))
    with pytest.raises(ValidationError) as exc:
        services.choose(draft, 1, "vault", expired.pk)
    assert "đã hết hiệu lực" in " ".join(exc.value.messages)
    # Chosen while valid, expired before the submission: refused at submit, named.
    still = birth_certificate(commune.citizen)
    services.choose(draft, 1, "vault", still.pk)
    still.valid_until = timezone.localdate() - timedelta(days=1)
    still.save()
    assert "documents" in services.problems(draft)
    assert DocumentType.objects.get(code="giay-chung-sinh")


def test_wrong_type_of_vault_item(commune, draft):
    from django.core.files.base import ContentFile

    from xaso.vault.models import Document, DocumentType

    cccd = Document(owner=commune.citizen, doc_type=DocumentType.objects.get(code="can-cuoc"), title="CCCD", source="upload", content_type="application/pdf", size=3, sha256="c" * 64)
    cccd.file.save("c.pdf", ContentFile(b"%PD"), save=False)
    cccd.save()
    with pytest.raises(ValidationError) as exc:
        services.choose(draft, 1, "vault", cccd.pk)
    assert "Giấy chứng sinh" in " ".join(exc.value.messages)


def test_draft_of_another_account(client, commune, draft):
    logged_in(client, commune.other)
    for name in ("draft_applicant", "draft_documents", "draft_delivery", "draft_review"):
        assert client.get(reverse(f"portal:{name}", args=[draft.public_id])).status_code == 404
    assert client.post(reverse("portal:draft_review", args=[draft.public_id])).status_code == 404
    assert client.post(reverse("portal:draft_document", args=[draft.public_id, 0]), {"action": "upload", "files": [pdf()]}).status_code == 404
    assert not draft.files.exists()


def test_double_submit_gives_one_dossier(commune, birth):
    d1 = submitted(commune.citizen, birth)
    draft = Draft.objects.get(dossier=d1)
    d2 = services.submit(draft, commune.citizen)
    assert d2.pk == d1.pk and d2.replayed
    assert Dossier.objects.count() == 1


def test_applicant_errors_name_the_fields(commune):
    with pytest.raises(ValidationError) as exc:
        services.clean_applicant({"role": "self", "name": "", "id_number": "123", "address": "", "phone": "12"}, commune.citizen)
    errors = exc.value.message_dict
    assert set(errors) >= {"name", "id_number", "address", "phone"}
    with pytest.raises(ValidationError) as exc:
        services.clean_applicant({"role": "agent", "name": "Bà Lan", "id_number": "038190000111", "address": "x", "phone": "0911000111"}, commune.citizen)
    assert set(exc.value.message_dict) >= {"agent_name", "agent_id_number", "authorisation_document"}
    with pytest.raises(ValidationError) as exc:
        services.clean_applicant({"role": "business", "name": "HTX", "id_number": "123", "address": "x", "phone": "0911000111"}, commune.business)
    assert "id_number" in exc.value.message_dict


def test_counter_only_for_partial(commune, birth, partial):
    d = services.start_draft(commune.citizen, birth)
    with pytest.raises(ValidationError) as exc:
        services.choose(d, 0, "counter")
    assert "toàn trình" in " ".join(exc.value.messages)
    p = services.start_draft(commune.citizen, partial)
    services.choose(p, 0, "counter")
    assert p.data["documents"]["0"] == {"mode": "counter"}


def test_not_online(commune):
    from .helpers import make_procedure

    counter_only = make_procedure(code="T.0009", name="Hòa giải tranh chấp đất đai", online_level="unknown")
    with pytest.raises(ValidationError) as exc:
        services.start_draft(commune.citizen, counter_only)
    assert "chưa được cung cấp trực tuyến" in " ".join(exc.value.messages)


def test_old_drafts_are_cleaned(commune, birth, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    old = services.start_draft(commune.citizen, birth)
    services.add_files(old, 0, [pdf()])
    name = old.files.get().file.name
    Draft.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=91))
    fresh = services.start_draft(commune.other, birth)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("drafts_cleanup", stdout=__import__("io").StringIO())
    assert not Draft.objects.filter(pk=old.pk).exists() and Draft.objects.filter(pk=fresh.pk).exists()
    from django.core.files.storage import default_storage

    assert not default_storage.exists(name)
