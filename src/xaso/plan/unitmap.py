"""Mapping the unit names written in a plan ("Cơ quan chủ trì/phối hợp") to the commune's
units (no Django).

A cell may name several units ("Tổ công tác Đề án 06; Công an xã.", "- Các đơn vị sự nghiệp
giáo dục. - Các cơ quan liên quan."). Each name is matched after folding (no diacritics,
lower case, common abbreviations expanded: HCC, HĐND&UBND, BC, KH). Collective names map to
groups of units:

* "Các phòng, ban, ngành, đơn vị cấp xã" (and shorter variants) → every unit of the commune;
* "Các trạm Y tế" → every health station; "Các đơn vị sự nghiệp giáo dục", "Các trường" →
  every school.

A name that matches nothing is returned as unmapped so the import can report it; the text is
kept on the task either way.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .schedules import fold

ALL_UNITS = re.compile(r"^cac (phong|co quan)[, ]+(ban[, ]+)?(nganh[, ]+)?(don vi|dia phuong)( truc thuoc)?( cap xa| xa)?$")
KIND_GROUPS = [
    (re.compile(r"^cac tram y te( xa)?$"), "health"),
    (re.compile(r"^(cac )?don vi su nghiep giao duc|^cac truong( hoc)?$|^cac co so giao duc"), "school"),
]
KIND_SINGLE = [
    (re.compile(r"^cong an( xa)?$"), "police"),
    (re.compile(r"^tram y te( xa)?$"), "health"),
]
_ABBREVIATIONS = [
    (re.compile(r"\bhcc\b"), "hanh chinh cong"),
    (re.compile(r"\bubnd\b"), "uy ban nhan dan"),
    (re.compile(r"\bhdnd\b"), "hoi dong nhan dan"),
    (re.compile(r"\bvh-?xh\b"), "van hoa xa hoi"),
]


@dataclass(frozen=True)
class UnitRef:
    id: int
    name: str
    short_name: str = ""
    kind: str = ""


@dataclass
class Resolution:
    unit_ids: list[int] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)


def split_names(text: str) -> list[str]:
    """The unit names of one cell."""
    names = []
    for part in re.split(r";|^\s*-\s+|(?<=\.)\s*-\s+", (text or "").strip()):
        part = part.strip().strip("-").strip().rstrip(".;,").strip()
        if part:
            names.append(part)
    return names


def key(name: str) -> str:
    text = fold(name).replace("&", " va ")
    text = re.sub(r"[^\w\s-]", " ", text)
    text = text.replace(" - ", " ")
    for pattern, replacement in _ABBREVIATIONS:
        text = pattern.sub(replacement, text)
    text = re.sub(r"\s+", " ", text).strip()
    return text


def _bare(text: str) -> str:
    return re.sub(r"( cap)? xa$", "", text).strip()


def resolve_name(name: str, units: list[UnitRef]) -> list[int]:
    k = key(name)
    if ALL_UNITS.match(k):
        return [u.id for u in units]
    for pattern, kind in KIND_GROUPS:
        if pattern.search(k):
            return [u.id for u in units if u.kind == kind]
    exact = [u.id for u in units if k in (key(u.name), key(u.short_name or "\0"))]
    if exact:
        return exact[:1]
    bare = _bare(k)
    loose = [u.id for u in units if bare and bare in (_bare(key(u.name)), _bare(key(u.short_name or "\0")))]
    if len(loose) == 1:
        return loose
    for pattern, kind in KIND_SINGLE:
        if pattern.match(k):
            of_kind = [u.id for u in units if u.kind == kind]
            if len(of_kind) == 1:
                return of_kind
    return []


def resolve(text: str, units: list[UnitRef]) -> Resolution:
    result = Resolution()
    for name in split_names(text):
        ids = resolve_name(name, units)
        if ids:
            result.unit_ids.extend(i for i in ids if i not in result.unit_ids)
        else:
            result.unmapped.append(name)
    return result
