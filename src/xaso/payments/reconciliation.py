"""The daily reconciliation list for the accountant: per provider and day, every online
payment started that day (local time), its state, amount, receipt and refund, and where the
gateway's own record (querydr) disagrees with ours. Made by ``xaso payments daily`` (the
scheduler runs it each morning for the day before) and kept, so the list says what was
known when it was made; downloaded as XLSX.

In the XLSX every text that came from people or the gateway (names, references, messages)
is written as text, never as a formula (a value starting with "=" stays text)."""
from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from . import providers
from .models import DailyReconciliation, Payment, Receipt
from .states import State

COLUMNS = [
    "STT", "Mã giao dịch", "Mã hồ sơ", "Thời điểm tạo", "Trạng thái", "Số tiền (đồng)", "Ghi nhận cho hồ sơ",
    "Hoàn tiền (đồng)", "Số biên lai", "Mã GD cổng", "Cổng trả lời (querydr)", "Số tiền theo cổng", "Chênh lệch",
]
STATE_VI = {
    State.STARTED: "Đã khởi tạo", State.PROCESSING: "Đang xử lý", State.FAILED: "Không thành công",
    State.COMPLETED: "Thành công", State.REFUNDED: "Đã hoàn tiền",
}


def _bounds(day: date):
    tz = timezone.get_current_timezone()
    return datetime.combine(day, time.min, tzinfo=tz), datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)


def build(provider_key: str, day: date, *, query: bool = True) -> DailyReconciliation:
    """Make (or remake) the list of ``provider_key`` for ``day``."""
    lo, hi = _bounds(day)
    provider = providers.get(provider_key)
    payments = Payment.objects.filter(provider=provider_key, created_at__gte=lo, created_at__lt=hi).select_related("dossier").order_by("created_at", "id")
    receipts = dict(Receipt.objects.filter(fee_payment__online_payment__in=payments).values_list("fee_payment__online_payment", "number"))
    rows, totals = [], {"payments": 0, "completed": 0, "completed_amount": 0, "refunded": 0, "refunded_amount": 0, "to_refund": 0, "differences": 0, "not_checked": 0}
    for p in payments:
        gateway_state, gateway_amount, difference = "", None, ""
        if query and provider is not None:
            r = provider.query(p)
            if not r.answered:
                gateway_state = f"không trả lời ({r.response_code or 'lỗi kết nối'})"
                totals["not_checked"] += 1
            else:
                gateway_state = "đã thanh toán" if r.paid else ("đang xử lý" if not r.final else f"không thành công ({r.transaction_status})")
                gateway_amount = r.amount
                ours_paid = p.state in (State.COMPLETED, State.REFUNDED)
                if ours_paid != r.paid:
                    difference = "Trạng thái khác nhau"
                elif r.amount is not None and r.amount != p.amount:
                    difference = "Số tiền khác nhau"
        if difference:
            totals["differences"] += 1
        totals["payments"] += 1
        if p.state in (State.COMPLETED, State.REFUNDED):
            totals["completed"] += 1
            totals["completed_amount"] += p.amount
        if p.state == State.REFUNDED:
            totals["refunded"] += 1
            totals["refunded_amount"] += p.amount
        if p.needs_refund:
            totals["to_refund"] += 1
        rows.append({
            "txn_ref": p.txn_ref, "dossier": p.dossier.code, "created": timezone.localtime(p.created_at).strftime("%H:%M:%S %d/%m/%Y"),
            "state": STATE_VI[p.state_enum], "amount": p.amount, "counted": bool(p.fee_payment_id),
            "refunded": p.amount if p.state == State.REFUNDED else (0 if not p.needs_refund else None),
            "receipt": receipts.get(p.pk), "gateway_no": p.gateway_transaction_no, "gateway_state": gateway_state,
            "gateway_amount": gateway_amount, "difference": difference,
        })
    with transaction.atomic():
        rec, _ = DailyReconciliation.objects.update_or_create(
            provider=provider_key, day=day, defaults={"made_at": timezone.now(), "rows": rows, "totals": totals}
        )
    return rec


def _text(ws, row, col, value):
    cell = ws.cell(row=row, column=col)
    cell.value = "" if value is None else str(value)
    cell.data_type = "s"  # text, never a formula
    return cell


def xlsx(rec: DailyReconciliation) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = f"{rec.day:%d-%m-%Y}"
    _text(ws, 1, 1, f"DANH SÁCH ĐỐI SOÁT GIAO DỊCH THANH TOÁN TRỰC TUYẾN — {rec.provider.upper()} — NGÀY {rec.day:%d/%m/%Y}").font = Font(bold=True)
    _text(ws, 2, 1, f"Lập lúc {timezone.localtime(rec.made_at):%H:%M %d/%m/%Y}")
    for col, name in enumerate(COLUMNS, start=1):
        _text(ws, 4, col, name).font = Font(bold=True)
    r = 5
    for i, row in enumerate(rec.rows, start=1):
        values = [i, row["txn_ref"], row["dossier"], row["created"], row["state"], row["amount"], "Có" if row["counted"] else "Không",
                  row["refunded"] if row["refunded"] is not None else "chờ hoàn", row["receipt"] or "", row["gateway_no"],
                  row["gateway_state"], row["gateway_amount"], row["difference"]]
        for col, value in enumerate(values, start=1):
            if isinstance(value, int) and not isinstance(value, bool):
                ws.cell(row=r, column=col, value=value).number_format = "#,##0"
            else:
                _text(ws, r, col, value)
        r += 1
    t = rec.totals
    r += 1
    for label, value in (("Số giao dịch", t.get("payments", 0)), ("Thành công", t.get("completed", 0)), ("Số tiền thành công (đồng)", t.get("completed_amount", 0)),
                         ("Đã hoàn", t.get("refunded", 0)), ("Số tiền đã hoàn (đồng)", t.get("refunded_amount", 0)), ("Chờ hoàn", t.get("to_refund", 0)),
                         ("Chênh lệch với cổng", t.get("differences", 0)), ("Chưa đối chiếu được", t.get("not_checked", 0))):
        _text(ws, r, 2, label).font = Font(bold=True)
        ws.cell(row=r, column=6, value=int(value)).number_format = "#,##0"
        r += 1
    for col, width in enumerate([6, 20, 22, 20, 16, 14, 10, 14, 12, 14, 26, 16, 20], start=1):
        ws.column_dimensions[chr(64 + col)].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
