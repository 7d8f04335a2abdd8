"""Text as people type or paste it, made safe to store and to print (pure, no Django).

Vietnamese comes composed (NFC) from most keyboards but decomposed (NFD) from some (macOS,
iOS): the same name would not match itself in searches or duplicate checks. Text pasted
from other programs may carry control characters that XML (DOCX forms) and XLSX (the
tracking book) cannot hold.
"""
from __future__ import annotations

import re
import unicodedata

# Characters XML 1.0 (so DOCX and XLSX) cannot contain: C0 controls but tab, LF and CR.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f]+")


def xml_safe(value: str) -> str:
    """NFC, without the characters XML cannot hold (for printing stored text)."""
    # Removed first, then composed: a removed character may have stood between a letter
    # and its accent.
    return unicodedata.normalize("NFC", _XML_ILLEGAL.sub("", value))


def clean_line(value: str | None) -> str:
    """One line of typed text: NFC, control characters (line breaks and tabs included) made
    a single space, surrounding spaces removed."""
    return unicodedata.normalize("NFC", _CONTROLS.sub(" ", value or "")).strip()
