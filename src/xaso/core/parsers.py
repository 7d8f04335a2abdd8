"""The API's JSON parser: DRF's, with limits (``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``).

DRF reads the body as a stream, so Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` never applied to
JSON, and Python's decoder recurses once per level of nesting: a body of 200,000 ``[`` was a
``RecursionError`` (a server error). Here the body is read up to the limit (413 past it),
decoded (400 for bytes that are not UTF-8, for JSON that does not parse, for more than
``MAX_DEPTH`` levels of nesting), with every message in Vietnamese.
"""
from __future__ import annotations

import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers

# No request of the API nests deeper than a few levels; a limit far above that.
MAX_DEPTH = 32


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "request_too_large"


def max_json_bytes() -> int:
    return int(getattr(settings, "DATA_UPLOAD_MAX_MEMORY_SIZE", None) or 2621440)


def depth(value) -> int:
    """Levels of nesting of a decoded JSON value (iterative: no recursion to exhaust)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, level)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children if isinstance(child, (list, dict)))
    return deepest


def _refuse_constant(name):
    raise ValueError(f"{name} is not valid JSON")


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = max_json_bytes()
        data = stream.read(limit + 1) if stream is not None else b""
        if len(data) > limit:
            raise RequestTooLarge(_("The JSON body is too large (at most %(mb).1f MB).") % {"mb": limit / 1048576})
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            raise exceptions.ParseError(_("The request body is not valid JSON (it is not UTF-8 text).")) from None
        try:
            value = json.loads(text, parse_constant=_refuse_constant)
        except RecursionError:
            raise exceptions.ParseError(_("The JSON body is nested too deeply (at most %(n)d levels).") % {"n": MAX_DEPTH}) from None
        except ValueError:
            raise exceptions.ParseError(_("The request body is not valid JSON.")) from None
        if depth(value) > MAX_DEPTH:
            raise exceptions.ParseError(_("The JSON body is nested too deeply (at most %(n)d levels).") % {"n": MAX_DEPTH})
        return value
