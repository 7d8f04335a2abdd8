"""Django validators. The pure checks live in xaso.core.identifiers (no Django import)."""
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import identifiers


class CharacterClassPasswordValidator:
    """A password must mix at least three of: lower case, upper case, digits, symbols."""

    def validate(self, password, user=None):
        classes = [r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"]
        if sum(bool(re.search(c, password)) for c in classes) < 3:
            raise ValidationError(
                _("The password must mix at least three of: lower-case letters, upper-case letters, digits and symbols."),
                code="password_too_simple",
            )

    def get_help_text(self):
        return _("Mix at least three of: lower-case letters, upper-case letters, digits and symbols.")


# --- Vietnamese identifiers -------------------------------------------------------------

IDENTIFIER_MESSAGES = {
    "national_id_digits": gettext_lazy("The personal identification number must have exactly 12 digits."),
    "national_id_province": gettext_lazy(
        "The personal identification number starts with %(province)s, which is not a province code of birth registration."
    ),
    "national_id_future": gettext_lazy(
        "The personal identification number gives the birth year %(year)s, which is in the future."
    ),
    "national_id_birth_mismatch": gettext_lazy(
        "The personal identification number gives the birth year %(year)s but the date of birth is in %(birth_year)s."
    ),
    "phone_format": gettext_lazy("Enter a mobile phone number of 10 digits, e.g. 0912 345 678."),
    "phone_prefix": gettext_lazy("%(prefix)s is not a Vietnamese mobile network prefix."),
    "tax_format": gettext_lazy(
        "A tax code has 10 digits, 10 digits and a 3-digit branch number (0101234567-001), "
        "or is a 12-digit personal identification number."
    ),
    "tax_checksum": gettext_lazy("This tax code is not valid: its check digit does not match."),
    "tax_branch": gettext_lazy("The branch number of a tax code cannot be 000."),
}


def identifier_error(exc: "identifiers.IdentifierError") -> ValidationError:
    """The Django ValidationError for a failed identifier check."""
    return ValidationError(IDENTIFIER_MESSAGES[exc.code], code=exc.code, params=exc.params)


def validate_national_id(value):
    try:
        identifiers.parse_national_id(value)
    except identifiers.IdentifierError as exc:
        raise identifier_error(exc) from None


def validate_phone(value):
    try:
        identifiers.normalize_phone(value)
    except identifiers.IdentifierError as exc:
        raise identifier_error(exc) from None


def validate_tax_code(value):
    try:
        identifiers.parse_tax_code(value)
    except identifiers.IdentifierError as exc:
        raise identifier_error(exc) from None
