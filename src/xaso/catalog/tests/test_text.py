import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from xaso.catalog.text import normalise, search_terms, slugify_vi

VIETNAMESE = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
VIETNAMESE += VIETNAMESE.upper()


def test_hand_cases():
    assert normalise("Đăng ký khai sinh") == "dang ky khai sinh"
    assert normalise("  CHỨNG   thực ") == "chung thuc"
    assert normalise("Hộ tịch (liên thông)") == "ho tich (lien thong)"
    assert slugify_vi("Hộ tịch (liên thông)") == "ho-tich-lien-thong"
    assert slugify_vi("Đất đai") == "dat-dai"
    assert search_terms("đăng  KÝ") == ["dang", "ky"]


@given(st.text())
def test_normalise_is_idempotent(text):
    once = normalise(text)
    assert normalise(once) == once


@given(st.text(alphabet=VIETNAMESE + " ", min_size=1))
def test_every_vietnamese_diacritic_is_stripped(text):
    result = normalise(text)
    assert all(ch == " " or "a" <= ch <= "z" for ch in result)
    assert not any(unicodedata.combining(ch) for ch in unicodedata.normalize("NFD", result))


@given(st.text(alphabet=VIETNAMESE, min_size=1, max_size=30))
def test_case_and_accents_do_not_matter(word):
    assert normalise(word.upper()) == normalise(word.lower()) == normalise(unicodedata.normalize("NFD", word))
