"""Payment providers: an abstract base and a registry, as the signer and portal-sync adapters
(the plugin design follows Open Forms' payment plugins: start, browser return, server
notification; plus status query and refund).

A provider speaks one gateway's protocol and nothing else: it never changes a payment.
``services`` decides what a verified notification or query answer means for the payment.

Providers are chosen by ``XASO_PAYMENT_PROVIDERS`` (keys); each reads its own settings
(docs/configuration.md). ``VNPayProvider`` points at the local sandbox gateway
(``payments.sandbox``) when ``XASO_PAYMENT_SANDBOX`` is on and no merchant code is set.
"""
from __future__ import annotations

import abc
import hashlib
import hmac
import json
import logging
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from . import vnpay

logger = logging.getLogger(__name__)


class NotificationRefused(Exception):
    """A notification that cannot be believed or placed; ``outcome`` is one of
    ``bad_signature``, ``not_found``."""

    def __init__(self, outcome: str, detail: str = ""):
        super().__init__(detail or outcome)
        self.outcome = outcome
        self.detail = detail


@dataclass(frozen=True)
class GatewayResult:
    """What the gateway says about one transaction (a notification or a query answer)."""

    txn_ref: str
    merchant: str
    amount: int | None
    paid: bool
    final: bool  # the gateway finished it (paid or failed); False: still pending there
    response_code: str = ""
    transaction_status: str = ""
    transaction_no: str = ""
    bank_code: str = ""
    bank_tran_no: str = ""
    card_type: str = ""
    pay_date: str = ""
    answered: bool = True  # False: no usable answer (query only)
    not_found: bool = False  # the gateway does not know the transaction (query only)


class Provider(abc.ABC):
    key = ""
    label = ""

    @property
    @abc.abstractmethod
    def configured(self) -> bool:
        """Whether it can take payments (credentials set)."""

    @abc.abstractmethod
    def start(self, payment, *, ip: str) -> str:
        """The URL to send the payer to."""

    @abc.abstractmethod
    def read_return(self, params: dict) -> GatewayResult:
        """The browser return, verified (raises ``NotificationRefused``). Display only."""

    @abc.abstractmethod
    def read_notification(self, params: dict) -> GatewayResult:
        """The server notification, verified (raises ``NotificationRefused``)."""

    @abc.abstractmethod
    def answer(self, outcome: str) -> dict:
        """The body the gateway expects back for ``outcome`` (ok, not_found,
        already_confirmed, bad_amount, bad_signature, error)."""

    @abc.abstractmethod
    def query(self, payment) -> GatewayResult:
        """Ask the gateway what became of the payment."""

    @abc.abstractmethod
    def refund(self, payment, *, amount: int, by: str) -> GatewayResult:
        """Give the payment back; ``paid`` False and ``answered`` True when refused."""


# --- VNPAY 2.1.0 ---------------------------------------------------------------------------

SANDBOX_TMN_CODE = "XASOSBX1"


def sandbox_secret() -> str:
    """The local sandbox's shared secret, derived from SECRET_KEY (stable across restarts,
    different per installation)."""
    return hmac.new(settings.SECRET_KEY.encode(), b"xaso.payments.vnpay-sandbox", hashlib.sha256).hexdigest()[:32]


def public_url(path: str) -> str:
    return getattr(settings, "XASO_PUBLIC_BASE_URL", "").rstrip("/") + path


def sandbox_enabled() -> bool:
    return bool(getattr(settings, "XASO_PAYMENT_SANDBOX", False))


def http_post_json(url: str, body: dict, timeout: float) -> dict:
    """POST JSON, return the JSON answer; raises ``OSError``/``ValueError`` on failure.
    (Replaced in tests by a call through the test client.)"""
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - configured URL
        return json.loads(resp.read().decode("utf-8"))


class VNPayProvider(Provider):
    key = "vnpay"
    label = "VNPAY"
    answers = {
        "ok": vnpay.IPN_OK,
        "not_found": vnpay.IPN_NOT_FOUND,
        "already_confirmed": vnpay.IPN_ALREADY_CONFIRMED,
        "bad_amount": vnpay.IPN_INVALID_AMOUNT,
        "bad_signature": vnpay.IPN_INVALID_SIGNATURE,
        "error": vnpay.IPN_UNKNOWN_ERROR,
    }

    def __init__(self, *, tmn_code=None, secret=None, pay_url=None, api_url=None):
        s = settings
        use_sandbox = sandbox_enabled() and not getattr(s, "XASO_VNPAY_TMN_CODE", "")
        self.sandbox = use_sandbox
        self.tmn_code = tmn_code or (SANDBOX_TMN_CODE if use_sandbox else getattr(s, "XASO_VNPAY_TMN_CODE", ""))
        self.secret = secret or (sandbox_secret() if use_sandbox else getattr(s, "XASO_VNPAY_HASH_SECRET", ""))
        self.pay_url = pay_url or (public_url("/sandbox/vnpay/paymentv2/vpcpay.html") if use_sandbox else s.XASO_VNPAY_PAY_URL)
        self.api_url = api_url or (public_url("/sandbox/vnpay/merchant_webapi/api/transaction") if use_sandbox else s.XASO_VNPAY_API_URL)
        self.return_url = getattr(s, "XASO_VNPAY_RETURN_URL", "") or public_url(reverse("payments:vnpay_return"))
        self.timeout = float(getattr(s, "XASO_VNPAY_TIMEOUT", 15))
        self.server_ip = getattr(s, "XASO_VNPAY_SERVER_IP", "127.0.0.1")

    @property
    def configured(self) -> bool:
        return bool(self.tmn_code and self.secret and self.pay_url)

    @property
    def label_text(self):
        return "VNPAY (sandbox)" if self.sandbox else "VNPAY"

    def start(self, payment, *, ip: str) -> str:
        req = vnpay.PayRequest(
            tmn_code=self.tmn_code,
            txn_ref=payment.txn_ref,
            amount=payment.amount,
            order_info=payment.order_info,
            return_url=self.return_url,
            ip_addr=ip or "127.0.0.1",
            create_date=payment.created_at,
            expire_date=payment.expires_at,
            locale=getattr(settings, "XASO_VNPAY_LOCALE", "vn"),
            order_type=getattr(settings, "XASO_VNPAY_ORDER_TYPE", "other"),
        )
        return vnpay.pay_url(self.pay_url, req, self.secret)

    def _read(self, params: dict) -> GatewayResult:
        if not params:
            raise NotificationRefused("error", "empty request")
        if not vnpay.verify_query(params, self.secret):
            raise NotificationRefused("bad_signature", "invalid vnp_SecureHash")
        n = vnpay.Notification.from_params(params)
        if not n.txn_ref:
            raise NotificationRefused("not_found", "no vnp_TxnRef")
        return GatewayResult(
            txn_ref=n.txn_ref, merchant=n.tmn_code, amount=n.amount, paid=n.succeeded, final=True,
            response_code=n.response_code, transaction_status=n.transaction_status, transaction_no=n.transaction_no,
            bank_code=n.bank_code, bank_tran_no=n.bank_tran_no, card_type=n.card_type, pay_date=n.pay_date,
        )

    read_return = _read
    read_notification = _read

    def answer(self, outcome: str) -> dict:
        code, message = self.answers.get(outcome, vnpay.IPN_UNKNOWN_ERROR)
        return {"RspCode": code, "Message": message}

    def _request_id(self) -> str:
        # Unique per day (§1.8): date + random.
        return timezone.now().astimezone(vnpay.GMT7).strftime("%y%m%d") + secrets.token_hex(8).upper()

    def _post(self, body: dict) -> dict | None:
        try:
            return http_post_json(self.api_url, body, self.timeout)
        except (OSError, ValueError, urllib.error.URLError) as exc:
            logger.warning("VNPAY %s for %s failed: %s", body.get("vnp_Command"), body.get("vnp_TxnRef"), exc)
            return None

    def query(self, payment) -> GatewayResult:
        body = vnpay.querydr_request(
            request_id=self._request_id(), tmn_code=self.tmn_code, txn_ref=payment.txn_ref,
            transaction_date=payment.created_at, create_date=timezone.now(), ip_addr=self.server_ip,
            order_info_text=vnpay.order_info(f"Truy van {payment.txn_ref}"), secret=self.secret,
            transaction_no=payment.gateway_transaction_no,
        )
        answer = self._post(body)
        if answer is None:
            return GatewayResult(payment.txn_ref, self.tmn_code, None, paid=False, final=False, answered=False)
        r = vnpay.read_querydr_response(answer, secret=self.secret, tmn_code=self.tmn_code, txn_ref=payment.txn_ref)
        if not r.answered:
            return GatewayResult(payment.txn_ref, self.tmn_code, None, paid=False, final=False, answered=False,
                                 response_code=r.response_code, not_found=r.not_found)
        pending = r.transaction_status in (vnpay.STATUS_NOT_COMPLETED, vnpay.STATUS_PROCESSING)
        return GatewayResult(
            txn_ref=payment.txn_ref, merchant=self.tmn_code, amount=r.amount, paid=r.paid, final=not pending,
            response_code=r.response_code, transaction_status=r.transaction_status, transaction_no=r.transaction_no,
            bank_code=r.bank_code, pay_date=r.pay_date,
        )

    def refund(self, payment, *, amount: int, by: str) -> GatewayResult:
        body = vnpay.refund_request(
            request_id=self._request_id(), tmn_code=self.tmn_code, txn_ref=payment.txn_ref, amount=amount,
            full=amount >= payment.amount, transaction_date=payment.created_at, create_by=vnpay.order_info(by, 64),
            create_date=timezone.now(), ip_addr=self.server_ip, order_info_text=vnpay.order_info(f"Hoan tien {payment.txn_ref}"),
            secret=self.secret, transaction_no=payment.gateway_transaction_no,
        )
        answer = self._post(body)
        if answer is None:
            return GatewayResult(payment.txn_ref, self.tmn_code, None, paid=False, final=False, answered=False)
        r = vnpay.read_refund_response(answer, secret=self.secret, tmn_code=self.tmn_code, txn_ref=payment.txn_ref)
        return GatewayResult(payment.txn_ref, self.tmn_code, r.amount, paid=r.answered, final=r.answered,
                             response_code=r.response_code, transaction_status=r.transaction_status, answered=r.answered)


# --- registry ------------------------------------------------------------------------------

REGISTRY: dict[str, type[Provider]] = {"vnpay": VNPayProvider}


def register(cls: type[Provider]) -> type[Provider]:
    REGISTRY[cls.key] = cls
    return cls


def enabled_keys() -> list[str]:
    return [k for k in getattr(settings, "XASO_PAYMENT_PROVIDERS", ["vnpay"]) if k in REGISTRY]


def get(key: str) -> Provider | None:
    if key not in enabled_keys():
        return None
    return REGISTRY[key]()


def available() -> list[Provider]:
    """The enabled providers that are configured (can take a payment now)."""
    out = []
    for key in enabled_keys():
        provider = REGISTRY[key]()
        if provider.configured:
            out.append(provider)
    return out


def expiry(now):
    return now + timedelta(minutes=int(getattr(settings, "XASO_VNPAY_EXPIRE_MINUTES", 15)))
