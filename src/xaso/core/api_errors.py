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


INVALID_PAGE = "No such page (page must be a whole number from 1 up to the last page)"


def document_invalid_page(result, generator, request, public):
    """drf-spectacular post-processing hook: every paginated list answers 404 for a page
    that does not exist (DRF's PageNumberPagination); say so in the schema."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            if not any(p.get("name") == "page" and p.get("in") == "query" for p in operation.get("parameters", [])):
                continue
            responses = operation.setdefault("responses", {})
            if "404" in responses:
                responses["404"]["description"] = f"{responses['404'].get('description', '')}; or {INVALID_PAGE[0].lower()}{INVALID_PAGE[1:]}".lstrip("; ")
            else:
                responses["404"] = {"description": INVALID_PAGE}
    return result
