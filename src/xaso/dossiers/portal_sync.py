"""Synchronising dossiers to the national public service portal (Cổng DVCQG).

``build_payload`` writes every field the portal's Decision 766 formulas read (vn-rules 3.5;
TT 04/2025/TT-VPCP sets the data exchanged). Each change queues a ``SyncJob`` in the same
transaction (an outbox); ``push_pending`` sends them through an adapter with retries.
The real endpoint is configured with ``XASO_PORTAL_SYNC_ADAPTER`` (a dotted path) and the
adapter's own settings; the default adapter keeps jobs pending (nothing leaves the server).
"""
from __future__ import annotations

import abc
import json
import logging
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .states import Status

log = logging.getLogger(__name__)

# Status names used by the portal (vn-rules 3.5).
PORTAL_STATUS = {
    Status.SUBMITTED: "Mới đăng ký",
    Status.RECEPTION_SUPPLEMENT: "Yêu cầu bổ sung hồ sơ",
    Status.RECEPTION_REFUSED: "Từ chối",
    Status.RECEIVED: "Đã tiếp nhận",
    Status.TRANSFERRED: "Đang xử lý",
    Status.IN_PROGRESS: "Đang xử lý",
    Status.INTERAGENCY: "Đang xử lý",
    Status.SUPPLEMENT: "Yêu cầu bổ sung hồ sơ",
    Status.HEAD_REVIEW: "Đang xử lý",
    Status.AWAITING_APPROVAL: "Đang xử lý",
    Status.APPROVED: "Đang xử lý",
    Status.RESULT_READY: "Đã xử lý xong",
    Status.RETURNED: "Đã trả kết quả",
    Status.REFUSED: "Từ chối",
    Status.STOPPED: "Dừng xử lý",
}


def _dt(value):
    if not value:
        return None
    return timezone.localtime(value).strftime("%Y%m%d%H%M%S")


def _fee_list(dossier) -> list[dict]:
    """One item per fee line the dossier was priced with (``Gia``: its amount in VND; the
    766 formulas count a procedure as having fees when an item's price is above 0). Lines
    whose amount the catalogue does not give are left out rather than sent as 0. Dossiers
    priced before the lines were kept send their total as one item."""
    if dossier.fee_lines:
        return [{"Gia": line["amount"]} for line in dossier.fee_lines if line.get("amount")]
    return [{"Gia": dossier.fee_amount}] if dossier.fee_amount else []


def build_payload(dossier, *, components=None, pauses=None) -> dict:
    """``components``/``pauses``: the dossier's rows if the caller has them (else read)."""
    if components is None:
        components = list(dossier.components.all()) if dossier.pk else []
    if pauses is None:
        pauses = list(dossier.pauses.all()) if dossier.pk else []
    from xaso.core.site import public_base_url

    base = public_base_url()
    from .extensions import payload_fields

    extra = {}
    for fields in payload_fields:  # e.g. the applicant's rating (ratings)
        extra.update(fields(dossier))
    return {
        **extra,
        "MaHoSo": dossier.code,
        "MaTTHC": dossier.procedure_code,
        "TenTTHC": dossier.procedure_name,
        "MaDonViTiepNhan": dossier.receiving_unit.identifier if dossier.receiving_unit_id else "",
        "MaDonViXuLy": dossier.competent_unit.identifier if dossier.competent_unit_id else "",
        "HoSoGoc": dossier.is_original,
        "KenhThucHien": dossier.channel,
        "TrangThaiHoSo": PORTAL_STATUS[Status(dossier.status)],
        "NgayNopHoSo": _dt(dossier.submitted_at),
        "NgayTiepNhan": _dt(dossier.received_at),
        # The appointment the law gives (the legal due date): the 766 on-time formula compares
        # the processing end with NgayHenTra, and an apology does not make a dossier on time.
        # The apology's new date travels in its own field (null without an apology).
        "NgayHenTra": _dt(dossier.legal_due_at),
        "NgayHenTraLai": _dt(dossier.due_at) if dossier.due_at and dossier.due_at != dossier.legal_due_at else None,
        "NgayKetThucXuLy": _dt(dossier.finished_at),
        "NgayTraKetQua": _dt(dossier.returned_at),
        "ThoiGianGiaiQuyet": float(dossier.legal_days) if dossier.legal_days else float(dossier.legal_hours),
        "DonViTinh": "ngày" if dossier.legal_days or not dossier.legal_hours else "giờ",
        "MaKetQua": dossier.result_code or None,
        "DuongDanTepTinKetQua": f"{base}{dossier.result_file.url}" if dossier.result_file else None,
        "HoSoCoThanhPhanSoHoa": any(c.digitised for c in components),
        "TaiLieuNop": [
            {"TenTepDinhKem": c.name, "MaThanhPhan": c.document_code, "DuocSoHoa": c.digitised, "DuocLayTuKhoDMQG": c.reused}
            for c in components
        ],
        "TaiKhoanDuocXacThucVoiVNeID": dossier.vneid_verified,
        "MaCSDL": None,
        "ChuHoSo": {"HoTen": dossier.applicant_name, "SoDinhDanh": dossier.applicant_id_number},
        "DanhSachPhiLePhi": _fee_list(dossier),
        "DaThanhToan": dossier.fee_paid,
        "DuocThanhToanTrucTuyen": dossier.paid_online,
        "SoLanYeuCauBoSung": dossier.supplement_count,
        "DanhSachTamDung": [{"TuNgay": _dt(p.started_at), "DenNgay": _dt(p.ended_at)} for p in pauses],
        "HinhThucTraKetQua": dossier.delivery,
    }


class Adapter(abc.ABC):
    """Interface: ``send(job)`` raises on failure."""

    @abc.abstractmethod
    def send(self, job) -> None:  # pragma: no cover - interface
        """Deliver one sync job's payload to the national portal."""


class DisabledAdapter(Adapter):
    """No endpoint configured: jobs stay pending."""

    enabled = False

    def send(self, job):
        raise RuntimeError("national portal sync is not configured")


class HttpJsonAdapter(Adapter):
    """POSTs the payload as JSON to ``XASO_PORTAL_SYNC_URL`` with a bearer token."""

    enabled = True

    def send(self, job):
        req = urllib.request.Request(
            settings.XASO_PORTAL_SYNC_URL,
            data=json.dumps(job.payload).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {getattr(settings, 'XASO_PORTAL_SYNC_TOKEN', '')}"},
            method="POST",
        )
        with urllib.request.urlopen(req, timeout=20) as resp:  # noqa: S310 - configured URL
            if resp.status >= 300:
                raise RuntimeError(f"HTTP {resp.status}")


def get_adapter() -> Adapter:
    path = getattr(settings, "XASO_PORTAL_SYNC_ADAPTER", "xaso.dossiers.portal_sync.DisabledAdapter")
    return import_string(path)()


MAX_ATTEMPTS = 10


def push_pending(adapter: Adapter | None = None, now=None, limit=500) -> dict:
    """Send due jobs in order, oldest first; exponential back-off; give up after 10."""
    from .models import SyncJob

    adapter = adapter or get_adapter()
    if not getattr(adapter, "enabled", True):
        return {"sent": 0, "failed": 0, "skipped": True}
    now = now or timezone.now()
    sent = failed = 0
    ids = list(
        SyncJob.objects.filter(state__in=[SyncJob.State.PENDING, SyncJob.State.FAILED], next_attempt_at__lte=now)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    for job_id in ids:
        with transaction.atomic():
            job = SyncJob.objects.select_for_update().get(pk=job_id)
            if job.state not in (SyncJob.State.PENDING, SyncJob.State.FAILED):
                continue
            try:
                adapter.send(job)
            except Exception as exc:  # noqa: BLE001 - any failure is retried
                job.attempts += 1
                job.last_error = str(exc)[:2000]
                job.state = SyncJob.State.DEAD if job.attempts >= MAX_ATTEMPTS else SyncJob.State.FAILED
                job.next_attempt_at = now + timedelta(minutes=2 ** min(job.attempts, 10))
                failed += 1
            else:
                job.attempts += 1
                job.state = SyncJob.State.SENT
                job.sent_at = now
                sent += 1
            job.save()
    return {"sent": sent, "failed": failed, "skipped": False}


class SandboxReceiver(Adapter):
    """A local stand-in for the portal, used in tests: validates and stores payloads."""

    enabled = True
    REQUIRED = ("MaHoSo", "MaTTHC", "KenhThucHien", "TrangThaiHoSo", "NgayTiepNhan", "NgayHenTra", "TaiLieuNop")

    def __init__(self, fail_times=0):
        self.received = []
        self.fail_times = fail_times

    def send(self, job):
        if self.fail_times > 0:
            self.fail_times -= 1
            raise ConnectionError("sandbox: portal unavailable")
        missing = [k for k in self.REQUIRED if k not in job.payload]
        if missing:
            raise ValueError(f"sandbox: missing {missing}")
        if job.payload["KenhThucHien"] not in (1, 2, 3):
            raise ValueError("sandbox: bad KenhThucHien")
        self.received.append(job.payload)
