"""The shipped list of document types (an administrator edits it in the admin): used by the
data migration and by ``ensure_document_types`` (demo, tests), which only adds what is
missing and never changes what an administrator edited."""

TYPES = [
    # (code, name, keywords, reusable, has_expiry, order)
    ("to-khai", "Tờ khai, đơn đề nghị", ["tờ khai", "đơn đề nghị", "đơn đăng ký", "giấy đề nghị", "văn bản đề nghị", "đơn xin", "văn bản yêu cầu"], False, False, 10),
    ("du-thao", "Dự thảo văn bản, giao dịch", ["dự thảo"], False, False, 15),
    ("uy-quyen", "Văn bản ủy quyền", ["ủy quyền", "uỷ quyền"], True, True, 20),
    ("giay-chung-sinh", "Giấy chứng sinh", ["giấy chứng sinh"], True, False, 30),
    ("giay-khai-sinh", "Giấy khai sinh, trích lục khai sinh", ["giấy khai sinh", "trích lục khai sinh"], True, False, 40),
    ("ket-hon", "Giấy chứng nhận kết hôn, trích lục kết hôn", ["giấy chứng nhận kết hôn", "trích lục kết hôn"], True, False, 50),
    ("tinh-trang-hon-nhan", "Giấy xác nhận tình trạng hôn nhân", ["xác nhận tình trạng hôn nhân"], True, True, 55),
    ("khai-tu", "Giấy báo tử, trích lục khai tử", ["giấy báo tử", "trích lục khai tử", "giấy chứng tử"], True, False, 60),
    ("cu-tru", "Giấy tờ chứng minh nơi cư trú", ["nơi cư trú", "xác nhận thông tin về cư trú"], True, True, 70),
    ("can-cuoc", "Căn cước, căn cước công dân, hộ chiếu", ["căn cước", "cccd", "chứng minh nhân dân", "cmnd", "hộ chiếu", "giấy tờ tùy thân"], True, True, 80),
    ("quyen-su-dung-dat", "Giấy chứng nhận quyền sử dụng đất", ["giấy chứng nhận quyền sử dụng đất", "giấy tờ về quyền sử dụng đất"], True, False, 90),
    ("dang-ky-kinh-doanh", "Giấy chứng nhận đăng ký kinh doanh", ["đăng ký hộ kinh doanh", "đăng ký kinh doanh", "đăng ký doanh nghiệp"], True, False, 100),
    ("xac-nhan-y-te", "Giấy xác nhận của cơ sở y tế", ["cơ sở y tế", "cơ quan y tế", "tổ chức y tế"], True, True, 110),
    ("ket-qua", "Kết quả giải quyết thủ tục hành chính", [], True, False, 900),
    ("khac", "Giấy tờ khác", [], False, False, 1000),
]



def ensure_document_types(model=None) -> int:
    """Add the shipped types that are missing; returns how many were added."""
    if model is None:
        from .models import DocumentType as model
    added = 0
    for code, name, keywords, reusable, has_expiry, order in TYPES:
        _obj, created = model.objects.get_or_create(
            code=code,
            defaults={"name": name, "keywords": "\n".join(keywords), "reusable": reusable, "has_expiry": has_expiry, "sort_order": order},
        )
        added += created
    return added
