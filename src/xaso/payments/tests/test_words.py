from hypothesis import given
from hypothesis import strategies as st

from xaso.payments.words import number_in_words, vnd_in_words


def test_receipt_amounts_in_words():
    assert vnd_in_words(50_000) == "Năm mươi nghìn đồng"
    assert vnd_in_words(105) == "Một trăm linh năm đồng"
    assert vnd_in_words(21_000) == "Hai mươi mốt nghìn đồng"
    assert vnd_in_words(15_000) == "Mười lăm nghìn đồng"
    assert vnd_in_words(2_005) == "Hai nghìn không trăm linh năm đồng"
    assert vnd_in_words(1_234_567) == "Một triệu hai trăm ba mươi bốn nghìn năm trăm sáu mươi bảy đồng"
    assert vnd_in_words(1_000_005_000) == "Một tỷ không trăm linh năm nghìn đồng"
    assert number_in_words(0) == "không"


@given(st.integers(min_value=1, max_value=10**13))
def test_every_amount_reads_in_known_words(n):
    words = number_in_words(n).split()
    known = {"không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín", "mười", "mươi", "mốt", "lăm", "linh", "trăm", "nghìn", "triệu", "tỷ"}
    assert words and set(words) <= known
    assert words[0] != "không"
    assert "mươi một" not in " ".join(words) and "mười năm" not in " ".join(words)


@given(st.integers(min_value=0, max_value=999_999))
def test_distinct_amounts_read_differently(n):
    assert number_in_words(n) != number_in_words(n + 1)
