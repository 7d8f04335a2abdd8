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
