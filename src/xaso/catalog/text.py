"""Text normalisation for accent-insensitive search (pure Python, no Django).

Vietnamese letters carry up to two diacritics (a vowel mark such as the circumflex or
horn, plus a tone mark). Decomposing to NFD and dropping combining marks removes both;
"đ"/"Đ" is a separate letter, not a decomposable one, so it is mapped by hand."""
import re
import unicodedata

_EXTRA = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})
_SPACES = re.compile(r"\s+")
_NON_SLUG = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    """Lower-case, strip every diacritic, map đ→d and collapse white space.

    ``normalise(normalise(s)) == normalise(s)`` for every ``s``."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.translate(_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # NFKD of a few compatibility characters can produce new "đ"-like or upper-case letters.
    stripped = unicodedata.normalize("NFKC", stripped).translate(_EXTRA).casefold()
    stripped = "".join(ch for ch in unicodedata.normalize("NFKD", stripped) if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped).strip()


def slugify_vi(text: str, max_length: int = 80) -> str:
    """An ASCII URL slug: "Hộ tịch (liên thông)" → "ho-tich-lien-thong"."""
    slug = _NON_SLUG.sub("-", normalise(text)).strip("-")
    return slug[:max_length].rstrip("-")


def search_terms(query: str) -> list[str]:
    """The normalised words of a query; every one must appear in a match."""
    return [term for term in normalise(query).split(" ") if term]
