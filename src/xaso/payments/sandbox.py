"""A local sandbox of the VNPAY gateway speaking the same protocol (payments-identity §1.10),
so the demo and the tests run a whole payment with nothing outside the machine.

Enabled only by ``XASO_PAYMENT_SANDBOX`` (on in ``make demo``, off by default; the
deployment check warns when it is on). Its pages answer 404 otherwise.

- ``GET /sandbox/vnpay/paymentv2/vpcpay.html``: checks the signature and the §1.3 rules
  (2.1.0/pay, known merchant, amount ending in 00, VND, 14-digit dates, not expired,
  reference unique per merchant and day) and shows the outcomes: success (00/00), cancel
  (24/02), insufficient funds (51/02), timeout (11/02). A bad request shows an error page
  and never redirects.
- the outcome: a transaction number, the result signed (§1.4), the IPN called on the
  configured URL (GET; retried on 01/04/97/99 or no answer, 10 tries,
  ``XASO_PAYMENT_SANDBOX_IPN_RETRY_SECONDS`` apart), then the browser sent to
  ``vnp_ReturnUrl``. ``XASO_PAYMENT_SANDBOX_IPN``: ``task`` (the worker calls it),
  ``now`` (before the redirect), ``off`` (never: the reconciliation must find it).
- ``POST /sandbox/vnpay/merchant_webapi/api/transaction``: querydr and refund with the pipe
  checksums and the codes of §1.8–1.9; 91 and 97 unsigned; 94 for a repeated request id.
"""
from __future__ import annotations

import json
import logging
import random
import urllib.error
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import vnpay
from .models import SandboxNotification, SandboxRequestId, SandboxTransaction
from .providers import SANDBOX_TMN_CODE, public_url, sandbox_enabled, sandbox_secret

logger = logging.getLogger(__name__)

OUTCOMES = {
    "success": ("00", "00"),
    "cancel": ("24", "02"),
    "insufficient": ("51", "02"),
    "timeout": ("11", "02"),
}
MAX_TRIES = 10


def _secret_for(tmn_code):
    return sandbox_secret() if tmn_code == SANDBOX_TMN_CODE else None


def _check_pay(params: dict) -> str | None:
    """What is wrong with a payment request (None: acceptable)."""
    secret = _secret_for(params.get("vnp_TmnCode", ""))
    if secret is None:
        return "Mã website (vnp_TmnCode) không tồn tại."
    if not vnpay.verify_query(params, secret):
        return "Sai chữ ký (vnp_SecureHash)."
    if params.get("vnp_Version") != vnpay.VERSION or params.get("vnp_Command") != "pay":
        return "Phiên bản hoặc lệnh không đúng."
    if params.get("vnp_CurrCode") != "VND":
        return "Loại tiền không đúng."
    if vnpay.from_amount(params.get("vnp_Amount", "")) in (None, 0):
        return "Số tiền không đúng."
    try:
        vnpay.parse_vnp_date(params.get("vnp_CreateDate", ""))
        expire = vnpay.parse_vnp_date(params.get("vnp_ExpireDate", ""))
    except vnpay.ProtocolError:
        return "Ngày giờ không đúng định dạng."
    if expire < timezone.now():
        return "Giao dịch đã quá thời gian chờ thanh toán."
    if not vnpay.TXN_REF.match(params.get("vnp_TxnRef", "")):
        return "Mã tham chiếu không đúng."
    if not params.get("vnp_ReturnUrl") or not params.get("vnp_OrderInfo"):
        return "Thiếu tham số."
    return None


def _enabled():
    if not sandbox_enabled():
        raise Http404


@require_http_methods(["GET", "POST"])
def pay_page(request):
    _enabled()
    source = request.GET if request.method == "GET" else request.POST
    query = source.get("q", "") if request.method == "POST" else request.META.get("QUERY_STRING", "")
    params = vnpay.parse_query(query)
    error = _check_pay(params)
    if error:
        return render(request, "payments/sandbox_pay.html", {"error": error}, status=400)
    day = params["vnp_CreateDate"][:8]
    txn, _created = SandboxTransaction.objects.get_or_create(
        tmn_code=params["vnp_TmnCode"], txn_ref=params["vnp_TxnRef"], day=day,
        defaults={
            "amount": vnpay.from_amount(params["vnp_Amount"]), "create_date": params["vnp_CreateDate"],
            "expire_date": params["vnp_ExpireDate"], "order_info": params["vnp_OrderInfo"][:255],
            "return_url": params["vnp_ReturnUrl"][:255], "transaction_status": vnpay.STATUS_NOT_COMPLETED,
        },
    )
    if txn.amount != vnpay.from_amount(params["vnp_Amount"]) or txn.response_code:
        return render(request, "payments/sandbox_pay.html", {"error": "Giao dịch đã tồn tại (mã tham chiếu trùng trong ngày)."}, status=400)
    outcome = request.POST.get("outcome") if request.method == "POST" else None
    if outcome not in OUTCOMES:
        return render(request, "payments/sandbox_pay.html", {"txn": txn, "q": query, "outcomes": OUTCOMES})
    return HttpResponseRedirect(finish(txn, outcome))


def finish(txn: SandboxTransaction, outcome: str) -> str:
    """Settle a sandbox transaction with ``outcome``; queue its IPN; the return URL."""
    code, status = OUTCOMES[outcome]
    with transaction.atomic():
        t = SandboxTransaction.objects.select_for_update().get(pk=txn.pk)
        if not t.response_code:
            t.response_code, t.transaction_status = code, status
            t.transaction_no = str(random.SystemRandom().randint(10_000_000, 99_999_999))
            t.bank_code = "NCB"
            t.pay_date = vnpay.vnp_date(timezone.now())
            t.save()
        query = vnpay.signed_query(result_params(t), sandbox_secret())
        n = SandboxNotification.objects.create(transaction=t, url=ipn_url(), query=query, next_at=timezone.now())
        mode = getattr(settings, "XASO_PAYMENT_SANDBOX_IPN", "task")
        if mode == "task":
            transaction.on_commit(lambda: _enqueue(n.pk))
    if mode == "now":
        deliver(n.pk)
    sep = "&" if "?" in t.return_url else "?"
    return f"{t.return_url}{sep}{query}"


def result_params(t: SandboxTransaction) -> dict:
    return {
        "vnp_Amount": vnpay.to_amount(t.amount),
        "vnp_BankCode": t.bank_code,
        "vnp_BankTranNo": f"VNP{t.transaction_no}" if t.response_code == "00" else "",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": t.order_info,
        "vnp_PayDate": t.pay_date,
        "vnp_ResponseCode": t.response_code,
        "vnp_TmnCode": t.tmn_code,
        "vnp_TransactionNo": t.transaction_no if t.response_code == "00" else "0",
        "vnp_TransactionStatus": t.transaction_status,
        "vnp_TxnRef": t.txn_ref,
    }


def ipn_url() -> str:
    return getattr(settings, "XASO_PAYMENT_SANDBOX_IPN_URL", "") or public_url(reverse("payment-vnpay-ipn"))


def _enqueue(notification_id, run_after=None):
    try:
        from .tasks import sandbox_deliver

        (sandbox_deliver.using(run_after=run_after) if run_after else sandbox_deliver).enqueue(notification_id)
    except Exception:  # pragma: no cover - `xaso payments sandbox-deliver` catches up
        logger.exception("could not enqueue sandbox IPN %s", notification_id)


def http_get(url: str, timeout: float = 10) -> str:
    """GET the URL, the body as text (replaced in tests by the test client)."""
    with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 - configured URL
        return resp.read().decode("utf-8")


def deliver(notification_id: int) -> str:
    """Call the merchant's IPN URL once; retried later unless answered 00 or 02."""
    n = SandboxNotification.objects.get(pk=notification_id)
    if n.done:
        return n.answered
    try:
        answer = json.loads(http_get(f"{n.url}?{n.query}")).get("RspCode", "")
    except (OSError, ValueError, urllib.error.URLError) as exc:
        logger.info("sandbox IPN %s: no answer (%s)", n.pk, exc)
        answer = ""
    n.attempts += 1
    n.answered = str(answer)[:4]
    n.done = answer in ("00", "02") or n.attempts >= MAX_TRIES
    interval = int(getattr(settings, "XASO_PAYMENT_SANDBOX_IPN_RETRY_SECONDS", 300))
    n.next_at = timezone.now() + timedelta(seconds=interval)
    n.save()
    if not n.done and getattr(settings, "XASO_PAYMENT_SANDBOX_IPN", "task") == "task":
        _enqueue(n.pk, run_after=n.next_at)
    return n.answered


def deliver_due(now=None) -> int:
    """Deliver every IPN due now (``xaso payments sandbox-deliver``)."""
    now = now or timezone.now()
    ids = list(SandboxNotification.objects.filter(done=False, next_at__lte=now).values_list("pk", flat=True))
    for pk in ids:
        deliver(pk)
    return len(ids)


# --- querydr and refund --------------------------------------------------------------------


def _signed(body: dict, fields) -> JsonResponse:
    body["vnp_SecureHash"] = vnpay.pipe_hash(body, fields, sandbox_secret())
    return JsonResponse(body)


def _unsigned(code, message, body=None) -> JsonResponse:
    return JsonResponse({"vnp_ResponseId": "", "vnp_ResponseCode": code, "vnp_Message": message, **(body or {})})


@csrf_exempt
@require_http_methods(["POST"])
def api(request):
    _enabled()
    try:
        body = json.loads(request.body.decode("utf-8"))
        if not isinstance(body, dict):
            raise ValueError
    except (ValueError, UnicodeDecodeError):
        return _unsigned("03", "Invalid request format")
    command = body.get("vnp_Command")
    fields = {"querydr": vnpay.QUERYDR_REQUEST_FIELDS, "refund": vnpay.REFUND_REQUEST_FIELDS}.get(command)
    if fields is None:
        return _unsigned("03", "Invalid command")
    tmn = str(body.get("vnp_TmnCode", ""))
    secret = _secret_for(tmn)
    if secret is None:
        return _unsigned("02", "Invalid TmnCode")
    if not vnpay.verify_pipe(body, fields, secret):
        return _unsigned("97", "Invalid checksum")
    response_id = f"{random.SystemRandom().randint(10**9, 10**10 - 1)}"
    try:
        with transaction.atomic():
            SandboxRequestId.objects.create(tmn_code=tmn, request_id=str(body.get("vnp_RequestId", ""))[:32])
    except IntegrityError:
        return _signed({"vnp_ResponseId": response_id, "vnp_Command": command, "vnp_ResponseCode": "94", "vnp_Message": "Duplicate request",
                        "vnp_TmnCode": tmn, "vnp_TxnRef": body.get("vnp_TxnRef", "")}, vnpay.QUERYDR_RESPONSE_FIELDS)
    day = str(body.get("vnp_TransactionDate", ""))[:8]
    txn = SandboxTransaction.objects.filter(tmn_code=tmn, txn_ref=body.get("vnp_TxnRef", ""), day=day).first()
    if txn is None:
        return _unsigned("91", "Transaction not found")
    if command == "querydr":
        status = txn.transaction_status
        if not txn.response_code and vnpay.parse_vnp_date(txn.expire_date) < timezone.now():
            status = vnpay.STATUS_ERROR  # never finished, now expired
        return _signed({
            "vnp_ResponseId": response_id, "vnp_Command": "querydr", "vnp_ResponseCode": "00", "vnp_Message": "QueryDR Success",
            "vnp_TmnCode": tmn, "vnp_TxnRef": txn.txn_ref, "vnp_Amount": vnpay.to_amount(txn.amount), "vnp_BankCode": txn.bank_code,
            "vnp_PayDate": txn.pay_date, "vnp_TransactionNo": txn.transaction_no, "vnp_TransactionType": "01",
            "vnp_TransactionStatus": status, "vnp_OrderInfo": txn.order_info, "vnp_PromotionCode": "", "vnp_PromotionAmount": "",
        }, vnpay.QUERYDR_RESPONSE_FIELDS)
    amount = vnpay.from_amount(str(body.get("vnp_Amount", "")))
    with transaction.atomic():
        t = SandboxTransaction.objects.select_for_update().get(pk=txn.pk)
        if t.transaction_status != vnpay.STATUS_SUCCESS:
            code, message = "95", "Original transaction failed"
        elif amount is None or amount <= 0 or amount > t.amount - t.refunded:
            code, message = "03", "Invalid amount"
        else:
            t.refunded += amount
            t.save(update_fields=["refunded"])
            code, message = "00", "Refund Success"
    return _signed({
        "vnp_ResponseId": response_id, "vnp_Command": "refund", "vnp_ResponseCode": code, "vnp_Message": message,
        "vnp_TmnCode": tmn, "vnp_TxnRef": t.txn_ref, "vnp_Amount": body.get("vnp_Amount", ""), "vnp_BankCode": t.bank_code,
        "vnp_PayDate": vnpay.vnp_date(timezone.now()), "vnp_TransactionNo": t.transaction_no,
        "vnp_TransactionType": body.get("vnp_TransactionType", "02"), "vnp_TransactionStatus": "05" if code == "00" else t.transaction_status,
        "vnp_OrderInfo": body.get("vnp_OrderInfo", ""),
    }, vnpay.REFUND_RESPONSE_FIELDS)
