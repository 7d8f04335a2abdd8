"""Fuzz every URL of the URLconf with hostile input: no answer may be a server error.

The URLs are not listed here: the test walks the URLconf (``get_resolver()``), so a page or
an API endpoint added later is fuzzed the day it is added. For each route it builds
concrete paths (the values of the demo data where the parameter's name says what it is,
plus hostile values the route's converter accepts: huge numbers, long strings, a NUL
byte), then sends, as an anonymous visitor, a citizen and an administrator:

- ``GET`` and ``HEAD``; the query parameters the view reads are found by recording which
  keys it asks ``request.GET`` for (so forms bound to the query string, DRF's
  ``query_params`` and django-filter are covered), then each is sent again, one at a time,
  with values of the wrong type (letters for a number, a number past 64 bits, a date that
  does not exist, 5,000 characters…);
- ``POST`` of the form fields the view reads, recorded the same way, with wrong types;
- a NUL byte in the query string, in a form field and in the path;
- JSON bodies of the wrong shape, nested 200,000 levels deep, not UTF-8, and a body larger
  than the upload limit; ``PUT``, ``PATCH``, ``DELETE``, ``OPTIONS``.

Every response must be below 500; every server error is collected with its traceback and
reported at the end (one failure lists them all). The demo data is loaded (with a dozen
dossiers) so that the views go past their "not found" branches.
"""
from __future__ import annotations

import io
import itertools
import re
import time
import traceback
from collections import defaultdict

import pytest
from django.core.signals import got_request_exception
from django.http import QueryDict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"
# Values of the wrong type for a query or form parameter.
BAD_VALUES = ["abc", HUGE, "x" * 5000, "-1", "2026-02-30"]
# Hostile path segments, kept only where the route's converter accepts them.
BAD_SEGMENTS = ["0", HUGE, "x" * 300, "a\x00b", "../../etc/passwd"]
DEEP_JSON = b"[" * 200_000
BIG_BODY = b"a=" + b"x" * (3 * 1024 * 1024)


# --------------------------------------------------------------------------- the URLconf


def routes():
    """``(list of patterns from the root, URLPattern)`` for every URL of the URLconf."""

    def walk(resolver, parts):
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                yield from walk(p, parts + [p.pattern])
            elif isinstance(p, URLPattern):
                yield parts + [p.pattern], p

    yield from walk(get_resolver(), [])


_ROUTE_PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>\w+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>(?:[^()]|\([^()]*\))*)\)")


def _params(parts) -> list[tuple[str, str]]:
    """``[(name, kind)]`` of the route's parameters in order; kind is the converter name
    for a route, or the group's regular expression for a regex pattern."""
    out = []
    for part in parts:
        if isinstance(part, RoutePattern):
            out += [(m["name"], m["conv"] or "str") for m in _ROUTE_PARAM.finditer(str(part))]
        elif isinstance(part, RegexPattern):
            out += [(m["name"], m["body"]) for m in _REGEX_GROUP.finditer(str(part))]
    return out


def _fill(parts, values: dict) -> str:
    path = ""
    for part in parts:
        text = str(part)
        if isinstance(part, RoutePattern):
            text = _ROUTE_PARAM.sub(lambda m: values[m["name"]], text)
        elif isinstance(part, RegexPattern):
            text = _REGEX_GROUP.sub(lambda m: values[m["name"]], text)
            text = text.removeprefix("^").removesuffix("$").replace("\\.", ".").replace("/?", "/")
        path += text
    return "/" + path


def _encode(segment: str) -> str:
    return segment.replace("\x00", "%00")


# --------------------------------------------------------------------------- the world


class World:
    pass


@pytest.fixture
def world(settings, tmp_path, monkeypatch):
    """The demo data (a dozen dossiers), an administrator who needs no second factor for
    the test, a citizen with a dossier, and generous rate limits (so the deep branches are
    reached, not the 429)."""
    from xaso.core.management.commands.demo import demo_modules
    from xaso.core.models import User
    from xaso.dossiers import demo as dossier_demo
    from xaso.dossiers.models import Dossier

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.XASO_TWO_FACTOR_REQUIRED_ROLES = []
    settings.XASO_LOOKUP_RATE = "100000/m"
    for name in ("XASO_LOOKUP_RATE_PER_CODE", "XASO_UPLOAD_RATE", "XASO_UPLOAD_RATE_PER_IP"):
        if hasattr(settings, name):
            setattr(settings, name, "100000/m")
    settings.AXES_ENABLED = False
    monkeypatch.setattr(dossier_demo, "COUNT", 12)
    for _label, module in demo_modules():
        module.load(io.StringIO())

    w = World()
    w.admin = User.objects.filter(is_superuser=True).first() or User.objects.get(username="admin")
    if not w.admin.is_superuser:
        w.admin.is_superuser = w.admin.is_staff = True
        w.admin.save()
    w.citizen = User.objects.filter(kind=User.Kind.CITIZEN).first()
    dossier = Dossier.objects.order_by("pk").first()
    if w.citizen is not None and dossier is not None:
        Dossier.objects.filter(pk=dossier.pk).update(applicant_account=w.citizen)
    w.values = _known_values(dossier)
    return w


def _known_values(dossier) -> dict[str, list[str]]:
    """Real values for path parameters, by the parameter's name."""
    from xaso.catalog.models import Procedure

    codes = [dossier.code] if dossier else []
    codes += list(Procedure.objects.values_list("code", flat=True)[:1])
    codes.append("2026-Q1")  # a reporting period of the plan
    component = dossier.components.exclude(file="").first() if dossier else None
    document = dossier.documents.first() if dossier else None
    return {
        "code": codes or ["1"],
        "pk": [str(x.pk) for x in (component, document) if x] or ["1"],
        "action": ["receive", "transfer"],
        "fmt": ["pdf", "docx", "html"],
        "kind": ["receipt", "overdue"],
        "year": ["2026"],
        "number": ["1"],
        "unit_id": ["1"],
    }


# --------------------------------------------------------------------------- recording


class RecordingQueryDict(QueryDict):
    """A QueryDict that remembers which keys the view asked for."""

    def _record(self, key):
        asked = getattr(self, "asked", None)  # copies made by the view do not record
        if asked is not None:
            asked.add(key)

    def get(self, key, default=None):
        self._record(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self._record(key)
        return super().__getitem__(key)

    def getlist(self, key, default=None):
        self._record(key)
        return super().getlist(key, default)

    def __contains__(self, key):
        self._record(key)
        return super().__contains__(key)


def _recording(original: QueryDict, asked: set) -> RecordingQueryDict:
    copy = RecordingQueryDict(mutable=True)
    for key, values in original.lists():
        copy.setlist(key, values)
    copy._mutable = False
    copy.asked = asked
    return copy


ASKED: dict[str, set] = {"GET": set(), "POST": set()}


class RecordQueryKeysMiddleware:
    """Test-only: wraps ``request.GET`` and ``request.POST`` to record the keys the view
    reads (``ASKED``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.GET = _recording(request.GET, ASKED["GET"])
        if request.method == "POST" and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            try:
                request._post = _recording(request.POST, ASKED["POST"])
            except Exception:  # the body is refused later by the view/parser: not ours to judge
                pass
        return self.get_response(request)


# --------------------------------------------------------------------------- the fuzz


class Failures:
    def __init__(self):
        self.items: list[str] = []
        self.count = 0
        self._exc: list[str] = []
        got_request_exception.connect(self._on_exception)

    def _on_exception(self, sender, request=None, **kwargs):
        self._exc.append(traceback.format_exc(limit=-6))

    def close(self):
        got_request_exception.disconnect(self._on_exception)

    def check(self, who, method, path, response, note=""):
        self.count += 1
        if response.status_code >= 500:
            detail = self._exc[-1] if self._exc else ""
            self.items.append(f"{who} {method} {path[:150]!r} {note} -> {response.status_code}\n{detail}")
        self._exc.clear()


class FuzzClient(Client):
    """A test client that stays logged in: a request that logs it out (the logout URLs,
    a password change) is followed by a new login, so the next URL is still reached as
    this user."""

    def __init__(self, user=None):
        super().__init__(raise_request_exception=False)
        self.user = user
        if user is not None:
            self.force_login(user)

    def request(self, **request):
        response = super().request(**request)
        if self.user is not None:
            from django.conf import settings

            cookie = self.cookies.get(settings.SESSION_COOKIE_NAME)
            if cookie is None or not cookie.value:
                self.force_login(self.user)
        return response


def _clients(world):
    out = [("anonymous", FuzzClient()), ("admin", FuzzClient(world.admin))]
    if world.citizen is not None:
        out.append(("citizen", FuzzClient(world.citizen)))
    return out


def concrete_paths(parts, known) -> list[tuple[str, bool]]:
    """``[(path, is_real)]``: the route with real values (several combinations, capped), then
    with one parameter at a time replaced by each hostile segment its converter accepts."""
    params = _params(parts)
    if not params:
        return [(_fill(parts, {}), True)]
    choices = []
    for name, kind in params:
        alternatives = [a for a in kind.split("|") if re.fullmatch(r"\w+", a)] if "|" in kind else []
        choices.append(alternatives[:2] or known.get(name) or ["1"])
    out = []
    for combo in itertools.islice(itertools.product(*choices), 2):
        out.append((_fill(parts, {n: _encode(v) for (n, _k), v in zip(params, combo)}), True))
    base = [c[0] for c in choices]
    for i, (name, _kind) in enumerate(params):
        for bad in BAD_SEGMENTS:
            values = {n: _encode(v) for (n, _k), v in zip(params, base)}
            values[name] = _encode(bad)
            out.append((_fill(parts, values), False))
    return out


def _resolves_to(path, pattern) -> bool:
    from urllib.parse import unquote

    try:
        match = resolve(unquote(path.split("?")[0]))
    except Exception:
        return False
    return match.func == pattern.callback


def test_no_url_answers_a_server_error(world, settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.test_fuzz_urlconf.RecordQueryKeysMiddleware"]
    failures = Failures()
    clients = _clients(world)
    started, cpu_started = time.monotonic(), time.process_time()
    tried_routes = 0
    per_route = {}
    try:
        for parts, pattern in routes():
            tried_routes += 1
            route_started = time.monotonic()
            first, reach = True, {}
            django_view = (getattr(pattern.callback, "__module__", "") or "").startswith(("django.contrib.", "django.views."))
            for path, real in concrete_paths(parts, world.values):
                if not _resolves_to(path, pattern):
                    continue
                if django_view and not real and not ("%00" in path or "/0/" in path):
                    continue  # Django's own views: a NUL and a missing id are enough
                # Deleting the objects the other URLs show (the administrator himself…) is
                # fuzzed with hostile ids only.
                got = _fuzz_path(failures, clients, path, real, forms=not (pattern.name or "").endswith("_delete"), first=first, name=pattern.name, reach=reach)
                if real:
                    for who, ok in got.items():
                        reach[who] = reach.get(who, False) or ok
                first = first and not real
            per_route["".join(str(p) for p in parts)] = time.monotonic() - route_started
    finally:
        failures.close()
    elapsed = time.monotonic() - started
    cpu = time.process_time() - cpu_started
    slowest = sorted(per_route.items(), key=lambda kv: -kv[1])[:8]
    print(f"\nfuzz: {tried_routes} routes, {failures.count} requests in {elapsed:.1f} s ({cpu:.1f} s of CPU); slowest routes: " + ", ".join(f"{r} {t:.1f} s" for r, t in slowest))
    import os

    if os.environ.get("XASO_FUZZ_REPORT"):
        with open(os.environ["XASO_FUZZ_REPORT"], "w") as out:
            out.write("\n\n".join(failures.items))
    assert tried_routes > 100  # the URLconf was walked, not a handful of URLs
    assert not failures.items, f"{len(failures.items)} server errors:\n\n" + "\n\n".join(failures.items[:40])


def _level(path, name) -> str:
    """How much to send: "full" for the product's views; "light" for Django's admin views
    that run our configuration (lists, add and change forms: our filters, searches, forms and
    actions), as the administrator only (anonymous visitors and citizens are sent to the
    login, the same code for all); "minimal" for the admin's generic views (history,
    delete, redirects): a GET."""
    func = resolve(path).func
    module = getattr(func, "__module__", "") or ""
    if not module.startswith(("django.contrib.", "django.views.")):
        return "full"
    if (name or "").endswith(("_history", "_delete")) or module.startswith(("django.views.", "django.contrib.contenttypes")):
        return "minimal"
    return "light"


def _fuzz_path(failures, clients, path, real, forms=True, first=True, name="", reach=None):
    """Fuzz one concrete path; returns ``{who: reached}`` (the view answered below 300)."""
    level = _level(path, name) if real else "full"
    light = level != "full"
    out = {}
    for who, client in clients:
        if not real and reach and reach.get(who) is False and who != "admin":
            continue  # the real path sent them to the login or refused them: so will this one
        if who == "citizen" and not real:
            continue  # hostile paths: as the administrator (who reaches every view) and anonymous
        if who == "anonymous" and not real and path.startswith("/quan-tri/"):
            continue  # the admin sends anonymous visitors to the login, whatever the path
        if light and who != "admin":
            if first and who == "anonymous":
                failures.check(who, "GET", path, client.get(path))
            continue
        if level == "minimal":
            failures.check(who, "GET", path, client.get(path))
            continue
        for key in ASKED:
            ASKED[key].clear()
        t0 = time.process_time()
        r = client.get(path)
        slow = light or time.process_time() - t0 > 0.15  # a PDF, the schema, the admin: fewer variants
        failures.check(who, "GET", path, r)
        reached = r.status_code < 300  # the view answered (not a redirect to the login)
        out[who] = reached
        asked_get = set(ASKED["GET"])
        if not real:
            # A hostile path: the view must refuse it cleanly; the rest is for real paths.
            continue
        if not slow:
            r = client.head(path)
            failures.check(who, "HEAD", path, r)
        if not first:
            continue
        r = client.get(path, {"q": "a\x00b", **{k: "a\x00b" for k in asked_get}})
        failures.check(who, "GET", path, r, "NUL in the query")
        if who == "citizen" and not path.startswith("/api/"):
            asked_get = set()  # the citizen's own views are the API's; the pages are public or staff
        if reached and asked_get:
            # Every parameter the view read, alone with each wrong value (a parameter
            # refused first cannot hide a crash on another); a slow view gets them all at
            # once with fewer values.
            if slow or len(asked_get) > 6:
                for value in BAD_VALUES[: 1 if light else 2]:
                    r = client.get(path, {k: value for k in asked_get})
                    failures.check(who, "GET", path, r, f"all parameters={value[:20]!r}")
            else:
                for key in sorted(asked_get):
                    for value in BAD_VALUES:
                        r = client.get(path, {key: value})
                        failures.check(who, "GET", path, r, f"?{key}={value[:20]!r}")
        if not forms:
            continue
        # Forms: the fields the view reads, with wrong types and a NUL byte.
        ASKED["POST"].clear()
        r = client.post(path, {"x": "1"})
        failures.check(who, "POST", path, r)
        asked_post = set(ASKED["POST"])
        if asked_post:
            for value in ["abc", HUGE, "a\x00b", "x" * 5000][: 1 if light else 2 if slow else 4]:
                r = client.post(path, {k: value for k in asked_post})
                failures.check(who, "POST", path, r, f"form fields={value[:20]!r}")
        if who == "citizen" or (who == "anonymous" and not reached):
            continue
        # Bodies: too deep and too large everywhere; of the wrong shape where a body is
        # parsed (the API, the forms).
        bodies = [(DEEP_JSON, "application/json", "nested 200,000 levels")]
        if not slow and (getattr(resolve(path).func, "cls", None) is not None or asked_post):
            bodies += [
                (b"[1, {}]", "application/json", "JSON list"),
                (b'"x"', "application/json", "JSON string"),
                (b'{"a": {"b": [null, 1e999]}}', "application/json", "JSON object of wrong types"),
                (b"\xff\xfe\x00{", "application/json", "not UTF-8"),
                (b"--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb", "multipart/form-data; boundary=x", "broken multipart"),
            ]
        for body, ctype, note in bodies:
            r = client.post(path, body, content_type=ctype)
            failures.check(who, "POST", path, r, note)
        r = client.post(path, BIG_BODY, content_type="application/x-www-form-urlencoded")
        failures.check(who, "POST", path, r, "3 MB form")
        if not slow:
            r = client.post(path, b'{"a": "' + b"x" * (3 * 1024 * 1024) + b'"}', content_type="application/json")
            failures.check(who, "POST", path, r, "3 MB JSON")
        for method in () if slow else ("put", "patch", "delete", "options"):
            r = getattr(client, method)(path, DEEP_JSON, content_type="application/json")
            failures.check(who, method.upper(), path, r, "nested JSON")
    return out
