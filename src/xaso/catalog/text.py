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


# --------------------------------------------------------------------------- curation notes
# The catalogue's notes mix the facts a citizen needs ("nếu tiếp nhận hồ sơ sau 15 giờ thì trả
# kết quả trong ngày làm việc tiếp theo") with the curators' notes on their sources ("Cổng
# DVCQG 2026 hiển thị '1'", "(Thanh Hóa chưa xác minh)", "(bản sao trong mã nguồn …)").
# Staff see the notes whole; citizens see them without the curators' remarks.

# In a parenthesis: a remark about the source when it names the portal or a check.
_SOURCE_IN_PARENS = ("cổng", "mã nguồn", "github", "chưa xác minh", "chưa đối chiếu", "theo bản trích dẫn",
                     "chỉ đọc", "bản cũ", "trang dvc", "chưa giải thích", "qđ 163/qđ-btp", "qđ/0001-btp", "không quy định")
# In a clause (between "; " or ". "): a remark about what a source shows or whether it was checked.
_SOURCE_IN_CLAUSE = ("cổng dvcqg 2026", "cổng dvcqg:", "cổng dvcqg (", "cổng hiển thị", "cổng ghi", "trang cổng", "hiển thị",
                     "chưa xác minh", "chưa đối chiếu", "không nhất quán", "mã nguồn", "github", "kênh nộp:", "kênh:",
                     "nguồn đã đọc", "không nêu trong nguồn", "coi là", "chưa giải thích", "cổng 2026", "trên cổng",
                     "mã thanh hóa", "mã tthc", "cần kiểm tra lại", "có thể đã lỗi thời", "chưa tìm thấy", "còn dẫn",
                     "căn cứ trước")


def _drop_source_parens(text: str) -> str:
    out, stack = [], []
    for ch in text:
        if ch == "(":
            stack.append(len(out))
            out.append(ch)
        elif ch == ")" and stack:
            start = stack.pop()
            inner = "".join(out[start + 1:]).lower()
            if any(marker in inner for marker in _SOURCE_IN_PARENS):
                del out[start:]
            else:
                out.append(ch)
        else:
            out.append(ch)
    return "".join(out)


def public_note(text: str) -> str:
    """A catalogue note as a citizen reads it: the curators' remarks on their sources taken
    out (parentheses and clauses naming the national portal's display, an unverified value,
    a source file, the submission channels shown elsewhere), the facts kept. Pure."""
    if not text:
        return ""
    text = _drop_source_parens(text)
    clauses = re.split(r"(;\s+|\.\s+(?=[A-ZÀ-Ỹ]))", text)
    kept: list[str] = []
    dropped = False
    for i in range(0, len(clauses), 2):
        clause = clauses[i].strip()
        head, sep, tail = clause.partition(" — ")
        if sep and any(m in tail.lower() for m in _SOURCE_IN_CLAUSE):
            clause = head.strip()
        # A clause continuing a dropped one (it starts in lower case: "…: trực tuyến 17 ngày;
        # bưu chính 20 ngày") goes with it.
        if not clause or any(m in clause.lower() for m in _SOURCE_IN_CLAUSE) or (dropped and clause[:1].islower()):
            dropped = True
            continue
        dropped = False
        kept.append(clause)
    result = "; ".join(k.rstrip(".;") for k in kept)
    result = _SPACES.sub(" ", result).replace(" ,", ",").replace(" ;", ";").strip(" ;,")
    return result + "." if result and not result.endswith((".", ")")) else result
