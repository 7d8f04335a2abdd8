"""Targets and KPIs measured from real dossiers, created through the dossiers services.

Hand-worked quarter (Q1/2026, Ngọc Liên; "Đăng ký khai sinh", 3 working days, cut-off 15:00):

=====  ============================  =====================  ===================  =========
 code   received                      due (legal/effective)  finished             on time
=====  ============================  =====================  ===================  =========
 A      Mon 02/03 09:00 counter       Thu 05/03 09:00         Wed 04/03 08:00      yes
 B      Mon 02/03 10:00 counter       Thu 05/03 10:00         Mon 09/03 08:00      no (no apology)
 C      Tue 03/03 08:00 online        Fri 06/03 08:00         Thu 05/03 08:00      yes
 D      Mon 02/03 11:00 counter       05/03 11:00 / 10/03 16  Mon 09/03 09:00      after apology
 E      Tue 10/03 09:00 counter       Fri 13/03 09:00         still in progress    —
 G      Mon 02/03 counter, decided by another commune: never counted for Ngọc Liên
 F      Mon 06/04 09:00 counter       (Q2)                    —                    —
=====  ============================  =====================  ===================  =========

Finished in Q1: A B C D (4); on time against the effective due date: A C D = 75%, against
the legal due date: A C = 50%. Received in Q1: A B C D E (5); online: C = 20%. Every
component list has a reused component except C's: 4/5 dossiers = 80%; 4 reused of 10
components = 40%.
"""
from datetime import datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from xaso.catalog.models import Field, Procedure, ProcedureVersion
from xaso.core.models import Unit, User
from xaso.dossiers import services as dossiers
from xaso.dossiers.models import Dossier, Step
from django.db.models import F
from xaso.dossiers.services import Applicant, ComponentIn, ProcedureTerms
from xaso.indicators import kpi, kpi_sources, registry, selectors
from xaso.indicators import services as indicator_services
from xaso.indicators.models import Target
from xaso.indicators.sources import dossiers as sources
from xaso.indicators.sources import kpi as kpi_source
from xaso.indicators.views import _weights, kpi_of
from xaso.plan import reports
from xaso.plan.tests.factories import import_seed, make_commune, official, unit
from xaso.plan.tests.test_documents import docx_text

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def at(m, d, hh=9, mm=0, y=2026):
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


def applicant():
    return Applicant(name="Nguyễn Văn An", id_number="038095000123", address="Thôn 1, xã Ngọc Liên", phone="0912345678")


def components(reuse=True):
    return [
        ComponentIn(name="Tờ khai đăng ký khai sinh", file=ContentFile(PDF, name="to-khai.pdf")),
        ComponentIn(name="Giấy chứng sinh", reused=reuse, file=None if reuse else ContentFile(PDF, name="gcs.pdf")),
    ]


class World:
    pass


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    w = World()
    w.commune = make_commune()
    Unit.objects.filter(pk=w.commune.pk).update(identifier="000.00.22.H56")
    w.centre = unit(w.commune, "hcc")
    Unit.objects.filter(pk=w.centre.pk).update(identifier="000.01.22.H56")
    w.centre.refresh_from_db()
    w.dept = unit(w.commune, "vhxh")
    w.other = make_commune("minh-son")
    w.plan = import_seed(w.commune).plan
    indicator_services.load_targets(w.plan)
    w.reception = official("motcua", w.commune, "hcc", "reception", "reception_officer")
    w.head = official("truongphong", w.commune, "vhxh", "unit_head", "head")
    w.specialist = official("chuyenvien", w.commune, "vhxh", "specialist", "specialist")
    w.leader = official("chutich", w.commune, None, "leader", "chairman")
    w.office = official("thuongtruc", w.commune, "vhxh", "standing_office", "specialist")
    w.citizen = User.objects.create_user(username="0912345678", password="x" * 12, kind=User.Kind.CITIZEN, full_name="Nguyễn Văn An", phone="0912345678")
    w.terms = ProcedureTerms(
        code="1.001193",
        name="Đăng ký khai sinh",
        field_name="Hộ tịch",
        days=3,
        cutoff=time(15, 0),
        steps=[
            # No head-of-department review step: the specialist submits to the leader.
            {"name": "Tiếp nhận", "role": "reception", "share": 10},
            {"name": "Thẩm định", "role": "specialist", "share": 50},
            {"name": "Phê duyệt", "role": "leader", "share": 20},
            {"name": "Trả kết quả", "role": "reception", "share": 10},
        ],
        documents=[{"name": "Tờ khai đăng ký khai sinh", "mandatory": True}, {"name": "Giấy chứng sinh", "mandatory": True}],
        competent_unit=w.dept,
    )
    w.q1 = w.plan.periods.get(kind="quarter", year=2026, number=1)
    w.q3 = w.plan.periods.get(kind="quarter", year=2026, number=3)
    return w


def intake(w, now, **kw):
    args = dict(officer=w.reception, terms=w.terms, applicant=applicant(), components=components(), receiving_unit=w.centre, now=now)
    args.update(kw)
    return dossiers.intake(**args)


def process(w, d, *, transfer, assign, submit, approve, ready):
    d = dossiers.transfer(d, w.reception, now=transfer)
    d = dossiers.assign(d, w.head, specialist=w.specialist, now=assign)
    d = dossiers.submit_for_approval(d, w.specialist, now=submit)
    d = dossiers.approve(d, w.leader, now=approve)
    return dossiers.result_ready(d, w.specialist, result_number="1/TLKS", result_file=ContentFile(PDF, name="kq.pdf"), now=ready)


@pytest.fixture
def quarter(world):
    w = world
    a = intake(w, at(3, 2, 9))
    a = process(w, a, transfer=at(3, 2, 9, 30), assign=at(3, 2, 10), submit=at(3, 3, 10), approve=at(3, 3, 14), ready=at(3, 4, 8))
    a = dossiers.return_result(a, w.reception, delivery="counter", now=at(3, 4, 9))
    b = intake(w, at(3, 2, 10))
    b = process(w, b, transfer=at(3, 2, 10, 30), assign=at(3, 3, 8), submit=at(3, 6, 10), approve=at(3, 6, 14), ready=at(3, 9, 8))
    c = dossiers.submit_online(user=w.citizen, terms=w.terms, applicant=applicant(), components=components(reuse=False), receiving_unit=w.centre, now=at(3, 2, 20))
    c = dossiers.receive(c, w.reception, now=at(3, 3, 8))
    c = process(w, c, transfer=at(3, 3, 8, 30), assign=at(3, 3, 9), submit=at(3, 4, 9), approve=at(3, 4, 14), ready=at(3, 5, 8))
    d = intake(w, at(3, 2, 11))
    d = dossiers.transfer(d, w.reception, now=at(3, 2, 11, 15))
    d = dossiers.assign(d, w.head, specialist=w.specialist, now=at(3, 2, 13, 30))
    dossiers.apologise(d, w.head, reason="Chờ xác minh", new_due_at=at(3, 10, 16), now=at(3, 3, 9))
    d = Dossier.objects.get(pk=d.pk)
    d = dossiers.submit_for_approval(d, w.specialist, now=at(3, 6, 9))
    d = dossiers.approve(d, w.leader, now=at(3, 6, 14))
    d = dossiers.result_ready(d, w.specialist, result_number="2/TLKS", result_file=ContentFile(PDF, name="kq.pdf"), now=at(3, 9, 9))
    e = intake(w, at(3, 10, 9))
    e = dossiers.transfer(e, w.reception, now=at(3, 10, 9, 30))
    e = dossiers.assign(e, w.head, specialist=w.specialist, now=at(3, 10, 10))
    g = intake(w, at(3, 2, 14), competent_unit=unit(w.other, "vhxh"))
    f = intake(w, at(4, 6, 9))
    return {k: Dossier.objects.get(pk=v.pk) for k, v in dict(a=a, b=b, c=c, d=d, e=e, f=f, g=g).items()}


def codes(qs):
    return set(qs.values_list("code", flat=True))


def test_the_stored_due_dates_are_the_hand_worked_ones(quarter):
    q = quarter
    assert q["a"].due_at == at(3, 5, 9) and q["b"].due_at == at(3, 5, 10) and q["c"].due_at == at(3, 6, 8)
    assert q["d"].legal_due_at == at(3, 5, 11) and q["d"].due_at == at(3, 10, 16)
    assert q["c"].channel == 2 and q["g"].competent_unit.local_government.code == "minh-son"


def test_dossiers_on_time(world, quarter):
    # D was re-dated by an apology (new date 10/03 16:00) and finished on 09/03, after its
    # legal due date (05/03 11:00): late. The apology is recorded, not counted as time.
    m = registry.measure("dossiers_on_time", world.commune, world.q1.start, world.q1.end)
    assert (m.numerator, m.denominator, m.value) == (2, 4, Decimal("50.00"))
    assert codes(m.records) == {quarter[k].code for k in "ac"}
    assert codes(m.base) == {quarter[k].code for k in "abcd"}


def test_a_second_supplement_request_counts_as_late(world, quarter):
    # E: two supplement requests (allowed here), then finished early: still overdue (766 item 2.1).
    e = quarter["e"]
    Dossier.objects.filter(pk=e.pk).update(max_supplements=2)
    e.refresh_from_db()
    for day in (11, 12):
        e = dossiers.request_supplement(e, world.specialist, items=["Giấy chứng sinh"], reason="Mờ", now=at(3, day, 9))
        e = dossiers.supplement_received(e, world.reception, now=at(3, day, 10))
    e = dossiers.submit_for_approval(e, world.specialist, now=at(3, 12, 13, 30))
    e = dossiers.approve(e, world.leader, now=at(3, 12, 14))
    e = dossiers.result_ready(e, world.specialist, result_number="3/TLKS", result_file=ContentFile(PDF, name="kq.pdf"), now=at(3, 12, 15))
    assert e.finished_at <= e.due_at
    m = registry.measure("dossiers_on_time", world.commune, world.q1.start, world.q1.end)
    assert (m.numerator, m.denominator) == (2, 5)  # A and C; not B, D (late despite its apology), E


def test_a_refusal_decided_in_time_is_handled_in_time(world, quarter):
    # E refused by the leader on Thu 12/03, before its due date (Fri 13/03 09:00): a
    # processing end in time (766 item 2.1 end events include the refusal).
    e = dossiers.submit_for_approval(quarter["e"], world.specialist, now=at(3, 11, 9))
    e = dossiers.refuse(e, world.leader, reasons="Không đủ điều kiện", legal_basis="Điều 16 Luật Hộ tịch 2014", now=at(3, 12, 9))
    m = registry.measure("dossiers_on_time", world.commune, world.q1.start, world.q1.end)
    assert (m.numerator, m.denominator, m.value) == (3, 5, Decimal("60.00"))  # A, C and E


def test_online_share_and_reuse(world, quarter):
    m = registry.measure("online_dossier_share", world.commune, world.q1.start, world.q1.end)
    assert (m.numerator, m.denominator, m.value) == (1, 5, Decimal("20.00"))
    assert codes(m.records) == {quarter["c"].code}
    m = registry.measure("data_reuse", world.commune, world.q1.start, world.q1.end)
    assert (m.numerator, m.denominator, m.value) == (4, 5, Decimal("80.00"))
    m = registry.measure("data_reuse_components", world.commune, world.q1.start, world.q1.end)
    assert (m.numerator, m.denominator, m.value) == (4, 10, Decimal("40.00"))
    # the other commune's dossier counts there, not here
    m = registry.measure("online_dossier_share", world.other, world.q1.start, world.q1.end)
    assert (m.numerator, m.denominator) == (0, 1)


def test_online_payment_says_why_it_has_no_data(world, quarter):
    Dossier.objects.filter(pk__in=[quarter["a"].pk, quarter["b"].pk]).update(fee_amount=8000)
    raw = registry.evaluate("online_payment_share", world.commune, world.q1.start, world.q1.end)
    assert raw.denominator == 0 and ("payment" in str(raw.note) or "thanh toán" in str(raw.note))
    status = selectors.target_status(Target.objects.get(plan=world.plan, code="online-payment-share"), world.q1)
    assert status.value is None and str(raw.note) in status.source
    assert registry.measure("procedures_with_online_payment_transactions", world.commune, world.q1.start, world.q1.end) is None
    # once payments are recorded (a future payment service), the share is measured
    Dossier.objects.filter(pk=quarter["a"].pk).update(fee_paid=True, paid_online=1)
    m = registry.measure("online_payment_share", world.commune, world.q1.start, world.q1.end)
    assert (m.numerator, m.denominator) == (1, 2)
    m = registry.measure("procedures_with_online_payment_transactions", world.commune, world.q1.start, world.q1.end)
    assert (m.numerator, m.denominator) == (1, 1)


def test_online_payment_counts_the_payments_recorded_by_the_dossier_service(world, quarter):
    from xaso.dossiers.models import PaymentMethod

    Dossier.objects.filter(pk__in=[quarter[k].pk for k in "abc"]).update(fee_amount=8000)
    # a payment at the counter: payments are recorded, none online yet → a real 0%
    dossiers.record_fee_payment(quarter["a"], world.reception, amount=8000, method=PaymentMethod.CASH, reference="BL-0000001", now=at(3, 2, 9, 5))
    m = registry.measure("online_payment_share", world.commune, world.q1.start, world.q1.end)
    assert (m.numerator, m.denominator, m.value) == (0, 3, Decimal("0.00"))
    # the payment platform records C's online payment on the national portal (a system actor)
    dossiers.record_fee_payment(quarter["c"], None, amount=8000, method=PaymentMethod.NATIONAL_PORTAL, reference="DVCQG-42", now=at(3, 2, 21))
    m = registry.measure("online_payment_share", world.commune, world.q1.start, world.q1.end)
    assert (m.numerator, m.denominator) == (1, 3) and codes(m.records) == {quarter["c"].code}
    m = registry.measure("procedures_with_online_payment_transactions", world.commune, world.q1.start, world.q1.end)
    assert (m.numerator, m.denominator) == (1, 1)
    # another commune with no payment recorded still says "no data"
    assert registry.evaluate("online_payment_share", world.other, world.q1.start, world.q1.end).denominator == 0


def test_full_online_procedures_from_the_catalogue(world, quarter):
    assert registry.measure("full_online_procedures", world.commune, world.q1.start, world.q1.end) is None
    field = Field.objects.create(name="Hộ tịch", slug="ho-tich")
    for code, level in (("1.001193", "full"), ("1.000894", "full"), ("1.000656", "partial")):
        p = Procedure.objects.create(code=code, name=code, field=field)
        ProcedureVersion.objects.create(procedure=p, number=1, valid_from=at(1, 1, 0), name=code, field=field, online_level=level)
    m = registry.measure("full_online_procedures", world.commune, world.q1.start, world.q1.end)
    assert (m.numerator, m.denominator, m.value) == (1, 2, Decimal("50.00"))  # 1.001193 got C online


def test_lateness_counts_for_the_chairman(world, quarter):
    counts = sources.lateness(world.commune, world.q1.start, world.q1.end, now=at(3, 20, 9))
    assert codes(counts["apologies"]) == {quarter["d"].code}
    assert codes(counts["late_without_apology"]) == {quarter["b"].code}
    assert codes(counts["overdue_without_apology"]) == {quarter["e"].code}
    assert not sources.overdue_without_apology(world.other, now=at(3, 20, 9)).filter(pk=quarter["e"].pk).exists()


def test_a_period_without_dossiers_has_no_data(world, quarter):
    for key in ("dossiers_on_time", "online_dossier_share", "data_reuse", "data_reuse_components", "online_payment_share", "full_online_procedures"):
        assert registry.measure(key, world.commune, world.q3.start, world.q3.end) is None, key
    status = selectors.target_status(Target.objects.get(plan=world.plan, code="dossiers-on-time"), world.q3)
    assert status.value is None and status.met is None
    assert kpi_sources.dossier_stats(world.specialist, world.q3.start, world.q3.end) is None


def test_kpi_of_the_specialist(world, quarter):
    # Hand-worked (working hours 07:00–11:30, 13:30–17:00; the appraisal's own time is 50% of
    # 3 days = 12 working hours from the assignment):
    #   A: assigned Mon 02/03 10:00 → due Tue 16:00, handed over Tue 10:00: on time
    #   B: assigned Tue 03/03 08:00 → due Wed 14:00, handed over Fri 10:00: late
    #   C: assigned Tue 03/03 09:00 → due Wed 15:00, handed over Wed 09:00: on time
    #   D: assigned Mon 02/03 13:30 → due Wed 07:30, handed over Fri 09:00: late (the
    #      apology moves the dossier's date, not the specialist's step)
    #   E: still open, not counted.
    # Plus the "Ban hành kết quả" step of A–D (no share of the time: cannot be late).
    appraisal = {s.dossier.code: s for s in Step.objects.filter(assignee=world.specialist, name="Thẩm định", finished_at__isnull=False).select_related("dossier")}
    assert {code: s.due_at for code, s in appraisal.items()} == {
        quarter["a"].code: at(3, 3, 16), quarter["b"].code: at(3, 4, 14), quarter["c"].code: at(3, 4, 15), quarter["d"].code: at(3, 4, 7, 30)
    }
    stats = kpi_sources.dossier_stats(world.specialist, world.q1.start, world.q1.end)
    assert stats == kpi.DossierStats(handled=8, on_time=6, rated=0, satisfied=0)
    handled, on_time = 8, 6
    assert codes(Dossier.objects.filter(steps__in=kpi_source.handled_steps(world.specialist, world.q1.start, world.q1.end))) == {quarter[k].code for k in "abcd"}
    k = kpi_of(world.specialist, world.q1, _weights(world.commune))
    assert k["result"].components["on_time"] == Decimal(on_time) / Decimal(handled)
    assert k["result"].components["rating"] is None and k["result"].score is not None
    listed = {(s.dossier.code, s.name): s.in_time for s in k["steps"]}
    assert len(listed) == handled and sum(listed.values()) == on_time
    assert listed[(quarter["b"].code, "Thẩm định")] is False and listed[(quarter["a"].code, "Thẩm định")] is True


def test_pages_api_and_report_show_the_measured_values(world, quarter, client):
    client.force_login(world.office)  # the leader would be sent to set up two-factor login first
    page = client.get(reverse("indicators:targets") + f"?ky={world.q1.code}")
    html = page.content.decode()
    assert page.status_code == 200 and "50%" in html and "2 / 4" in html
    on_time = Target.objects.get(plan=world.plan, code="dossiers-on-time")
    behind = reverse("indicators:target_records", args=[on_time.pk])
    assert behind in html
    listing = client.get(behind, {"ky": world.q1.code}).content.decode()
    assert all(quarter[k].code in listing for k in "ac") and quarter["b"].code not in listing and quarter["d"].code not in listing
    listing = client.get(behind, {"ky": world.q1.code, "tap": "mau"}).content.decode()
    assert all(quarter[k].code in listing for k in "abcd") and quarter["e"].code not in listing
    assert "Nguyễn Văn An" not in listing  # no personal data on the list
    assert client.get(reverse("indicators:lateness_records", args=["late_without_apology"]), {"ky": world.q1.code}).status_code == 200
    late = client.get(reverse("indicators:lateness_records", args=["late_without_apology"]), {"ky": world.q1.code}).content.decode()
    assert quarter["b"].code in late and quarter["a"].code not in late
    assert client.get(reverse("indicators:lateness_records", args=["nothing"]), {"ky": world.q1.code}).status_code == 404
    specialist = client.__class__()
    specialist.force_login(world.specialist)
    assert specialist.get(reverse("indicators:lateness_records", args=["apologies"]), {"ky": world.q1.code}).status_code == 403
    data = client.get("/api/v1/plan/targets/", {"period": world.q1.code}).json()
    rows = {r["code"]: r for r in data["results"]}
    assert rows["dossiers-on-time"]["value"] == "50.00" and rows["dossiers-on-time"]["met"] is False
    assert rows["data-reuse"]["value"] == "80.00" and rows["data-reuse"]["met"] is True
    assert rows["online-payment-share"]["value"] is None
    assert rows["satisfaction-procedures"]["value"] is None
    document, text = docx_text(reports.build_docx(world.q1))
    table = {row.cells[0].text: [c.text for c in row.cells] for row in document.tables[1].rows}
    assert table["Hồ sơ TTHC được giải quyết trước và đúng hạn"][2:] == ["> 98%", "50%", "Chưa đạt"]
    assert table["Tỷ lệ khai thác, sử dụng lại thông tin, dữ liệu số hóa"][2:] == ["≥ 80%", "80%", "Đạt"]



def test_lateness_counted_per_unit_and_official(world, quarter, client):
    """vn-rules 1.6: apologies and overdue dossiers without one are counted per unit and
    per official, not only per commune."""
    counts = sources.lateness(world.commune, world.q1.start, world.q1.end, now=at(3, 20, 9))
    dept = world.dept.name
    # D's apology: the department holding it and its specialist are at fault.
    assert sources.lateness_by_unit_and_official("apologies", counts["apologies"]) == ([(dept, 1)], [("Chuyenvien", 1)])
    # E is overdue in the department, assigned to the specialist.
    assert sources.lateness_by_unit_and_official("overdue_without_apology", counts["overdue_without_apology"]) == ([(dept, 1)], [("Chuyenvien", 1)])
    # B finished late: each hand-over past its own due time names its unit and official,
    # each once per dossier.
    late_steps = Step.objects.filter(dossier=quarter["b"], finished_at__gt=F("due_at")).select_related("unit", "assignee")
    assert "Thẩm định" in {s.name for s in late_steps}
    by_unit, by_official = sources.lateness_by_unit_and_official("late_without_apology", counts["late_without_apology"])
    assert by_unit == sorted({(s.unit.name if s.unit else None, 1) for s in late_steps}, key=lambda r: r[0] or "")
    # B's late hand-overs: the specialist's appraisal, and the leader's approval (a step held
    # by the commune's People's Committee, which the chairman handed on; its time is capped
    # at the dossier's legal due date, already past). The assignment has no share of its own.
    assert {s.name for s in late_steps} == {"Phê duyệt", "Thẩm định"}
    assert by_official == [("Chutich", 1), ("Chuyenvien", 1)]
    # A late dossier without any step over its own time counts for its competent unit.
    Step.objects.filter(dossier=quarter["b"]).update(due_at=None)
    assert sources.lateness_by_unit_and_official("late_without_apology", counts["late_without_apology"]) == ([(dept, 1)], [(None, 1)])
    # The page shows both tables.
    client.force_login(world.office)
    page = client.get(reverse("indicators:lateness_records", args=["apologies"]) + f"?ky={world.q1.code}")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="lateness-breakdown"' in html
    assert "Theo đơn vị" in html and "Theo cán bộ" in html and "Chuyenvien" in html
