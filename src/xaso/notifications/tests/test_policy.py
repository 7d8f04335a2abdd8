import pytest
from hypothesis import given
from hypothesis import strategies as st

from xaso.notifications import policy


def test_backoff_schedule_by_hand():
    delays = [policy.retry_delay(n) for n in range(1, 9)]
    assert delays == [60, 300, 1800, 7200, 21600, 43200, 43200, 43200]
    assert policy.retry_delay(1, retry_after=120) == 120
    assert policy.retry_delay(3, retry_after=120) == 1800
    with pytest.raises(ValueError):
        policy.retry_delay(0)


@given(st.integers(min_value=1, max_value=10_000), st.lists(st.integers(min_value=1, max_value=10**6), min_size=1, max_size=10))
def test_backoff_never_shrinks_for_a_growing_schedule(attempts, schedule):
    schedule = sorted(schedule)
    assert policy.retry_delay(attempts, schedule) <= policy.retry_delay(attempts + 1, schedule)
    assert policy.retry_delay(attempts, schedule) in schedule


@given(st.integers(min_value=1, max_value=100), st.integers(min_value=1, max_value=100))
def test_gives_up_exactly_at_max(attempts, max_attempts):
    assert policy.gives_up(attempts, max_attempts) == (attempts >= max_attempts)


@pytest.mark.parametrize(
    "status,verdict",
    [(200, "ok"), (202, "ok"), (400, "permanent"), (401, "permanent"), (404, "permanent"), (422, "permanent"),
     (408, "transient"), (429, "transient"), (500, "transient"), (503, "transient"), (302, "permanent")],
)
def test_classify(status, verdict):
    assert policy.classify_http_status(status) == verdict


@given(st.integers(min_value=100, max_value=599))
def test_classify_is_total(status):
    assert policy.classify_http_status(status) in (policy.OK, policy.TRANSIENT, policy.PERMANENT)


def test_retry_after():
    assert policy.parse_retry_after("30") == 30
    assert policy.parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") is None
    assert policy.parse_retry_after(None) is None


@pytest.mark.parametrize(
    "raw,e164",
    [("0912345678", "+84912345678"), ("0912 345 678", "+84912345678"), ("091.234.5678", "+84912345678"),
     ("+84 912 345 678", "+84912345678"), ("84912345678", "+84912345678"), ("+840912345678", "+84912345678"),
     ("0084912345678", "+84912345678"), ("0388123456", "+84388123456"), ("+33612345678", "+33612345678")],
)
def test_normalise_phone(raw, e164):
    assert policy.normalise_phone(raw) == e164


@pytest.mark.parametrize("raw", ["", "12345", "0212345678", "091234567", "09123456789", "+84 123", "abc", "+0123456789"])
def test_invalid_phone(raw):
    with pytest.raises(policy.InvalidPhoneNumber):
        policy.normalise_phone(raw)


@given(st.sampled_from("35789"), st.text(alphabet="0123456789", min_size=8, max_size=8), st.sampled_from(["0{}", "+84{}", "84{}", "+84 {}"]))
def test_every_vietnamese_mobile_form_normalises_the_same(first, rest, form):
    national = first + rest
    assert policy.normalise_phone(form.format(national)) == "+84" + national


def test_strip_diacritics_by_hand():
    assert policy.strip_diacritics("Hồ sơ của ông/bà đã có kết quả. ĐƯỢC") == "Ho so cua ong/ba da co ket qua. DUOC"
    assert policy.strip_diacritics("Mã: 482913") == "Ma: 482913"


VIETNAMESE_LETTERS = "aàáạảãâầấậẩẫăằắặẳẵeèéẹẻẽêềếệểễiìíịỉĩoòóọỏõôồốộổỗơờớợởỡuùúụủũưừứựửữyỳýỵỷỹđ"


@given(st.text(alphabet=VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper() + " .,0123456789"))
def test_strip_diacritics_gives_ascii_of_same_length(text):
    out = policy.strip_diacritics(text)
    assert out.isascii() and len(out) == len(text)
    assert policy.strip_diacritics(out) == out
