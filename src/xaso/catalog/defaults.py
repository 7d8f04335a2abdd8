"""Documented defaults of the catalogue (pure data, no Django).

Everything here is a *starting value* an administrator reviews and edits in the admin;
none of it comes from the imported source file. See docs/catalog.md."""

# Kinds of commune departments a procedure step can be routed to. Each commune has its own
# units (xaso.core.models.Unit); a step is resolved to the commune's unit of this type.
# After the 2025 reform a commune has: the People's Committee Office (Văn phòng HĐND và UBND),
# the Economic Department (Phòng Kinh tế), the Culture and Society Department (Phòng Văn hóa
# - Xã hội), the public administrative service centre (Trung tâm Phục vụ hành chính công,
# NĐ 118/2025/NĐ-CP) and the commune police. Which department handles which field is
# UNCONFIRMED per commune: it is data (Field.default_department), not code.
DEPARTMENT_TYPES = [
    # key, name, expected Unit.Kind, other names the commune's unit may carry
    ("trung-tam-pvhcc", "Trung tâm Phục vụ hành chính công", "centre", ["Trung tâm PVHCC", "Bộ phận một cửa"]),
    ("van-phong", "Văn phòng HĐND và UBND", "office", ["Văn phòng UBND", "Văn phòng HĐND & UBND"]),
    ("kinh-te", "Phòng Kinh tế", "department", ["Phòng Kinh tế, Hạ tầng và Đô thị"]),
    ("van-hoa-xa-hoi", "Phòng Văn hóa - Xã hội", "department", ["Phòng Văn hoá - Xã hội", "Phòng VH-XH"]),
    ("cong-an", "Công an xã", "police", ["Công an phường"]),
]
RECEPTION_DEPARTMENT = "trung-tam-pvhcc"

# Default competent department per field, matched on the start of the normalised field name.
# UNCONFIRMED: the split of civil status/certification between the Office and the Culture
# and Society Department differs between communes; edit Field.default_department.
FIELD_DEPARTMENTS = [
    ("ho tich", "van-hoa-xa-hoi"),
    ("chung thuc", "van-hoa-xa-hoi"),
    ("dat dai", "kinh-te"),
    ("xay dung", "kinh-te"),
    ("ho kinh doanh", "kinh-te"),
    ("giam ngheo", "van-hoa-xa-hoi"),
    ("bao tro xa hoi", "van-hoa-xa-hoi"),
    ("nguoi co cong", "van-hoa-xa-hoi"),
    ("khieu nai", "van-phong"),
    ("cu tru", "cong-an"),
]

# Fields whose procedures get the "green lane" priority by default: the 2026–2030 reform
# plan of Ngọc Liên commune (section 2.3) lists investment, business, construction, real
# estate, land, forestry, minerals, labour and employment.
GREEN_LANE_FIELD_PREFIXES = [
    "dau tu", "doanh nghiep", "ho kinh doanh", "xay dung", "kinh doanh bat dong san",
    "dat dai", "lam nghiep", "khoang san", "lao dong", "viec lam",
]

# Supplement requests (vn-rules 1.5): the national indicator set (QĐ 766) pauses the clock
# and tolerates one request; NĐ 118/2025 art. 19–20 is UNCONFIRMED. Per-procedure values
# start from these; settings XASO_SUPPLEMENT_MODE / XASO_SUPPLEMENT_MAX_REQUESTS override.
SUPPLEMENT_MODE = "pause"
SUPPLEMENT_MAX_REQUESTS = 1

# Default internal process (vn-rules 1.3: receive → transfer → handle → return, NĐ 118/2025).
# (name, role, share of the total time in percent, inter-agency). Shares sum to 100.
DEFAULT_PROCESS = [
    ("Tiếp nhận hồ sơ", "reception", 5, False),
    ("Chuyển hồ sơ đến đơn vị giải quyết", "reception", 5, False),
    ("Thẩm định, đề xuất kết quả", "specialist", 50, False),
    ("Trưởng phòng xem xét", "head", 15, False),
    ("Lãnh đạo UBND phê duyệt, ký", "leader", 15, False),
    ("Trả kết quả", "reception", 10, False),
]
# For inter-agency (liên thông) procedures the appraisal share is split with a step at the
# other agency (e.g. police for residence, social insurance for health cards).
DEFAULT_INTER_AGENCY_PROCESS = [
    ("Tiếp nhận hồ sơ", "reception", 5, False),
    ("Chuyển hồ sơ đến đơn vị giải quyết", "reception", 5, False),
    ("Thẩm định, đề xuất kết quả", "specialist", 35, False),
    ("Trưởng phòng xem xét", "head", 10, False),
    ("Lãnh đạo UBND phê duyệt, ký", "leader", 15, False),
    ("Cơ quan liên thông giải quyết phần việc của mình", "other_agency", 20, True),
    ("Trả kết quả", "reception", 10, False),
]

# Procedures the reference data (procedures-notes.md section 6) marks as the most used at
# the counter: civil status and certification.
FREQUENT_CODES = ["1.001193", "1.000894", "1.000656", "1.004873", "2.000635", "2.000815", "2.000884"]
