"""The API's exception handler: DRF's, with the messages DRF cannot translate replaced by
Vietnamese ones (REST_FRAMEWORK["EXCEPTION_HANDLER"])."""
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

# DRF's parsers build these messages without gettext, with the parser's own English detail.
_PARSE_ERRORS = {
    "JSON parse error": lambda: _("The request body is not valid JSON."),
    "Multipart form parse error": lambda: _("The request body is not a valid multipart form."),
}


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        # get_object_or_404's message is English and names the model: "No Dossier matches
        # the given query." Views that know what is missing raise their own NotFound.
        exc = exceptions.NotFound()
    elif isinstance(exc, exceptions.ParseError):
        for prefix, message in _PARSE_ERRORS.items():
            if str(exc.detail).startswith(prefix):
                exc = exceptions.ParseError(message())
                break
    return drf_exception_handler(exc, context)
