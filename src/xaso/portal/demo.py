"""Demo data of the citizen portal: the demo citizens' document vaults, a VNeID-verified
second citizen, and online dossiers in every state a citizen sees (waiting for the
reception check, to complete before reception, waiting for a supplement, being handled,
result ready online, result returned with fees paid, refused, refused at reception,
stopped at the citizen's request) plus a draft to resume. Created through the portal's and
the dossiers' services, as people would.

Idempotent: nothing is added when the demo's marker dossier exists. The people and their
documents are invented (demo data)."""
import io
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from xaso.core.models import User

DEMO_KEY = "demo-portal"
SECOND_CITIZEN = {
    "username": "dan-0911222333", "phone": "0911222333", "full_name": "Hà Thị Lan",
    "national_id": "038190002345", "address": "Thôn Ngọc Trung, xã Ngọc Liên, tỉnh Thanh Hóa", "identity_verified": True,
}


def _font(size):
    from django.conf import settings
    from PIL import ImageFont

    for name in ("LiberationSans-Regular.ttf", "LiberationSerif-Regular.ttf"):
        path = f"{getattr(settings, 'XASO_FONT_DIR', '/usr/share/fonts/truetype/liberation2')}/{name}"
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default()


def scan(title: str, lines=(), *, fmt="PDF") -> ContentFile:
    """A demo "scan": an A5-like page with the document's title, marked as demo data."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (827, 1169), "white")
    draw = ImageDraw.Draw(img)
    draw.rectangle((30, 30, 797, 1139), outline=(120, 0, 0), width=4)
    draw.text((60, 70), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", fill="black", font=_font(30))
    draw.text((60, 120), "Độc lập - Tự do - Hạnh phúc", fill="black", font=_font(26))
    draw.text((60, 240), title.upper(), fill=(120, 0, 0), font=_font(34))
    for i, line in enumerate(lines):
        draw.text((60, 330 + 50 * i), line, fill="black", font=_font(26))
    draw.text((60, 1060), "DỮ LIỆU MẪU — không có giá trị pháp lý", fill=(160, 160, 160), font=_font(24))
    out = io.BytesIO()
    img.save(out, fmt, **({"resolution": 100.0} if fmt == "PDF" else {"quality": 80}))
    return ContentFile(out.getvalue(), name=f"{'tai-lieu'}.{'pdf' if fmt == 'PDF' else 'jpg'}")


def load(stdout) -> None:
    from xaso.dossiers.models import Dossier

    if Dossier.objects.filter(request_key__startswith=DEMO_KEY).exists():
        stdout.write("  portal: demo citizens' dossiers and vaults already present; nothing added")
        return
    an = User.objects.filter(username="dan-0912345678").first()
    staff = {u.username: u for u in User.objects.filter(username__in=["motcua", "truongphong", "chuyenvien", "chutich"])}
    from xaso.catalog.models import Procedure

    procedures = {p.code: p for p in Procedure.objects.filter(code__in=["1.001193", "1.004873", "2.000635"])}
    if an is None or len(staff) < 4 or len(procedures) < 3:
        stdout.write("  portal: demo citizen, officials or online procedures missing (core, catalog demos first); skipped")
        return
    from xaso.vault.defaults import ensure_document_types

    from .defaults import ensure_life_events

    ensure_document_types()
    ensure_life_events()
    lan = _second_citizen()
    docs = _vaults(an, lan)
    counts = _dossiers(an, lan, staff, procedures, docs)
    stdout.write(f"  portal: vault documents for 2 citizens ({sum(len(v) for v in docs.values())}), online dossiers: {counts}")
    stdout.write(f"  Second citizen, verified with VNeID (level 2): phone {SECOND_CITIZEN['phone']} — log in at /dang-nhap/.")


def _second_citizen():
    from .models import NationalIdentity

    user = User.objects.filter(username=SECOND_CITIZEN["username"]).first()
    if user is None:
        user = User(kind=User.Kind.CITIZEN, **SECOND_CITIZEN)
        user.set_unusable_password()
        user.save()
    NationalIdentity.objects.get_or_create(user=user, defaults={"id_number": user.national_id, "subject": user.national_id, "issuer": "demo", "level": 2})
    return user


def _vaults(an, lan):
    from xaso.vault import services as vault
    from xaso.vault.models import DocumentType

    t = {x.code: x for x in DocumentType.objects.all()}
    today = timezone.localdate()

    def add(owner, code, title, lines, **kw):
        return vault.upload(owner, file=scan(title, lines, fmt="JPEG"), doc_type=t[code], title=title, **kw)

    out = {"an": [], "lan": []}
    out["an"].append(add(an, "can-cuoc", "Căn cước công dân — Nguyễn Văn An", ["Số: 038085001234", "Có giá trị đến: 15/06/2035"],
                         number="038085001234", issuer="Cục Cảnh sát QLHC về TTXH", issued_on=date(2021, 6, 15), valid_until=date(2035, 6, 15)))
    out["an"].append(add(an, "giay-chung-sinh", "Giấy chứng sinh của bé Nguyễn Minh Khang", ["Số: 2026/GCS-0412", "Trạm Y tế xã Ngọc Liên"],
                         number="2026/GCS-0412", issuer="Trạm Y tế xã Ngọc Liên", issued_on=today - timedelta(days=12)))
    out["an"].append(add(an, "giay-khai-sinh", "Giấy khai sinh — Nguyễn Văn An", ["Số: 112/1985", "UBND xã Ngọc Liên"],
                         number="112/1985", issuer="UBND xã Ngọc Liên", issued_on=date(1985, 4, 2)))
    out["an"].append(add(an, "tinh-trang-hon-nhan", "Giấy xác nhận tình trạng hôn nhân (đã hết hạn)", ["Số: 45/XNHN", "Có giá trị 6 tháng"],
                         number="45/XNHN", issuer="UBND xã Ngọc Liên", issued_on=today - timedelta(days=400), valid_until=today - timedelta(days=217)))
    out["lan"].append(add(lan, "can-cuoc", "Căn cước — Hà Thị Lan", ["Số: 038190002345"], number="038190002345",
                          issuer="Bộ Công an", issued_on=date(2024, 8, 1), valid_until=date(2039, 8, 1)))
    out["lan"].append(add(lan, "cu-tru", "Giấy xác nhận thông tin về cư trú — Hà Thị Lan", ["Thôn Ngọc Trung"],
                          issuer="Công an xã Ngọc Liên", issued_on=today - timedelta(days=30), valid_until=today + timedelta(days=335)))
    return out


def _submit(owner, procedure, n, *, vault_doc=None, delivery="online", quantities=None, pickup=None):
    from . import selectors, services

    draft = services.start_draft(owner, procedure, new=True)
    draft.request_key = f"{DEMO_KEY}-{n}"
    draft.save(update_fields=["request_key"])
    services.save_applicant(draft, services.prefill_applicant(owner))
    services.add_files(draft, 0, [scan("Tờ khai", ["Người yêu cầu: " + owner.full_name])])
    if vault_doc is not None:
        services.choose(draft, 1, "vault", vault_doc.pk)
    commune = selectors.default_commune_id()
    values = {"commune": commune, "delivery": delivery, "pickup": pickup or commune}
    values.update({f"qty_{k}": v for k, v in (quantities or {}).items()})
    services.save_delivery(draft, values)
    return services.submit(draft, owner)


def _dossiers(an, lan, staff, procedures, docs):
    from xaso.dossiers import services as ds
    from xaso.dossiers.models import PaymentMethod

    from . import services

    reception, head, specialist, leader = staff["motcua"], staff["truongphong"], staff["chuyenvien"], staff["chutich"]
    birth, marital, copies = procedures["1.001193"], procedures["1.004873"], procedures["2.000635"]
    gcs = docs["an"][1]
    result = {}

    def processed(d):
        d = ds.receive(d, reception)
        d = ds.transfer(d, reception)
        return ds.assign(d, head, specialist=specialist)

    def to_leader(d):
        # To the head of department first when the procedure's process has the head's review.
        if d.has_head_review:
            return ds.forward_for_approval(ds.submit_for_review(d, specialist), head)
        return ds.submit_for_approval(d, specialist)

    def to_result(d, number):
        d = to_leader(processed(d))
        d = ds.approve(d, leader)
        return ds.result_ready(d, specialist, result_number=number, result_file=scan("Kết quả", [f"Số: {number}"]), summary="Kết quả giải quyết (dữ liệu mẫu).")

    # Waiting for the reception check, with the birth certificate reused from the vault.
    d = _submit(an, birth, 1, vault_doc=gcs)
    result[d.status] = result.get(d.status, 0) + 1
    # To complete before reception.
    d = _submit(an, marital, 2)
    d = ds.reception_supplement(d, reception, items=["Ảnh chụp tờ khai rõ nét, đủ chữ ký"], reason="Ảnh tờ khai bị mờ, không đọc được chữ ký.")
    result[d.status] = result.get(d.status, 0) + 1
    # Waiting for a supplement during processing (the clock is paused); fees still due.
    d = processed(_submit(an, copies, 3, quantities={1: 2}))
    d = ds.request_supplement(d, specialist, items=["Văn bản ủy quyền có chứng thực"], reason="Người yêu cầu cấp bản sao không phải chủ hồ sơ hộ tịch.")
    result[d.status] = result.get(d.status, 0) + 1
    # Being handled.
    d = processed(_submit(an, birth, 4))
    result[d.status] = result.get(d.status, 0) + 1
    # Result ready online: the electronic result is downloadable and in the vault.
    d = to_result(_submit(an, birth, 5), "215/2026/KS")
    result[d.status] = result.get(d.status, 0) + 1
    # Result returned at the counter, fees paid at the desk.
    d = _submit(an, copies, 6, delivery="counter", quantities={1: 1})
    d = to_result(d, "38/2026/BS")
    if d.fee_amount:
        ds.record_fee_payment(d, reception, amount=d.fee_amount, method=PaymentMethod.CASH, reference="BL-DEMO-0006")
    d = ds.return_result(d, reception, delivery="counter")
    result[d.status] = result.get(d.status, 0) + 1
    # Refused after processing.
    d = to_leader(processed(_submit(an, marital, 7)))
    d = ds.refuse(
        d,
        leader,
        reasons="Người yêu cầu đã đăng ký kết hôn; không đủ điều kiện cấp xác nhận (dữ liệu mẫu).",
        legal_basis="Điều 22 Nghị định 123/2015/NĐ-CP (dữ liệu mẫu).",
    )
    result[d.status] = result.get(d.status, 0) + 1
    # Refused at reception.
    d = ds.refuse_reception(_submit(an, copies, 8), reception, reasons="Hồ sơ hộ tịch gốc không lưu tại xã Ngọc Liên (dữ liệu mẫu).")
    result[d.status] = result.get(d.status, 0) + 1
    # Stopped at the citizen's own request, online.
    d = services.ask_to_stop(an, ds.receive(_submit(an, birth, 9), reception), "Gia đình đã đăng ký khai sinh tại nơi khác (dữ liệu mẫu).")
    result[d.status] = result.get(d.status, 0) + 1
    # The second citizen, verified with VNeID: one dossier being handled, a result online.
    d = processed(_submit(lan, marital, 10, vault_doc=None))
    result[d.status] = result.get(d.status, 0) + 1
    # A draft to resume.
    draft = services.start_draft(an, marital, new=True)
    services.save_applicant(draft, services.prefill_applicant(an))
    return ", ".join(f"{k}: {v}" for k, v in sorted(result.items())) + ", 1 draft"
