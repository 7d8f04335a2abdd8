"""Parsing one row of the procedure file into catalogue content (pure Python, no Django).

The reference file has 11 columns (see docs/catalog.md). An empty cell means UNKNOWN, never
"none" or "free": the parser keeps it unknown. Errors are returned as ``ParseError`` codes
with the row and column; the command turns them into Vietnamese messages."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from . import defaults
from .text import normalise

BASE_COLUMNS = [
    "code", "name_vi", "field_vi", "processing_days", "processing_note", "fee_vnd", "fee_note",
    "online_level", "legal_basis", "required_documents", "source_url",
]
# Extra columns written by ``xaso catalog export``; accepted (all optional) on import.
EXTRA_COLUMNS = [
    "code_is_local", "frequent", "level", "authority", "competent_department", "result",
    "processing_amount", "processing_unit", "cutoff", "channels", "green_lane",
    "supplement_mode", "supplement_max", "needs_verification", "process_is_default",
    "documents_json", "fees_json", "steps_json", "fee_timing", "online_payment",
]

# Values (also the vocabulary of the export)
ONLINE_LEVELS = {"toan trinh": "full", "mot phan": "partial", "khong truc tuyen": "none", "": "unknown",
                 "chua xac dinh": "unknown"}
ONLINE_LEVEL_LABELS = {"full": "toàn trình", "partial": "một phần", "none": "không trực tuyến", "unknown": ""}
PROCESSING_UNITS = ("same_day", "working_days", "calendar_days", "hours", "unknown")
FEE_KINDS = ("fixed", "per_unit", "council", "free", "unknown")
ROLES = ("reception", "specialist", "head", "leader", "other_agency")
LEVELS = ("commune", "province", "other")
SUPPLEMENT_MODES = ("pause", "restart")
FEE_TIMINGS = ("unknown", "before_reception", "before_result")
CHANNEL_WORDS = {"online": "trực tuyến", "post": "bưu chính", "counter": "trực tiếp"}

NATIONAL_CODE = re.compile(r"^[0-9]\.[0-9]{6}(\.[0-9A-Za-z]+)*$")
LOCAL_CODE = re.compile(r"^XS-[0-9A-F]{8}$")


@dataclass
class ParseError:
    row: int
    column: str
    code: str
    params: dict = field(default_factory=dict)


def local_code_for(name: str) -> str:
    """A stable local code for a procedure without a national code: derived from its
    normalised name, so re-importing the same file gives the same code."""
    import hashlib

    digest = hashlib.sha1(normalise(name).encode("utf-8")).hexdigest()[:8].upper()
    return f"XS-{digest}"


# --- processing time ---------------------------------------------------------------------

_CALENDAR = re.compile(r"'ngay'|ngay theo lich")
_CUTOFF = re.compile(r"sau (\d{1,2})(?: ?(?:gio|h))(?: ?(\d{2}))?")


def parse_processing(days_cell: str, note: str):
    """(amount, unit) from the ``processing_days`` cell and its note. 0 = same day; the
    note says when the days are calendar days ("'Ngày'", "ngày theo lịch")."""
    days_cell = (days_cell or "").strip()
    if days_cell == "":
        return None, "unknown"
    if not re.fullmatch(r"\d{1,4}", days_cell):
        raise ValueError(days_cell)
    amount = int(days_cell)
    if amount == 0:
        return 0, "same_day"
    if _CALENDAR.search(normalise(note)):
        return amount, "calendar_days"
    return amount, "working_days"


def parse_cutoff(note: str) -> str:
    """"HH:MM" when the note says results come the next working day for dossiers received
    "sau 15 giờ" (vn-rules 1.9); "" otherwise."""
    match = _CUTOFF.search(normalise(note))
    if not match:
        return ""
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        return ""
    return f"{hour:02d}:{minute:02d}"


# --- channels -----------------------------------------------------------------------------

def _channels_in(segment: str) -> set[str]:
    found = set()
    if "truc tuyen" in segment or "moi truong dien tu" in segment:
        found.add("online")
    if "buu chinh" in segment or "buu dien" in segment:
        found.add("post")
    if "truc tiep" in segment:
        found.add("counter")
    return found


def _segment_after(text: str, marker: str) -> str:
    start = text.index(marker) + len(marker)
    rest = text[start:]
    # A sentence ends at ". " or ";" (commas separate channels); brackets are kept whole.
    end = re.search(r"\.\s|;|\.$", rest)
    return rest[: end.start()] if end else rest


def parse_channels(note: str):
    """The submission channels named in the processing note, or None when it names none.

    Recognised wordings: "Kênh nộp: …", "Kênh: …", "Chỉ nộp …", "Nộp …" and per-channel
    durations ("trực tuyến 17 ngày…; trực tiếp 27…"); "Không có kênh trực tuyến" removes
    the online channel."""
    text = normalise(note)
    if not text:
        return None
    for marker in ("chi nop ", "kenh nop:", "kenh:"):
        if marker in text:
            channels = _channels_in(_segment_after(text, marker))
            if channels:
                return channels
    match = re.search(r"(?:^|[.;]\s*)nop ", text)
    if match:
        channels = _channels_in(_segment_after(text[match.start():], "nop "))
        if channels:
            return channels
    channels = _channels_in(text)
    if "khong co kenh truc tuyen" in text:
        channels.discard("online")
        channels = channels or None
    return channels or None


# --- fees ---------------------------------------------------------------------------------

_COUNCIL = re.compile(r"hdnd|hoi dong nhan dan")
_AMOUNT = r"(\d{1,3}(?:[.,]\d{3})+|\d{1,12})"
_FEE_CELL = re.compile(r"^" + _AMOUNT + r"(?:\s*/\s*(\S.{0,40}))?$")
# The online price of the first line: "20000/lần; trực tuyến 10000/lần" (the unit, when
# written, must be the line's own). Read only from this column, never from the fee note.
_ONLINE_PART = re.compile(r"^truc tuyen\s*:?\s*" + _AMOUNT + r"(?:\s*/\s*(\S.{0,40}))?$")
ONLINE_PRICE_WORD = "trực tuyến"


def _amount(text: str) -> int:
    return int(re.sub(r"[.,]", "", text))


def _fee(kind, amount, unit="", description="", online_amount=None) -> dict:
    return {"kind": kind, "amount": amount, "unit": unit, "description": description, "online_amount": online_amount}


def parse_fees(fee_cell: str, fee_note: str) -> list[dict]:
    """Fee lines from ``fee_vnd`` ("0", "2000/trang", "8000/bản sao", "50000/giao dịch", empty;
    optionally followed by "; trực tuyến 10000" for a different online price) and the note.
    Empty amount + note naming the provincial council → "decided by the provincial council,
    amount not set"; empty otherwise → unknown (never "free")."""
    fee_cell = (fee_cell or "").strip()
    council = bool(_COUNCIL.search(normalise(fee_note)))
    fees: list[dict] = []
    if fee_cell:
        main, _sep, online_part = fee_cell.partition(";")
        match = _FEE_CELL.match(main.strip())
        if not match:
            raise ValueError(fee_cell)
        amount, unit = _amount(match.group(1)), (match.group(2) or "").strip()
        online_amount = None
        if _sep:
            online = _ONLINE_PART.match(normalise(online_part.strip()))
            if not online or (amount == 0 and not unit):
                raise ValueError(fee_cell)
            if online.group(2) and normalise(online.group(2).strip()) != normalise(unit):
                raise ValueError(fee_cell)
            online_amount = _amount(online.group(1))
        if amount == 0 and not unit:
            fees.append(_fee("free", 0))
        elif unit:
            fees.append(_fee("per_unit", amount, unit, online_amount=online_amount))
        else:
            fees.append(_fee("fixed", amount, online_amount=online_amount))
        if council and amount == 0:
            # e.g. birth registration: free when on time, otherwise set by the council.
            fees.append(_fee("council", None, description="Một số trường hợp"))
    elif council:
        fees.append(_fee("council", None))
    else:
        fees.append(_fee("unknown", None))
    return fees


def fee_cell_of(fees: list[dict]) -> str:
    """The ``fee_vnd`` cell that describes the first priced fee line (for the export)."""
    for fee in fees:
        if fee["kind"] == "free":
            return "0"
        if fee["kind"] == "fixed":
            cell = str(fee["amount"])
        elif fee["kind"] == "per_unit":
            cell = f"{fee['amount']}/{fee['unit']}"
        else:
            continue
        if fee.get("online_amount") is not None:
            cell += f"; {ONLINE_PRICE_WORD} {fee['online_amount']}" + (f"/{fee['unit']}" if fee["kind"] == "per_unit" else "")
        return cell
    return ""


# --- documents ----------------------------------------------------------------------------

_PRESENT = re.compile(r"^xuat trinh(?P<case> theo truong hop)?\s*:\s*", re.IGNORECASE)
_CONDITIONAL = re.compile(r"\((?:neu|truong hop|chi khi)|\bneu co\b|^truong hop\b|\bneu (?:uy quyen|khong|la|ho|thay|da|xin|chua)")


def parse_documents(cell: str) -> list[dict]:
    """Required documents, split on ";". "Xuất trình:" marks a document shown at the counter
    rather than submitted (the following items that start in lower case continue that
    list); "(nếu …)", "(trường hợp …)", "nếu có" mark a conditional document; an item
    wholly in brackets is an explanatory note, not a document."""
    documents: list[dict] = []
    presenting = by_case = False
    for raw in (cell or "").split(";"):
        item = " ".join(raw.split())
        if not item:
            continue
        if item.startswith("(") and item.endswith(")") and item.count("(") == 1:
            documents.append(_document(item[1:-1], "note", "submit"))
            presenting = by_case = False
            continue
        plain = normalise(item)
        match = _PRESENT.match(plain)
        if match:
            # cut the same number of characters from the original text
            prefix_len = len(re.match(r"^\s*xuất trình(?: theo trường hợp)?\s*:\s*", item, re.IGNORECASE).group(0))
            item = item[prefix_len:]
            item = item[:1].upper() + item[1:]
            presenting, by_case = True, bool(match.group("case"))
            submission = "present"
        elif presenting and item[:1].islower():
            item = item[:1].upper() + item[1:]
            submission = "present"
        else:
            presenting = by_case = False
            submission = "submit"
        conditional = by_case or bool(_CONDITIONAL.search(normalise(item)))
        documents.append(_document(item, "conditional" if conditional else "mandatory", submission))
    return documents


def _document(name: str, requirement: str, submission: str) -> dict:
    plain = normalise(name)
    originals = copies = None
    if plain.startswith("ban chinh") and "hoac" not in plain[:40]:
        originals = 1
    elif plain.startswith("ban sao") and "hoac" not in plain[:40]:
        copies = 1
    sets = re.search(r"\b0?(\d{1,2}) bo\b", plain)
    if sets:
        copies = int(sets.group(1))
    return {"name": name, "requirement": requirement, "submission": submission,
            "originals": originals, "copies": copies}


def documents_cell_of(documents: list[dict]) -> str:
    """The ``required_documents`` text of a document list (for the export)."""
    parts = []
    for doc in documents:
        if doc["requirement"] == "note":
            parts.append(f"({doc['name']})")
        elif doc["submission"] == "present":
            # every present-only item gets the prefix: a continuation would need a
            # lower-case start, and stored names start in upper case
            by_case = doc["requirement"] == "conditional" and not _CONDITIONAL.search(normalise(doc["name"]))
            parts.append(f"{'Xuất trình theo trường hợp' if by_case else 'Xuất trình'}: {doc['name']}")
        else:
            parts.append(doc["name"])
    return "; ".join(parts)


# --- the whole row ------------------------------------------------------------------------

VERIFY_MARKERS = ("chua xac minh", "suy luan", "can kiem tra lai", "chua doi chieu")


def parse_row(row: dict, line: int) -> tuple[dict | None, list[ParseError]]:
    """Content of one row (the version's fields, documents, fees), or the errors found.

    Only the keys present in the returned dict are set by the file; the others keep their
    current (or default) values."""
    errors: list[ParseError] = []
    cell = {key: ("" if value is None else str(value)).strip() for key, value in row.items()}

    def err(column, code, **params):
        errors.append(ParseError(line, column, code, params))

    content: dict = {}
    code = cell.get("code", "")
    name = " ".join(cell.get("name_vi", "").split())
    if not name:
        err("name_vi", "required")
    content["name"] = name
    if code:
        if not (NATIONAL_CODE.match(code) or LOCAL_CODE.match(code)):
            err("code", "bad_code", value=code)
        content["code"] = code
        content["code_is_local"] = bool(LOCAL_CODE.match(code))
    else:
        content["code"] = local_code_for(name) if name else ""
        content["code_is_local"] = True
    field_name = " ".join(cell.get("field_vi", "").split())
    if not field_name:
        err("field_vi", "required")
    content["field"] = field_name

    note = cell.get("processing_note", "")
    content["processing_note"] = note
    try:
        content["processing_amount"], content["processing_unit"] = parse_processing(cell.get("processing_days", ""), note)
    except ValueError:
        err("processing_days", "bad_days", value=cell.get("processing_days", ""))
    content["cutoff"] = parse_cutoff(note)
    channels = parse_channels(note)
    content["channels_known"] = channels is not None
    for key in CHANNEL_WORDS:
        content[f"channel_{key}"] = bool(channels and key in channels)

    fee_note = cell.get("fee_note", "")
    content["fee_note"] = fee_note
    try:
        content["fees"] = parse_fees(cell.get("fee_vnd", ""), fee_note)
    except ValueError:
        err("fee_vnd", "bad_fee", value=cell.get("fee_vnd", ""))

    level_cell = normalise(cell.get("online_level", ""))
    if level_cell not in ONLINE_LEVELS:
        err("online_level", "bad_online_level", value=cell.get("online_level", ""))
    else:
        level = ONLINE_LEVELS[level_cell]
        if level_cell == "" and channels is not None and "online" not in channels:
            level = "none"  # the source names the channels and none is online
        content["online_level"] = level

    content["legal_basis"] = cell.get("legal_basis", "")
    content["documents"] = parse_documents(cell.get("required_documents", ""))
    url = cell.get("source_url", "")
    if url and not re.match(r"^https?://\S+$", url):
        err("source_url", "bad_url", value=url)
    content["source_url"] = url
    plain_notes = normalise(note + " " + fee_note)
    content["needs_verification"] = any(marker in plain_notes for marker in VERIFY_MARKERS)

    _parse_extra(cell, content, err)
    return (None if errors else content), errors


def _bool(value: str):
    value = normalise(value)
    if value in ("1", "true", "co", "x", "yes"):
        return True
    if value in ("0", "false", "khong", "no"):
        return False
    raise ValueError(value)


def _parse_extra(cell: dict, content: dict, err) -> None:
    """Columns of the export format. Empty or absent columns keep the derived values."""
    def present(key):
        return cell.get(key, "") != ""

    for key in ("frequent", "green_lane", "needs_verification", "process_is_default", "code_is_local", "online_payment"):
        if present(key):
            try:
                content[key] = _bool(cell[key])
            except ValueError:
                err(key, "bad_bool", value=cell[key])
    if content.get("code_is_local") and content.get("code") and not LOCAL_CODE.match(content["code"]):
        err("code", "bad_code", value=content["code"])
    for key, allowed in (("level", LEVELS), ("supplement_mode", SUPPLEMENT_MODES), ("processing_unit", PROCESSING_UNITS), ("fee_timing", FEE_TIMINGS)):
        if present(key):
            if cell[key] not in allowed:
                err(key, "bad_choice", value=cell[key], allowed=", ".join(allowed))
            else:
                content[key] = cell[key]
    for key in ("authority", "result", "competent_department"):
        if key in cell:
            content[key] = cell[key]
    if present("processing_amount"):
        if re.fullmatch(r"\d{1,4}", cell["processing_amount"]):
            content["processing_amount"] = int(cell["processing_amount"])
        else:
            err("processing_amount", "bad_days", value=cell["processing_amount"])
    elif "processing_amount" in cell and present("processing_unit"):
        content["processing_amount"] = None
    if "cutoff" in cell:
        if cell["cutoff"] and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", cell["cutoff"]):
            err("cutoff", "bad_cutoff", value=cell["cutoff"])
        else:
            content["cutoff"] = cell["cutoff"]
    if "channels" in cell:
        value = normalise(cell["channels"])
        if value in ("", "chua xac dinh"):
            content["channels_known"] = False
            for key in CHANNEL_WORDS:
                content[f"channel_{key}"] = False
        else:
            names = {normalise(v): k for k, v in CHANNEL_WORDS.items()}
            chosen = [part.strip() for part in value.split(",") if part.strip()]
            unknown = [part for part in chosen if part not in names and part != "khong co"]
            if unknown:
                err("channels", "bad_choice", value=cell["channels"], allowed=", ".join(CHANNEL_WORDS.values()))
            else:
                content["channels_known"] = True
                for key in CHANNEL_WORDS:
                    content[f"channel_{key}"] = normalise(CHANNEL_WORDS[key]) in chosen
    if present("supplement_max"):
        if re.fullmatch(r"\d{1,2}", cell["supplement_max"]):
            content["supplement_max"] = int(cell["supplement_max"])
        else:
            err("supplement_max", "bad_number", value=cell["supplement_max"])
    for key, checker in (("documents_json", _check_documents), ("fees_json", _check_fees), ("steps_json", _check_steps)):
        if present(key):
            try:
                value = json.loads(cell[key])
                checker(value)
            except (ValueError, TypeError, KeyError) as exc:
                err(key, "bad_json", detail=str(exc)[:200])
            else:
                content[key.removesuffix("_json")] = value


def _check_documents(value):
    if not isinstance(value, list):
        raise ValueError("list expected")
    for doc in value:
        if not str(doc["name"]).strip() or doc["requirement"] not in ("mandatory", "conditional", "note") \
                or doc["submission"] not in ("submit", "present"):
            raise ValueError(f"bad document {doc!r}")
        for key in ("originals", "copies"):
            if doc.get(key) is not None and (not isinstance(doc[key], int) or doc[key] < 0):
                raise ValueError(f"bad {key} {doc!r}")
        doc.setdefault("originals", None)
        doc.setdefault("copies", None)


def _check_fees(value):
    if not isinstance(value, list) or not value:
        raise ValueError("non-empty list expected")
    for fee in value:
        if fee["kind"] not in FEE_KINDS:
            raise ValueError(f"bad fee kind {fee['kind']!r}")
        if fee.get("amount") is not None and (not isinstance(fee["amount"], int) or fee["amount"] < 0):
            raise ValueError(f"bad amount {fee!r}")
        if fee["kind"] in ("fixed", "per_unit") and fee.get("amount") is None:
            raise ValueError(f"amount required {fee!r}")
        fee.setdefault("unit", "")
        fee.setdefault("description", "")
        fee.setdefault("amount", None)
        online = fee.setdefault("online_amount", None)
        if online is not None and (isinstance(online, bool) or not isinstance(online, int) or online < 0
                                   or fee["kind"] not in ("fixed", "per_unit", "council") or fee["amount"] is None):
            raise ValueError(f"bad online_amount {fee!r}")


def _check_steps(value):
    if not isinstance(value, list) or not value:
        raise ValueError("non-empty list expected")
    total = 0
    for step in value:
        if step["role"] not in ROLES or not str(step["name"]).strip():
            raise ValueError(f"bad step {step!r}")
        if not isinstance(step["share"], int) or not 0 <= step["share"] <= 100:
            raise ValueError(f"bad share {step!r}")
        total += step["share"]
        step["inter_agency"] = bool(step.get("inter_agency", False))
        step.setdefault("agency_name", "")
    if total != 100:
        raise ValueError(f"shares sum to {total}, not 100")


def default_steps(field_name: str) -> list[dict]:
    template = defaults.DEFAULT_INTER_AGENCY_PROCESS if "lien thong" in normalise(field_name) else defaults.DEFAULT_PROCESS
    return [{"name": name, "role": role, "share": share, "inter_agency": inter, "agency_name": ""}
            for name, role, share, inter in template]
