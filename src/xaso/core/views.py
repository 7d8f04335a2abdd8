"""Staff pages: workspace, people directory, citizen lookup. Citizens and businesses never
reach them (403), whatever their session."""
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from . import audit
from .forms import CitizenSearchForm
from .models import User
from .selectors import active_memberships, citizen_id_from_ref, citizens_in_scope, people_directory, search_citizens

# Personal data shown on a citizen's record; opening the record logs a read of them.
CITIZEN_PERSONAL_FIELDS = ("full_name", "national_id", "date_of_birth", "phone", "email", "address", "tax_code")


def official_required(perm=None):
    """Login required; then the user must be an active official (and hold ``perm``)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not (user.is_active and user.kind == User.Kind.OFFICIAL):
                raise PermissionDenied
            if perm and not user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


@official_required()
def workspace(request):
    """The staff workspace home: what this official can reach."""
    user = request.user
    return render(
        request,
        "core/workspace.html",
        {
            "memberships": active_memberships(user),
            "can_view_directory": user.has_perm("core.view_people_directory"),
            "can_search_citizens": user.has_perm("core.search_citizens"),
        },
    )


@official_required("core.view_people_directory")
def directory(request):
    return render(request, "core/directory.html", {"tree": people_directory(request.user)})


@official_required("core.search_citizens")
def citizen_search(request):
    form = CitizenSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(search_citizens(query, user=request.user), 25).get_page(request.GET.get("page"))
    return render(request, "core/citizen_search.html", {"form": form, "page": page, "query": query})


@official_required("core.view_citizen_personal_data")
def citizen_detail(request, ref):
    """A citizen's record: through a signed reference (``selectors.citizen_ref``), only for
    the citizens in the official's scope (404 otherwise), each opening audited."""
    pk = citizen_id_from_ref(ref)
    if pk is None:
        raise Http404
    citizen = get_object_or_404(citizens_in_scope(request.user), pk=pk)
    audit.record_read(citizen, CITIZEN_PERSONAL_FIELDS)
    return render(request, "core/citizen_detail.html", {"citizen": citizen})


def favicon(request):
    """``/favicon.ico``: browsers ask for it at the root whatever the page says."""
    from django.shortcuts import redirect
    from django.templatetags.static import static

    return redirect(static("xaso/favicon.ico"), permanent=True)


def working_calendar(request, year=None):
    """The working-day calendar of a year, public (``/lich-lam-viec/``): every weekday off and
    every working weekend day with its reason and legal basis, the working hours, and what is
    still pending (days the law has not yet settled, e.g. 24/11)."""
    from datetime import date

    from django.http import Http404
    from django.utils import timezone

    from . import workdays
    from .calendar import CULTURE_DAY_FIRST_YEAR, CULTURE_DAY_STATUS, FIRST_YEAR, LAST_YEAR

    year = int(year or timezone.localdate().year)
    if not (FIRST_YEAR <= year <= LAST_YEAR):
        raise Http404
    cal = workdays.get_calendar()
    days = cal.special_days(year)
    culture_day = date(year, 11, 24)
    culture_counted = any(s.date == culture_day and not s.working for s in days)
    undecided = [s for s in days if "chưa ghi nhận văn bản" in s.basis]
    context = {
        "year": year,
        "days": days,
        "hours": cal.hours,
        "culture_pending": year >= CULTURE_DAY_FIRST_YEAR and not culture_counted and culture_day.weekday() < 5,
        "culture_status": CULTURE_DAY_STATUS,
        "undecided": undecided,
        "years": [y for y in (year - 1, year + 1) if FIRST_YEAR <= y <= LAST_YEAR],
        "cutoff": workdays.default_cutoff(),
    }
    return render(request, "core/calendar.html", context)
def security_txt(request):
    """``/.well-known/security.txt`` (RFC 9116): whom to tell about a vulnerability, from
    ``XASO_SECURITY_CONTACT`` (404 when the deployment has not set it)."""
    from datetime import timedelta

    from django.conf import settings
    from django.http import HttpResponse
    from django.utils import timezone

    contacts = [c.strip() for c in getattr(settings, "XASO_SECURITY_CONTACT", "").split(",") if c.strip()]
    if not contacts:
        raise Http404
    expires = (timezone.now() + timedelta(days=365)).replace(microsecond=0).isoformat()
    lines = [f"Contact: {c}" for c in contacts] + [f"Expires: {expires}", "Preferred-Languages: vi, en"]
    base = getattr(settings, "XASO_PUBLIC_BASE_URL", "").rstrip("/")
    if base:
        lines.append(f"Canonical: {base}/.well-known/security.txt")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
