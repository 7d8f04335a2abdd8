"""The calendar as the running system sees it: decisions from the database, cache,
validation of overrides, the admin page."""
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError

from xaso.core import workdays
from xaso.core.calendar import Duration
from xaso.core.models import AuditRecord, CalendarDecision, User

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def decision(day, kind, **extra):
    fields = {"name": "Hoán đổi ngày làm việc", "decision_number": "123/TB-BNV", **extra}
    return CalendarDecision.objects.create(date=day, kind=kind, **fields)


# --- get_calendar and its cache --------------------------------------------------------


def test_decisions_from_the_database_override_the_library():
    cal = workdays.get_calendar()
    assert not cal.is_working_day(date(2027, 2, 10))  # default Tết day (mùng 5)
    assert cal.is_working_day(date(2027, 2, 12))
    decision(date(2027, 2, 10), "working_day", name="Làm việc", decision_number="1/QĐ-TTg", decision_date=date(2026, 12, 1))
    decision(date(2027, 2, 12), "day_off", name="Nghỉ Tết (hoán đổi)", decision_number="1/QĐ-TTg")
    cal = workdays.get_calendar()
    assert cal.is_working_day(date(2027, 2, 10)) and not cal.is_working_day(date(2027, 2, 12))
    special = {s.date: s for s in cal.special_days(2027)}
    assert special[date(2027, 2, 12)].basis == "1/QĐ-TTg"


def test_cache_is_reused_and_invalidated_on_save_and_delete(django_assert_num_queries):
    first = workdays.get_calendar()
    with django_assert_num_queries(1):  # only the version check
        assert workdays.get_calendar() is first
    row = decision(date(2026, 3, 4), "day_off")
    second = workdays.get_calendar()
    assert second is not first and not second.is_working_day(date(2026, 3, 4))
    row.kind = "working_day"
    row.date = date(2026, 3, 7)
    row.save()
    third = workdays.get_calendar()
    assert third.is_working_day(date(2026, 3, 4)) and third.is_working_day(date(2026, 3, 7))
    row.delete()
    assert not workdays.get_calendar().is_working_day(date(2026, 3, 7))


def test_one_version_check_per_request(django_assert_num_queries):
    workdays._on_request_started()
    try:
        with django_assert_num_queries(1):
            first = workdays.get_calendar()
            for _ in range(20):
                assert workdays.get_calendar() is first
        decision(date(2026, 3, 4), "day_off")  # a save in the request is seen at once
        assert not workdays.get_calendar().is_working_day(date(2026, 3, 4))
    finally:
        workdays._on_request_finished()
    with django_assert_num_queries(2):
        workdays.get_calendar()
        workdays.get_calendar()


def test_changes_made_without_signals_are_noticed_by_the_version_check():
    workdays.get_calendar()
    # bulk_create sends no signal: another process's write looks like this.
    CalendarDecision.objects.bulk_create(
        [CalendarDecision(date=date(2026, 3, 5), kind="day_off", name="x", decision_number="2/TB")]
    )
    assert not workdays.get_calendar().is_working_day(date(2026, 3, 5))


def test_recheck_interval_setting(settings):
    settings.XASO_CALENDAR_RECHECK_SECONDS = 3600
    first = workdays.get_calendar()
    CalendarDecision.objects.bulk_create(
        [CalendarDecision(date=date(2026, 3, 5), kind="day_off", name="x", decision_number="2/TB")]
    )
    assert workdays.get_calendar() is first  # trusted within the interval
    decision(date(2026, 3, 6), "day_off")  # a save in this process invalidates at once
    assert not workdays.get_calendar().is_working_day(date(2026, 3, 6))


def test_settings(settings):
    settings.XASO_WORKING_HOURS = "07:30-11:30,13:00-17:00"
    settings.XASO_CALENDAR_EXTRA_HOLIDAYS = True
    cal = workdays.get_calendar()
    assert str(cal.hours) == "07:30-11:30,13:00-17:00"
    assert not cal.is_working_day(date(2026, 11, 24))
    settings.XASO_CALENDAR_EXTRA_HOLIDAYS = False
    assert workdays.get_calendar().is_working_day(date(2026, 11, 24))
    settings.XASO_DEFAULT_CUTOFF = ""
    assert workdays.default_cutoff() is None
    settings.XASO_DEFAULT_CUTOFF = "15:00"
    assert workdays.default_cutoff() == time(15)
    settings.XASO_WORKING_HOURS = "nonsense"
    with pytest.raises(ImproperlyConfigured):
        workdays.get_calendar()


def test_dossier_lifecycle_sees_the_same_due_dates():
    cal = workdays.get_calendar()
    received = datetime(2026, 2, 13, 10, tzinfo=VN)
    assert cal.due_at(received, Duration(1), cutoff=workdays.default_cutoff()) == datetime(2026, 2, 23, 10, tzinfo=VN)


# --- validation of overrides ----------------------------------------------------------


@pytest.mark.parametrize(
    "day, kind, number, field",
    [
        (date(2026, 3, 4), "working_day", "1/TB", "kind"),  # Wednesday, already working
        (date(2026, 3, 8), "day_off", "1/TB", "kind"),  # Sunday, already off
        (date(1900, 3, 8), "day_off", "1/TB", "date"),
        (date(2101, 3, 8), "working_day", "1/TB", "date"),
        (date(2026, 3, 4), "day_off", "  ", "decision_number"),
        (None, "day_off", "1/TB", "date"),
        (date(2026, 3, 4), "holiday", "1/TB", "kind"),
    ],
)
def test_bad_overrides_are_refused(day, kind, number, field):
    with pytest.raises(ValidationError) as info:
        workdays.validate_decision(day=day, kind=kind, decision_number=number)
    assert field in info.value.message_dict


@pytest.mark.parametrize(
    "day, kind",
    [
        (date(2026, 3, 4), "day_off"),  # a weekday made a day off
        (date(2026, 3, 7), "working_day"),  # a Saturday made a working day
        (date(2027, 2, 10), "working_day"),  # a library holiday the government moved
        (date(2026, 8, 22), "day_off"),  # a make-up Saturday cancelled
        (date(2026, 8, 31), "day_off"),  # recording the basis of a known day off
    ],
)
def test_good_overrides_pass(day, kind):
    workdays.validate_decision(day=day, kind=kind, decision_number="9441/TB-BNV")


def test_messages_are_translated():
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as info:
        workdays.validate_decision(day=date(2026, 3, 8), kind="day_off", decision_number="")
    assert "08/03/2026" in info.value.message_dict["kind"][0]
    assert "decision_number" in info.value.message_dict


def test_record_decision_service_is_audited():
    row = workdays.record_decision(
        day=date(2027, 2, 13), kind="working_day", name="Làm bù", decision_number=" 5/TB-BNV "
    )
    assert row.decision_number == "5/TB-BNV"
    assert AuditRecord.objects.filter(object_type__icontains="calendardecision", object_id=str(row.pk)).exists()
    # Replacing the decision for the same day updates the row.
    again = workdays.record_decision(day=date(2027, 2, 13), kind="working_day", name="Làm bù", decision_number="6/TB-BNV")
    assert again.pk == row.pk and CalendarDecision.objects.count() == 1
    special = {s.date: s for s in workdays.get_calendar().special_days(2027)}
    assert special[date(2027, 2, 13)].basis == "6/TB-BNV"
    with pytest.raises(ValidationError):
        workdays.record_decision(day=date(2027, 2, 14), kind="working_day", name=" ", decision_number="7/TB")
    assert CalendarDecision.objects.count() == 1


# --- admin ----------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    user = User.objects.create_superuser("root", password="Mat-khau-dai-123")
    client.force_login(user)
    from django_otp.plugins.otp_static.models import StaticDevice

    device = StaticDevice.objects.create(user=user, name="backup")
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


URL = "/quan-tri/core/calendardecision/"


def test_admin_records_a_yearly_decision(admin_client):
    response = admin_client.post(
        URL + "add/",
        {
            "date": "22/08/2026",
            "kind": "working_day",
            "name": "Làm bù cho thứ Hai 31/08/2026",
            "decision_number": "9441/TB-BNV",
            "decision_date": "",
            "note": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    row = CalendarDecision.objects.get(date=date(2026, 8, 22))
    assert row.decision_number == "9441/TB-BNV"
    assert workdays.get_calendar().is_working_day(date(2026, 8, 22))
    listing = admin_client.get(URL + "?year=2026&kind__exact=working_day&q=9441")
    assert listing.status_code == 200 and b"9441/TB-BNV" in listing.content
    assert admin_client.get(URL + "?year=2025").content.count(b"9441/TB-BNV") == 0


def test_admin_refuses_bad_overrides(admin_client):
    response = admin_client.post(
        URL + "add/",
        {"date": "08/03/2026", "kind": "day_off", "name": "Nghỉ", "decision_number": "", "note": ""},
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "kind" in form.errors and "decision_number" in form.errors
    assert not CalendarDecision.objects.exists()
