"""Test helpers of the citizen portal: procedures, files, a logged-in citizen."""
import io

from django.core.files.uploadedfile import SimpleUploadedFile

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

BIRTH_DOCUMENTS = [
    {"name": "Tờ khai đăng ký khai sinh theo mẫu", "requirement": "mandatory", "submission": "submit"},
    {"name": "Giấy chứng sinh (nếu không có: văn bản của người làm chứng)", "requirement": "conditional", "submission": "submit"},
    {"name": "Xuất trình: giấy tờ tùy thân", "requirement": "mandatory", "submission": "present"},
]


def make_procedure(code="1.001193", name="Đăng ký khai sinh", online_level="full", documents=None, fees=None, days=3, result="Giấy khai sinh (bản chính)"):
    from xaso.catalog import services

    services.ensure_department_types()
    content = {
        "name": name, "field": "Hộ tịch", "online_level": online_level, "processing_amount": days,
        "processing_unit": "working_days", "result": result, "documents": documents or BIRTH_DOCUMENTS,
        "fees": fees or [{"kind": "free", "amount": None, "unit": "", "description": "", "online_amount": None}],
        "channels_known": True, "channel_online": True, "channel_counter": True,
    }
    return services.create_procedure(code, content)


def jpeg(size=(1200, 900), exif_gps=False, color=(200, 120, 40), name="anh.jpg") -> SimpleUploadedFile:
    from PIL import Image

    img = Image.new("RGB", size, color)
    out = io.BytesIO()
    kwargs = {}
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        gps = {1: "N", 2: (21.0, 2.0, 3.0), 3: "E", 4: (105.0, 50.0, 1.0)}
        exif[0x8825] = gps
        kwargs["exif"] = exif
    img.save(out, "JPEG", quality=92, **kwargs)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def pdf(name="to-khai.pdf", data=PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def logged_in(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def submitted(owner, procedure, *, files=None, delivery="online", commune_id=None, vault_doc=None):
    """A dossier submitted online through the portal's services (a PDF for the form)."""
    from xaso.portal import selectors, services

    draft = services.start_draft(owner, procedure)
    services.save_applicant(draft, services.prefill_applicant(owner) | {"address": owner.address or "Thôn 1, xã Ngọc Liên"})
    services.add_files(draft, 0, files or [pdf()])
    if vault_doc is not None:
        services.choose(draft, 1, "vault", vault_doc.pk)
    commune_id = commune_id or selectors.default_commune_id()
    services.save_delivery(draft, {"commune": commune_id, "delivery": delivery, "pickup": commune_id})
    return services.submit(draft, owner)


def result_pdf(name="ket-qua.pdf"):
    from django.core.files.base import ContentFile

    return ContentFile(PDF + b"% result", name=name)


def to_result(d, w, *, with_file=True):
    """Staff take an online dossier from reception to the electronic result."""
    from xaso.dossiers import services as ds

    d = ds.receive(d, w.reception)
    d = ds.transfer(d, w.reception)
    d = ds.assign(d, w.head, specialist=w.specialist)
    if d.has_head_review:
        d = ds.forward_for_approval(ds.submit_for_review(d, w.specialist), w.head)
    else:
        d = ds.submit_for_approval(d, w.specialist)
    d = ds.approve(d, w.leader)
    return ds.result_ready(d, w.specialist, result_number="12/KS", result_file=result_pdf() if with_file else None)
