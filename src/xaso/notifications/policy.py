"""Delivery policy of the outbox, pure logic (no Django import): when to retry, when to
give up, how to read a gateway's answer, how to write a Vietnamese phone number."""
from __future__ import annotations

import re

# Default retry delays in seconds after the 1st, 2nd, … failed attempt; the last one
# repeats. 1 min, 5 min, 30 min, 2 h, 6 h, 12 h.
DEFAULT_BACKOFF = (60, 300, 1800, 7200, 21600, 43200)
DEFAULT_MAX_ATTEMPTS = 8


def retry_delay(attempts: int, schedule=DEFAULT_BACKOFF, retry_after: float | None = None) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt (1-based). A gateway's
    ``Retry-After`` is honoured when it asks for longer."""
    if attempts < 1:
        raise ValueError("attempts starts at 1")
    if not schedule:
        raise ValueError("empty backoff schedule")
    delay = float(schedule[min(attempts, len(schedule)) - 1])
    if retry_after is not None and retry_after > delay:
        delay = float(retry_after)
    return delay


def gives_up(attempts: int, max_attempts: int) -> bool:
    """After ``attempts`` failed attempts, is the message dead?"""
    return attempts >= max_attempts


OK, TRANSIENT, PERMANENT = "ok", "transient", "permanent"

# 4xx answers that mean "try again later", not "this request is wrong".
TRANSIENT_4XX = frozenset({408, 425, 429})


def classify_http_status(status: int) -> str:
    """2xx accepted; 5xx and 408/425/429 transient (retry); any other answer permanent."""
    if 200 <= status < 300:
        return OK
    if status >= 500 or status in TRANSIENT_4XX:
        return TRANSIENT
    return PERMANENT


def parse_retry_after(value: str | None) -> float | None:
    """The delta-seconds form of an HTTP Retry-After header (the date form is ignored)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    return None


class InvalidPhoneNumber(ValueError):
    pass


_SEPARATORS = re.compile(r"[\s.\-()]")
# Vietnamese mobile numbers: 10 digits, 0 + a 9-digit subscriber number whose first digit
# is 3, 5, 7, 8 or 9 (numbering plan after the 2018 conversion of 11-digit numbers,
# Circular 22/2014/TT-BTTTT as amended; Decision 798/QĐ-BTTTT of 2018).
_VN_MOBILE = re.compile(r"[35789]\d{8}")
_E164 = re.compile(r"\+[1-9]\d{7,14}")


def normalise_phone(raw: str) -> str:
    """A phone number in E.164 form (``+84912345678``). Vietnamese numbers may be written
    ``0912 345 678``, ``84912345678`` or ``+84 912 345 678``; other countries need ``+``."""
    text = _SEPARATORS.sub("", raw or "")
    if text.startswith("00"):
        text = "+" + text[2:]
    if text.startswith("+84"):
        national = text[3:]
    elif text.startswith("84") and len(text) == 11:
        national = text[2:]
    elif text.startswith("0") and len(text) == 10:
        national = text[1:]
    elif text.startswith("+"):
        if _E164.fullmatch(text):
            return text
        raise InvalidPhoneNumber(raw)
    else:
        raise InvalidPhoneNumber(raw)
    if national.startswith("0"):
        national = national[1:]
    if not _VN_MOBILE.fullmatch(national):
        raise InvalidPhoneNumber(raw)
    return "+84" + national


_VIETNAMESE_D = str.maketrans({"đ": "d", "Đ": "D"})


def strip_diacritics(text: str) -> str:
    """Vietnamese without diacritics ("Hồ sơ đã có kết quả" → "Ho so da co ket qua").
    Many brandname SMS services only carry unaccented text (GSM 7-bit, 160 characters per
    part instead of 70 for Unicode)."""
    import unicodedata

    decomposed = unicodedata.normalize("NFD", text.translate(_VIETNAMESE_D))
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn"))
