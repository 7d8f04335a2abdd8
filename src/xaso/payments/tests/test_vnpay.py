"""The VNPAY 2.1.0 protocol (payments-identity §1): the shared test vectors, verification,
tampering, encoding rules."""
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xaso.payments import vnpay

SECRET = "SECRETKEYFORTESTS0123456789ABCDE"
PAY_STRING = (
    "vnp_Amount=5000000&vnp_Command=pay&vnp_CreateDate=20260101090000&vnp_CurrCode=VND&vnp_ExpireDate=20260101091500"
    "&vnp_IpAddr=127.0.0.1&vnp_Locale=vn&vnp_OrderInfo=Nop+le+phi+ho+so+HS20260101001&vnp_OrderType=other"
    "&vnp_ReturnUrl=https%3A%2F%2Fxa.example.vn%2Fthanh-toan%2Fvnpay%2Freturn%2F&vnp_TmnCode=TESTTMN1&vnp_TxnRef=HS20260101001&vnp_Version=2.1.0"
)
PAY_HASH = "3a00615a06bc206c1b2fa9860abc34a2c21da834921ead7fd8aeefe929a5a40f322d15bd4269f411b83effab648e2b6cc6fbb8d6fcdcc1cac8d56671dca18841"
QUERYDR_STRING = "REQ0001|2.1.0|querydr|TESTTMN1|HS20260101001|20260101090000|20260101100000|127.0.0.1|Truy van HS20260101001"
QUERYDR_HASH = "dab647fb4b7b95e6b4bf4b2e2c8e0808bf571cc4c0f641f916bffbc979a2f5513a8e728cce2095207f406334b88c9f290f970267b9b7a4e0979ba16c244d228a"


def pay_request(**kw):
    base = dict(
        tmn_code="TESTTMN1", txn_ref="HS20260101001", amount=50_000, order_info="Nop le phi ho so HS20260101001",
        return_url="https://xa.example.vn/thanh-toan/vnpay/return/", ip_addr="127.0.0.1",
        create_date=datetime(2026, 1, 1, 9, 0, tzinfo=vnpay.GMT7), expire_date=datetime(2026, 1, 1, 9, 15, tzinfo=vnpay.GMT7),
    )
    base.update(kw)
    return vnpay.PayRequest(**base)


def test_payment_vector():
    params = pay_request().params()
    assert vnpay.canonical_query(params) == PAY_STRING
    assert vnpay.sign_query(params, SECRET) == PAY_HASH
    url = vnpay.pay_url("https://sandbox.vnpayment.vn/paymentv2/vpcpay.html", pay_request(), SECRET)
    assert url == f"https://sandbox.vnpayment.vn/paymentv2/vpcpay.html?{PAY_STRING}&vnp_SecureHash={PAY_HASH}"


def test_querydr_vector():
    body = vnpay.querydr_request(
        request_id="REQ0001", tmn_code="TESTTMN1", txn_ref="HS20260101001", transaction_date=datetime(2026, 1, 1, 9, 0, tzinfo=vnpay.GMT7),
        create_date=datetime(2026, 1, 1, 10, 0, tzinfo=vnpay.GMT7), ip_addr="127.0.0.1", order_info_text="Truy van HS20260101001", secret=SECRET,
    )
    assert vnpay.pipe_string(body, vnpay.QUERYDR_REQUEST_FIELDS) == QUERYDR_STRING
    assert body["vnp_SecureHash"] == QUERYDR_HASH


def test_dates_are_gmt7_whatever_the_time_zone_given():
    from datetime import timezone

    assert vnpay.vnp_date(datetime(2026, 1, 1, 2, 0, tzinfo=timezone.utc)) == "20260101090000"
    with pytest.raises(vnpay.ProtocolError):
        vnpay.vnp_date(datetime(2026, 1, 1))


def test_a_return_verifies_and_any_change_breaks_it():
    params = vnpay.parse_query(f"{PAY_STRING}&vnp_SecureHash={PAY_HASH.upper()}")  # case-insensitive hex
    assert vnpay.verify_query(params, SECRET)
    for name in ("vnp_Amount", "vnp_TxnRef", "vnp_TmnCode", "vnp_OrderInfo"):
        altered = {**params, name: params[name] + "1"}
        assert not vnpay.verify_query(altered, SECRET), name
    assert not vnpay.verify_query({**params, "vnp_ResponseCode": "00"}, SECRET)  # an added field
    assert not vnpay.verify_query(params, SECRET + "x")
    assert not vnpay.verify_query({k: v for k, v in params.items() if k != "vnp_SecureHash"}, SECRET)
    assert not vnpay.verify_query({**params, "vnp_SecureHash": "zz"}, SECRET)


def test_amounts_are_times_100_and_whole():
    assert vnpay.to_amount(10_000) == "1000000"
    assert vnpay.from_amount("1000000") == 10_000
    assert vnpay.from_amount("1000050") is None
    assert vnpay.from_amount("-100") is None
    for bad in (0, -5, 1.5, True):
        with pytest.raises(vnpay.ProtocolError):
            vnpay.to_amount(bad)


def test_order_info_has_no_diacritics_or_special_characters():
    assert vnpay.order_info("Nộp lệ phí hồ sơ Đăng ký khai sinh (bản sao) *ưu tiên*") == "Nop le phi ho so Dang ky khai sinh ban sao uu tien"
    with pytest.raises(vnpay.ProtocolError):
        pay_request(order_info="Nộp phí").params()
    with pytest.raises(vnpay.ProtocolError):
        pay_request(txn_ref="HS-2026").params()
    with pytest.raises(vnpay.ProtocolError):
        vnpay.signed_query({"vnp_OrderInfo": "a~b"}, SECRET)


@given(st.text(max_size=300))
def test_order_info_always_fits_the_protocol(text):
    info = vnpay.order_info(text)
    assert 1 <= len(info) <= 255
    assert not vnpay._ORDER_INFO_BAD.search(info)


@given(st.dictionaries(st.sampled_from(["vnp_Amount", "vnp_TxnRef", "vnp_OrderInfo", "vnp_BankCode", "vnp_PayDate"]),
                       st.text(alphabet=st.characters(blacklist_characters="~*!'()", blacklist_categories=["Cs"]), min_size=1, max_size=40), min_size=1))
def test_signed_parameters_round_trip_through_a_query_string(params):
    query = vnpay.signed_query(params, SECRET)
    assert vnpay.verify_query(vnpay.parse_query(query), SECRET)


def test_notification_success_needs_both_codes():
    n = lambda rc, ts: vnpay.Notification.from_params({"vnp_ResponseCode": rc, "vnp_TransactionStatus": ts})  # noqa: E731
    assert n("00", "00").succeeded
    assert not n("00", "02").succeeded
    assert not n("24", "00").succeeded


def test_querydr_answers_are_believed_only_when_signed_and_for_our_transaction():
    body = {"vnp_ResponseId": "1", "vnp_Command": "querydr", "vnp_ResponseCode": "00", "vnp_Message": "ok", "vnp_TmnCode": "TESTTMN1",
            "vnp_TxnRef": "HS1", "vnp_Amount": "5000000", "vnp_BankCode": "NCB", "vnp_PayDate": "20260101091000", "vnp_TransactionNo": "123",
            "vnp_TransactionType": "01", "vnp_TransactionStatus": "00", "vnp_OrderInfo": "x", "vnp_PromotionCode": "", "vnp_PromotionAmount": ""}
    body["vnp_SecureHash"] = vnpay.pipe_hash(body, vnpay.QUERYDR_RESPONSE_FIELDS, SECRET)
    r = vnpay.read_querydr_response(body, secret=SECRET, tmn_code="TESTTMN1", txn_ref="HS1")
    assert r.paid and r.amount == 50_000
    assert not vnpay.read_querydr_response(body, secret=SECRET, tmn_code="TESTTMN1", txn_ref="HS2").answered
    assert not vnpay.read_querydr_response({**body, "vnp_Amount": "1"}, secret=SECRET, tmn_code="TESTTMN1", txn_ref="HS1").answered
    assert not vnpay.read_querydr_response({**body, "vnp_TransactionType": "02"}, secret=SECRET, tmn_code="TESTTMN1", txn_ref="HS1").answered
    unsigned = vnpay.read_querydr_response({"vnp_ResponseCode": "91"}, secret=SECRET, tmn_code="TESTTMN1", txn_ref="HS1")
    assert not unsigned.answered and unsigned.not_found
