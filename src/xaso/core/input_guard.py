"""Hostile input refused at the door, with a Vietnamese 400 (or 413), never a server error.

- ``RejectBadInputMiddleware`` (first after Django's SecurityMiddleware): a NUL byte in the
  path, the query string, a cookie or a form field is refused before any view or database
  sees it (PostgreSQL cannot store or compare a NUL: every lookup with one was a 500), and
  so is a request announcing a body larger than ``XASO_MAX_REQUEST_MB``.
- ``bad_request`` (``handler400`` of the URLconf): the answer to the requests Django itself
  refuses (a form body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``, too many fields, a host not
  allowed…), in Vietnamese: JSON under ``/api/``, a page elsewhere.
- ``xaso.core.parsers.JSONParser`` does the same for the API's JSON bodies (size, depth).

Each refusal is one response built by ``refusal``; pages are rendered without the request
(no session, no menu): the request is exactly what must not reach the database.
"""
from __future__ import annotations

from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

NUL = "\x00"


def max_request_bytes() -> int:
    """The largest request body accepted (``XASO_MAX_REQUEST_MB``): the sum of the files of
    one form, so a client cannot fill the disk with one upload."""
    return int(getattr(settings, "XASO_MAX_REQUEST_MB", 100)) * 1024 * 1024


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def refusal(request, message: str, status: int = 400) -> HttpResponse:
    """A refused request: ``{"detail": message}`` for the API, a short Vietnamese page
    otherwise. Never cached."""
    if is_api(request):
        response = JsonResponse({"detail": message}, status=status)
    else:
        html = render_to_string("core/bad_request.html", {"message": message, "status": status})
        response = HttpResponse(html, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _has_nul(values) -> bool:
    return any(NUL in v for v in values if isinstance(v, str))


def nul_in_request(request) -> bool:
    """A NUL byte in the path, the query string (as sent or once decoded), a cookie, or a
    field of a form body (urlencoded or multipart; file contents are not looked at)."""
    if NUL in request.path or NUL in request.path_info:
        return True
    query = request.META.get("QUERY_STRING", "")
    if NUL in query or b"\x00" in unquote_to_bytes(query.replace("+", " ")):
        return True
    if _has_nul(request.COOKIES.keys()) or _has_nul(request.COOKIES.values()):
        return True
    if request.method == "POST" and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        post = request.POST  # parsed once; the views read the same object
        if _has_nul(post.keys()) or any(_has_nul(post.getlist(k)) for k in post.keys()):
            return True
    return False


def _announced_size(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class RejectBadInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _announced_size(request) > max_request_bytes():
            return too_large(request)
        if nul_in_request(request):
            return refusal(request, _("The request contains a character that is not allowed (NUL). Check the address or what you typed."))
        return self.get_response(request)


def too_large(request) -> HttpResponse:
    return refusal(
        request,
        _("The request is too large (at most %(mb)d MB). Send fewer or smaller files at a time.") % {"mb": max_request_bytes() // 1048576},
        status=413,
    )


def bad_request(request, exception=None):
    """``handler400``: Django refused the request (``SuspiciousOperation``)."""
    if isinstance(exception, RequestDataTooBig):
        return refusal(
            request,
            _("The request is too large (at most %(mb).1f MB of form data; files are counted separately).")
            % {"mb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1048576},
            status=413,
        )
    if isinstance(exception, (TooManyFieldsSent, TooManyFilesSent)):
        return refusal(request, _("The request has too many fields or files."))
    return refusal(request, _("The request is not valid. Check the address or the form and try again."))


def object_id(value) -> int:
    """A primary key sent in a form or query (``"12"``) as an int; anything else (``"abc"``,
    empty, negative, too large for the database) as 0, which no row has — so a lookup with it
    answers "not found" (404) instead of a server error."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return 0
    return number if 0 < number < 2**63 else 0
