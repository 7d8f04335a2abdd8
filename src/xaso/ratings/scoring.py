"""The province's evaluation table of a procedure's handling ("Bảng đánh giá việc giải
quyết thủ tục hành chính", Thanh Hóa one-stop system; vn-rules 6.2): nine criteria, 0 to 2
points each, 18 in all, and its bands. Pure, no Django.

Bands as the province's code has them: > 15 Xuất sắc; 12 to < 15 Tốt; 9 to < 12 Khá; 6 to
< 9 Trung bình; < 6 Yếu. That code leaves exactly 15 in no band (a slip, vn-rules 6.2): it
is counted Tốt here (the band below the strict "> 15"). The official source (NĐ 61/2018,
TT 01/2018) is UNCONFIRMED.
"""
from __future__ import annotations

CRITERIA = (
    "Tổng thời gian giải quyết TTHC so với quy định",
    "Thời gian thực hiện của từng cơ quan, đơn vị tham gia giải quyết (kể cả phối hợp)",
    "Số lần liên hệ với cơ quan tiếp nhận để hoàn thiện hồ sơ (kể cả trực tuyến)",
    "Số cơ quan, đơn vị phải liên hệ để hoàn thiện hồ sơ (kể cả trực tuyến)",
    "Việc tiếp nhận, giải quyết, trả kết quả được thực hiện tại Bộ phận Một cửa",
    "TTHC được công khai đầy đủ",
    "Thái độ của công chức khi hướng dẫn, tiếp nhận, giải quyết hồ sơ",
    "Việc tiếp thu, trả lời góp ý, phản ánh, kiến nghị",
    "Tiến độ và chất lượng cung cấp dịch vụ công trực tuyến",
)
MAX_POINTS = 2
MAX_SCORE = MAX_POINTS * len(CRITERIA)  # 18
BANDS = ((15, "Xuất sắc"), (12, "Tốt"), (9, "Khá"), (6, "Trung bình"), (None, "Yếu"))


def check(points) -> list[int]:
    """Nine whole points from 0 to 2, or ValueError."""
    if points is None or len(points) != len(CRITERIA):
        raise ValueError(f"{len(CRITERIA)} criteria expected")
    out = []
    for p in points:
        if isinstance(p, bool) or not isinstance(p, int) or not 0 <= p <= MAX_POINTS:
            raise ValueError("points are 0, 1 or 2")
        out.append(p)
    return out


def score(points) -> int:
    return sum(check(points))


def band(total: int) -> str:
    if not 0 <= total <= MAX_SCORE:
        raise ValueError("score out of range")
    if total > 15:
        return BANDS[0][1]
    if total >= 12:
        return BANDS[1][1]
    if total >= 9:
        return BANDS[2][1]
    if total >= 6:
        return BANDS[3][1]
    return BANDS[4][1]
