"""The VNPAY payment gateway protocol, version 2.1.0 (payments-identity §1): pure functions,
no Django, no network.

- ``pay_url``: the signed payment URL (§1.3–1.4): every ``vnp_*`` parameter but the hash,
  sorted by name, form-encoded (UTF-8, space → ``+``, Python ``quote_plus``), HMAC-SHA512
  with the merchant's secret, lower-case hex appended as ``vnp_SecureHash``;
- ``verify_query``: the same check on the parameters of a browser return or an IPN (the
  values decoded, re-encoded, hashed, compared in constant time, case-insensitively);
- ``querydr_request`` / ``refund_request`` and their response checks (§1.8–1.9): HMAC-SHA512
  over the values joined by ``|`` in the order the protocol fixes;
- the response codes of the IPN answer (§1.6), ``vnp_ResponseCode`` and
  ``vnp_TransactionStatus`` (§1.7).

Values must agree across implementations (§1.4 "Encoding pitfalls"): ``vnp_TxnRef`` is
``[A-Za-z0-9]``, ``vnp_OrderInfo`` unaccented letters, digits, spaces and ``.,:-_``
(``order_info`` makes one from any Vietnamese text).
"""
from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, quote_plus

VERSION = "2.1.0"
GMT7 = timezone(timedelta(hours=7), "GMT+7")
DATE_FORMAT = "%Y%m%d%H%M%S"

# IPN answers (§1.6): what the merchant tells VNPAY.
IPN_OK = ("00", "Confirm Success")
IPN_NOT_FOUND = ("01", "Order not found")
IPN_ALREADY_CONFIRMED = ("02", "Order already confirmed")
IPN_INVALID_AMOUNT = ("04", "invalid amount")
IPN_INVALID_SIGNATURE = ("97", "Invalid signature")
IPN_UNKNOWN_ERROR = ("99", "Unknow error")

# vnp_ResponseCode (§1.7) on the return URL and the IPN.
RESPONSE_CODES = {
    "00": "Giao dịch thành công",
    "07": "Trừ tiền thành công, giao dịch bị nghi ngờ gian lận",
    "09": "Thẻ/tài khoản chưa đăng ký dịch vụ Internet Banking",
    "10": "Xác thực thông tin thẻ/tài khoản không đúng quá 3 lần",
    "11": "Đã hết hạn chờ thanh toán",
    "12": "Thẻ/tài khoản bị khóa",
    "13": "Nhập sai mật khẩu xác thực giao dịch (OTP)",
    "24": "Khách hàng hủy giao dịch",
    "51": "Tài khoản không đủ số dư",
    "65": "Tài khoản vượt quá hạn mức giao dịch trong ngày",
    "75": "Ngân hàng thanh toán đang bảo trì",
    "79": "Nhập sai mật khẩu thanh toán quá số lần quy định",
    "99": "Lỗi khác",
}
# vnp_TransactionStatus (§1.7).
STATUS_SUCCESS = "00"
STATUS_NOT_COMPLETED = "01"
STATUS_ERROR = "02"
STATUS_REVERSED = "04"
STATUS_PROCESSING = "05"
STATUS_REFUND_SENT = "06"
STATUS_FRAUD = "07"
STATUS_REFUND_REJECTED = "09"

# querydr/refund response codes (§1.8–1.9).
API_OK = "00"
API_NOT_FOUND = "91"
API_DUPLICATE = "94"
API_BAD_CHECKSUM = "97"

TXN_REF = re.compile(r"^[A-Za-z0-9]{1,100}$")
_ORDER_INFO_BAD = re.compile(r"[^A-Za-z0-9 .,:\-_]")
# §1.4 design note: characters implementations encode differently are refused everywhere.
_FORBIDDEN = set("~*!'()")


class ProtocolError(ValueError):
    """A value the protocol does not allow (the message names it)."""


def vnp_date(dt: datetime) -> str:
    """``yyyyMMddHHmmss`` in GMT+7 (§1.3)."""
    if dt.tzinfo is None:
        raise ProtocolError("datetime must be aware")
    return dt.astimezone(GMT7).strftime(DATE_FORMAT)


def parse_vnp_date(text: str) -> datetime:
    if not re.fullmatch(r"\d{14}", text or ""):
        raise ProtocolError(f"not a yyyyMMddHHmmss date: {text!r}")
    return datetime.strptime(text, DATE_FORMAT).replace(tzinfo=GMT7)


def order_info(text: str, limit: int = 255) -> str:
    """Vietnamese text as ``vnp_OrderInfo`` wants it: no diacritics, no special characters."""
    text = text.replace("đ", "d").replace("Đ", "D")
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    plain = _ORDER_INFO_BAD.sub(" ", plain)
    return " ".join(plain.split())[:limit] or "Thanh toan"


def to_amount(vnd: int) -> str:
    """VND × 100 (§1.3), digits only."""
    if isinstance(vnd, bool) or not isinstance(vnd, int) or vnd <= 0:
        raise ProtocolError("amount must be a positive whole number of VND")
    return str(vnd * 100)


def from_amount(text: str) -> int | None:
    """The VND amount of a ``vnp_Amount`` (None when it is not a multiple of 100 digits)."""
    if not re.fullmatch(r"\d{1,15}", text or "") or not text.endswith("00"):
        return None
    return int(text) // 100


def _sign(secret: str, message: str) -> str:
    return hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha512).hexdigest()


def canonical_query(params: dict) -> str:
    """The string to sign (and the query string sent): the ``vnp_*`` parameters with a
    value, except the hash fields, sorted by name, ``name=quote_plus(value)`` joined by
    ``&`` (§1.4)."""
    items = sorted(
        (k, str(v)) for k, v in params.items() if k.startswith("vnp_") and k not in ("vnp_SecureHash", "vnp_SecureHashType") and v not in (None, "")
    )
    return "&".join(f"{k}={quote_plus(v, safe='')}" for k, v in items)


def sign_query(params: dict, secret: str) -> str:
    return _sign(secret, canonical_query(params))


def check_values(params: dict) -> None:
    for k, v in params.items():
        if v is not None and _FORBIDDEN & set(str(v)):
            raise ProtocolError(f"{k} contains a character VNPAY implementations encode differently")


def signed_query(params: dict, secret: str) -> str:
    """``canonical&vnp_SecureHash=hex`` (§1.4 step 5)."""
    check_values(params)
    query = canonical_query(params)
    return f"{query}&vnp_SecureHash={_sign(secret, query)}"


@dataclass(frozen=True)
class PayRequest:
    tmn_code: str
    txn_ref: str
    amount: int  # VND
    order_info: str
    return_url: str
    ip_addr: str
    create_date: datetime
    expire_date: datetime
    locale: str = "vn"
    order_type: str = "other"
    bank_code: str = ""

    def params(self) -> dict:
        if not TXN_REF.match(self.txn_ref):
            raise ProtocolError("vnp_TxnRef must be 1-100 letters and digits")
        if len(self.tmn_code) != 8:
            raise ProtocolError("vnp_TmnCode must be 8 characters")
        if _ORDER_INFO_BAD.search(self.order_info) or not self.order_info:
            raise ProtocolError("vnp_OrderInfo must be unaccented letters, digits, spaces and .,:-_")
        return {
            "vnp_Version": VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": to_amount(self.amount),
            "vnp_BankCode": self.bank_code,
            "vnp_CreateDate": vnp_date(self.create_date),
            "vnp_CurrCode": "VND",
            "vnp_IpAddr": self.ip_addr or "127.0.0.1",
            "vnp_Locale": self.locale,
            "vnp_OrderInfo": self.order_info,
            "vnp_OrderType": self.order_type,
            "vnp_ReturnUrl": self.return_url,
            "vnp_ExpireDate": vnp_date(self.expire_date),
            "vnp_TxnRef": self.txn_ref,
        }


def pay_url(base_url: str, request: PayRequest, secret: str) -> str:
    return f"{base_url}?{signed_query(request.params(), secret)}"


def parse_query(query_string: str) -> dict:
    """The parameters of a query string, decoded (the last value of a repeated name)."""
    return dict(parse_qsl(query_string, keep_blank_values=True))


def verify_query(params: dict, secret: str) -> bool:
    """The ``vnp_SecureHash`` of a return or IPN matches its other ``vnp_*`` parameters."""
    received = str(params.get("vnp_SecureHash") or "").strip().lower()
    if not re.fullmatch(r"[0-9a-f]{32,256}", received):
        return False
    return hmac.compare_digest(received, sign_query(params, secret))


@dataclass(frozen=True)
class Notification:
    """The fields of a return or an IPN (§1.5), decoded."""

    tmn_code: str
    txn_ref: str
    amount: int | None
    response_code: str
    transaction_status: str
    transaction_no: str
    bank_code: str
    bank_tran_no: str
    card_type: str
    pay_date: str
    order_info: str

    @property
    def succeeded(self) -> bool:
        # Both codes (§1.6: the snippets that use OR are wrong).
        return self.response_code == "00" and self.transaction_status == STATUS_SUCCESS

    @classmethod
    def from_params(cls, p: dict) -> "Notification":
        return cls(
            tmn_code=p.get("vnp_TmnCode", ""),
            txn_ref=p.get("vnp_TxnRef", ""),
            amount=from_amount(p.get("vnp_Amount", "")),
            response_code=p.get("vnp_ResponseCode", ""),
            transaction_status=p.get("vnp_TransactionStatus", ""),
            transaction_no=p.get("vnp_TransactionNo", ""),
            bank_code=p.get("vnp_BankCode", ""),
            bank_tran_no=p.get("vnp_BankTranNo", ""),
            card_type=p.get("vnp_CardType", ""),
            pay_date=p.get("vnp_PayDate", ""),
            order_info=p.get("vnp_OrderInfo", ""),
        )


# --- querydr and refund (JSON POST, pipe-joined checksums) -------------------------------

QUERYDR_REQUEST_FIELDS = ("RequestId", "Version", "Command", "TmnCode", "TxnRef", "TransactionDate", "CreateDate", "IpAddr", "OrderInfo")
QUERYDR_RESPONSE_FIELDS = (
    "ResponseId", "Command", "ResponseCode", "Message", "TmnCode", "TxnRef", "Amount", "BankCode", "PayDate",
    "TransactionNo", "TransactionType", "TransactionStatus", "OrderInfo", "PromotionCode", "PromotionAmount",
)
REFUND_REQUEST_FIELDS = (
    "RequestId", "Version", "Command", "TmnCode", "TransactionType", "TxnRef", "Amount", "TransactionNo",
    "TransactionDate", "CreateBy", "CreateDate", "IpAddr", "OrderInfo",
)
REFUND_RESPONSE_FIELDS = (
    "ResponseId", "Command", "ResponseCode", "Message", "TmnCode", "TxnRef", "Amount", "BankCode", "PayDate",
    "TransactionNo", "TransactionType", "TransactionStatus", "OrderInfo",
)


def pipe_string(body: dict, fields) -> str:
    return "|".join(str(body.get(f"vnp_{name}") if body.get(f"vnp_{name}") is not None else "") for name in fields)


def pipe_hash(body: dict, fields, secret: str) -> str:
    return _sign(secret, pipe_string(body, fields))


def verify_pipe(body: dict, fields, secret: str) -> bool:
    received = str(body.get("vnp_SecureHash") or "").strip().lower()
    if not re.fullmatch(r"[0-9a-f]{32,256}", received):
        return False
    return hmac.compare_digest(received, pipe_hash(body, fields, secret))


def querydr_request(*, request_id, tmn_code, txn_ref, transaction_date: datetime, create_date: datetime, ip_addr, order_info_text, secret, transaction_no="") -> dict:
    body = {
        "vnp_RequestId": request_id,
        "vnp_Version": VERSION,
        "vnp_Command": "querydr",
        "vnp_TmnCode": tmn_code,
        "vnp_TxnRef": txn_ref,
        "vnp_OrderInfo": order_info_text,
        "vnp_TransactionNo": transaction_no,
        "vnp_TransactionDate": vnp_date(transaction_date),
        "vnp_CreateDate": vnp_date(create_date),
        "vnp_IpAddr": ip_addr,
    }
    body["vnp_SecureHash"] = pipe_hash(body, QUERYDR_REQUEST_FIELDS, secret)
    return body


def refund_request(*, request_id, tmn_code, txn_ref, amount: int, full: bool, transaction_date: datetime, create_by, create_date: datetime, ip_addr, order_info_text, secret, transaction_no="") -> dict:
    body = {
        "vnp_RequestId": request_id,
        "vnp_Version": VERSION,
        "vnp_Command": "refund",
        "vnp_TmnCode": tmn_code,
        "vnp_TransactionType": "02" if full else "03",
        "vnp_TxnRef": txn_ref,
        "vnp_Amount": to_amount(amount),
        # UNCONFIRMED (§1.9) whether a missing number is "0" or empty: we always send ours.
        "vnp_TransactionNo": transaction_no,
        "vnp_TransactionDate": vnp_date(transaction_date),
        "vnp_CreateBy": create_by,
        "vnp_CreateDate": vnp_date(create_date),
        "vnp_IpAddr": ip_addr,
        "vnp_OrderInfo": order_info_text,
    }
    body["vnp_SecureHash"] = pipe_hash(body, REFUND_REQUEST_FIELDS, secret)
    return body


@dataclass(frozen=True)
class QueryResult:
    """What querydr says about one transaction. ``answered`` is False for an unsigned or
    badly signed answer, a 91/94/97/99, or no answer at all (treated as "no answer")."""

    answered: bool
    response_code: str = ""
    transaction_status: str = ""
    transaction_type: str = ""
    amount: int | None = None
    transaction_no: str = ""
    bank_code: str = ""
    pay_date: str = ""
    message: str = ""

    @property
    def paid(self) -> bool:
        # Paid only if all hold (§1.8): 00, status 00, type 01 (checked signature and refs).
        return self.answered and self.response_code == API_OK and self.transaction_status == STATUS_SUCCESS and self.transaction_type == "01"

    @property
    def not_found(self) -> bool:
        return self.response_code == API_NOT_FOUND


def read_querydr_response(body: dict, *, secret, tmn_code, txn_ref) -> QueryResult:
    code = str(body.get("vnp_ResponseCode", ""))
    if code == API_NOT_FOUND:
        # 91 may come unsigned (§1.8): believed only together with its transaction reference.
        return QueryResult(False, response_code=code, message=str(body.get("vnp_Message", "")))
    if not verify_pipe(body, QUERYDR_RESPONSE_FIELDS, secret):
        return QueryResult(False, response_code=code or "97", message="bad or missing checksum")
    if code != API_OK or body.get("vnp_TmnCode") != tmn_code or body.get("vnp_TxnRef") != txn_ref:
        return QueryResult(False, response_code=code, message=str(body.get("vnp_Message", "")))
    return QueryResult(
        True,
        response_code=code,
        transaction_status=str(body.get("vnp_TransactionStatus", "")),
        transaction_type=str(body.get("vnp_TransactionType", "")),
        amount=from_amount(str(body.get("vnp_Amount", ""))),
        transaction_no=str(body.get("vnp_TransactionNo", "")),
        bank_code=str(body.get("vnp_BankCode", "")),
        pay_date=str(body.get("vnp_PayDate", "")),
        message=str(body.get("vnp_Message", "")),
    )


def read_refund_response(body: dict, *, secret, tmn_code, txn_ref) -> QueryResult:
    code = str(body.get("vnp_ResponseCode", ""))
    # The refund answer's checksum order is UNCONFIRMED (§1.9): checked when present.
    if body.get("vnp_SecureHash") and not verify_pipe(body, REFUND_RESPONSE_FIELDS, secret):
        return QueryResult(False, response_code="97", message="bad checksum")
    if code != API_OK or body.get("vnp_TxnRef", txn_ref) != txn_ref or body.get("vnp_TmnCode", tmn_code) != tmn_code:
        return QueryResult(False, response_code=code, message=str(body.get("vnp_Message", "")))
    return QueryResult(
        True,
        response_code=code,
        transaction_status=str(body.get("vnp_TransactionStatus", "")),
        transaction_type=str(body.get("vnp_TransactionType", "")),
        amount=from_amount(str(body.get("vnp_Amount", ""))),
        transaction_no=str(body.get("vnp_TransactionNo", "")),
        message=str(body.get("vnp_Message", "")),
    )
