"""xaso.core.text: typed or pasted text made safe to store and print."""
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from xaso.core.text import clean_line, xml_safe


def test_hand_worked():
    nfd = unicodedata.normalize("NFD", "Nguyễn Văn An")
    assert nfd != "Nguyễn Văn An" and clean_line(nfd) == "Nguyễn Văn An"
    assert clean_line("  Nguyễn\x0bVăn\r\n\tAn\x00 ") == "Nguyễn Văn An"
    assert clean_line(None) == ""
    assert xml_safe("A & B\x0b<C>\tD\n") == "A & B<C>\tD\n"
    assert xml_safe("e\x0b\u0301") == "é"  # the accent joins its letter once the control is gone


@given(st.text())
def test_xml_safe_output_is_storable_in_xml(value):
    out = xml_safe(value)
    assert not any(ord(c) < 32 and c not in "\t\n\r" for c in out)
    assert out == unicodedata.normalize("NFC", out)


@given(st.text())
def test_clean_line_is_one_clean_line_and_idempotent(value):
    out = clean_line(value)
    assert not any(ord(c) < 32 or ord(c) == 127 for c in out)
    assert out == out.strip() and clean_line(out) == out
