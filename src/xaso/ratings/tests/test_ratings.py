"""Ratings: once per closed dossier, from the SMS link (signed, expiring, one use), the
owner's page, the API or the counter tablet; tied to what was rated; a dissatisfaction with
a comment goes to the unit's head."""
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from xaso.dossiers.models import SyncJob
from xaso.notifications.models import Message
from xaso.ratings import scoring, selectors, services
from xaso.ratings.models import FollowUp, Invitation, Kiosk, Rating


def link_of(d):
    sms = Message.objects.get(event="ratings.invitation", recipient=d.applicant_phone)
    assert sms.sensitive
    return re.search(r"http://testserver(/danh-gia/l/\S+/)", sms.body).group(1)


@pytest.mark.parametrize("how", ["returned", "refused", "stopped"])
def test_closing_the_dossier_sends_a_rating_link(closed, how):
    d = closed(how)
    path = link_of(d)
    c = Client()
    page = c.get(path)
    assert page.status_code == 200 and b'name="level"' in page.content
    done = c.post(path, {"level": "3", "comment": "Cán bộ hướng dẫn tận tình"})
    assert done.status_code == 200 and b"rate-done" in done.content
    r = Rating.objects.get(dossier=d)
    assert r.level == 3 and r.channel == "link" and r.procedure_code == d.procedure_code and r.field_name == d.field_name
    assert r.competent_unit_id == d.competent_unit_id and r.receiving_unit_id == d.receiving_unit_id
    assert Invitation.objects.get(dossier=d).used_at is not None
    # One use: the link now only thanks.
    again = c.post(path, {"level": "1", "comment": "x"})
    assert again.status_code == 200 and Rating.objects.filter(dossier=d).count() == 1 and Rating.objects.get(dossier=d).level == 3


def test_the_rating_is_tied_to_the_officials_and_sent_to_the_national_portal(closed, world):
    d = closed()
    services.submit(d, level=2, channel="online", user=world.citizen)
    r = Rating.objects.get(dossier=d)
    assert set(r.officials.all()) >= {world.reception, world.specialist}
    assert d.events.filter(action="rated").exists()
    payload = SyncJob.objects.filter(dossier=d, event="rated").latest("id").payload
    assert payload["DanhGiaHaiLong"]["MucDo"] == "Hài lòng" and payload["DanhGiaHaiLong"]["KhongHaiLong"] is False


def test_not_before_the_dossier_is_closed_and_only_once(closed, world):
    d = closed("ready")
    with pytest.raises(services.RatingError):
        services.submit(d, level=3, channel="online")
    assert not Invitation.objects.filter(dossier=d).exists()
    assert not selectors.rating_summary(d).ratable
    d = closed()
    assert selectors.rating_summary(d).ratable
    services.submit(d, level=3, channel="online")
    with pytest.raises(services.RatingError):
        services.submit(d, level=1, channel="online")
    s = selectors.rating_summary(d)
    assert s.rated and not s.ratable and s.level_text == "Rất hài lòng"


def test_a_forged_or_expired_link_is_refused(closed):
    d = closed()
    path = link_of(d)
    assert Client().get(path[:-3] + "xx/").status_code == 404
    Invitation.objects.filter(dossier=d).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Client().get(path).status_code == 404
    assert Client().post(path, {"level": "3"}).status_code == 404
    assert not Rating.objects.exists()


def test_bad_input_keeps_the_form(closed):
    d = closed()
    path = link_of(d)
    resp = Client().post(path, {"level": "7", "comment": "abc"})
    assert resp.status_code == 400 and b"rate-error" in resp.content and "abc" in resp.content.decode()
    assert not Rating.objects.exists() and Invitation.objects.get(dossier=d).used_at is None


def test_owner_page_and_nobody_else(closed, world):
    from xaso.core.models import User

    d = closed()
    c = Client()
    c.force_login(world.citizen)
    assert c.get(f"/danh-gia/ho-so/{d.code}/").status_code == 200
    assert c.post(f"/danh-gia/ho-so/{d.code}/", {"level": "2"}).status_code == 200
    assert Rating.objects.get(dossier=d).channel == "online"
    other = Client()
    other.force_login(User.objects.create_user(username="0911111111", kind=User.Kind.CITIZEN, phone="0911111111"))
    assert other.get(f"/danh-gia/ho-so/{d.code}/").status_code == 404


def test_dissatisfied_with_a_comment_becomes_a_task_for_the_unit_head(closed, world):
    d = closed()
    services.submit(d, level=1, comment="Phải đi lại ba lần mới xong", channel="online")
    fu = FollowUp.objects.get(rating__dossier=d)
    assert fu.unit == world.dept and fu.due_at > fu.rating.rated_at
    head = Client()
    head.force_login(world.head)
    page = head.get("/danh-gia/can-tra-loi/")
    assert page.status_code == 200 and d.code.encode() in page.content
    outsider = Client()
    outsider.force_login(world.outsider_head)
    assert outsider.post(f"/danh-gia/can-tra-loi/{fu.pk}/", {"answer": "x"}).status_code == 404
    head.post(f"/danh-gia/can-tra-loi/{fu.pk}/", {"answer": "Đơn vị xin lỗi và đã chấn chỉnh khâu hướng dẫn."})
    fu.refresh_from_db()
    assert fu.answered_by == world.head and fu.answer.startswith("Đơn vị")
    assert Message.objects.filter(event="ratings.answer", recipient=d.applicant_phone).exists()
    # Without a comment, no task.
    d2 = closed()
    services.submit(d2, level=1, channel="online")
    assert not FollowUp.objects.filter(rating__dossier=d2).exists()


def test_the_province_table_when_the_commune_uses_it(closed, settings):
    d = closed()
    with pytest.raises(services.RatingError):
        services.submit(d, level=3, criteria=[2] * 9, channel="online")
    settings.XASO_RATING_PROVINCE_TABLE = True
    with pytest.raises(services.RatingError):
        services.submit(d, level=3, criteria=[2] * 8 + [3], channel="online")
    services.submit(d, level=3, criteria=[2, 2, 2, 2, 2, 2, 2, 1, 1], channel="online")
    r = Rating.objects.get(dossier=d)
    assert r.score == 16 and r.band == "Xuất sắc"


def test_bands():
    assert [scoring.band(n) for n in (18, 16, 15, 12, 11, 9, 8, 6, 5, 0)] == ["Xuất sắc", "Xuất sắc", "Tốt", "Tốt", "Khá", "Khá", "Trung bình", "Trung bình", "Yếu", "Yếu"]


@given(st.lists(st.integers(min_value=0, max_value=2), min_size=9, max_size=9))
def test_every_table_has_a_score_and_one_band(points):
    total = scoring.score(points)
    assert 0 <= total <= scoring.MAX_SCORE and scoring.band(total) in {b for _, b in scoring.BANDS}


def test_counter_tablet(closed, world):
    d = closed()
    tablet = Client()
    assert tablet.get("/danh-gia/quay/").status_code == 403
    tablet.force_login(world.reception)
    paired = tablet.post("/danh-gia/quay/ghep/", {"name": "Quầy 1", "unit": world.centre.pk})
    assert paired.status_code == 302 and "xaso_kiosk" in paired.cookies
    assert "_auth_user_id" not in tablet.session  # the official is logged out of the tablet
    waiting = tablet.get("/danh-gia/quay/")
    assert waiting.status_code == 200 and b"kiosk-waiting" in waiting.content and b'http-equiv="refresh"' in waiting.content
    assert b"<nav" not in waiting.content and b'href="/dang-nhap/' not in waiting.content  # no navigation
    kiosk = Kiosk.objects.get()
    officer = Client()
    officer.force_login(world.reception)
    assert b"kiosk_send" in officer.get(d.get_absolute_url()).content
    officer.post(f"/danh-gia/quay/gui/{d.code}/", {"kiosk": kiosk.pk})
    form = tablet.get("/danh-gia/quay/")
    assert d.code.encode() in form.content and b'name="level"' in form.content
    thanks = tablet.post("/danh-gia/quay/", {"dossier": d.pk, "level": "3"})
    assert b"kiosk-thanks" in thanks.content and b'http-equiv="refresh"' in thanks.content
    assert Rating.objects.get(dossier=d).channel == "kiosk"
    assert b"kiosk-waiting" in tablet.get("/danh-gia/quay/").content
    # Another unit's official cannot use this tablet.
    outsider = Client()
    outsider.force_login(world.outsider_reception)
    assert outsider.post(f"/danh-gia/quay/gui/{d.code}/", {"kiosk": kiosk.pk}).status_code == 404


def test_api_submit_and_status(closed, world):
    d = closed()
    api = APIClient()
    api.force_authenticate(world.citizen)
    assert api.get(f"/api/v1/ratings/{d.code}/").json()["ratable"] is True
    r = api.post("/api/v1/ratings/", {"dossier": d.code, "level": 3, "comment": "Tốt"}, format="json")
    assert r.status_code == 201 and r.json()["rated"] is True
    assert api.post("/api/v1/ratings/", {"dossier": d.code, "level": 3}, format="json").status_code == 400
    stranger = APIClient()
    stranger.force_authenticate(world.specialist2)
    assert stranger.post("/api/v1/ratings/", {"dossier": d.code, "level": 1}, format="json").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_concurrent_ratings_keep_one(closed):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    from xaso.core.tests.parallel import run_parallel

    d = closed()
    results, errors = run_parallel(4, lambda i: services.submit(d, level=3 - i % 3, channel="online"))
    assert len(results) == 1 and len(errors) == 3 and all(isinstance(e, services.RatingError) for e in errors)
    assert Rating.objects.filter(dossier=d).count() == 1
