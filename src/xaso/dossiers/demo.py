"""Demo dossiers of Ngọc Liên: a few hundred over the past months, created through the
service layer with a fixed random seed, each action at its own simulated time (``now``), so
every state appears: on time, late with and without an apology, waiting for or after a
supplement, inter-agency, refused at reception or after processing, stopped, in progress.

Idempotent: nothing is added when the demo dossiers exist already. The applicants are
invented (demo data).
"""
import random
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone
from tqdm import tqdm

from xaso.core.calendar import Duration
from xaso.core.models import Unit, User

from . import services
from .models import Dossier, PaymentMethod
from .services import Applicant, ComponentIn, DossierError

COUNT = 320
SEED = 2026
DAYS_BACK = 150
PDF = b"%PDF-1.4\n% demo result\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Bùi", "Đỗ", "Lò", "Hà", "Quách", "Trịnh"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Hữu", "Ngọc", "Thanh"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hùng", "Lan", "Mai", "Nam", "Oanh", "Phúc", "Quân", "Sơn", "Tâm", "Yến"]
VILLAGES = ["Thôn Liên Sơn", "Thôn Ngọc Trung", "Thôn Đồng Lạc", "Thôn Minh Thành", "Thôn Bái", "Thôn Cao Phong"]
SCENARIOS = [
    ("on_time", 44),
    ("late_apology", 8),
    ("late_no_apology", 6),
    ("supplement", 12),
    ("interagency", 7),
    ("refused", 4),
    ("stopped", 4),
    ("reception_refused", 3),
    ("reception_supplement", 3),
    ("not_assigned", 3),
    ("in_progress", 7),
    ("awaiting_approval", 3),
]


def _pick(rng, table):
    total = sum(w for _, w in table)
    x = rng.uniform(0, total)
    for name, w in table:
        x -= w
        if x <= 0:
            return name
    return table[-1][0]


class Stop(Exception):
    """The next action lies in the future: the dossier stays where it is."""


def load(stdout) -> None:
    centre = Unit.objects.filter(code="ngoc-lien-pvhcc").first()
    commune = Unit.objects.filter(code="ngoc-lien").first()
    if centre is None or commune is None:
        stdout.write("  dossiers: the Ngọc Liên units are missing (core demo first); skipped")
        return
    if Dossier.objects.filter(receiving_unit=centre).exists():
        stdout.write(f"  dossiers: {Dossier.objects.filter(receiving_unit=centre).count()} demo dossiers already present; nothing added")
        return
    people = {u.username: u for u in User.objects.filter(username__in=["motcua", "chuyenvien", "vhxh", "truongphong", "chutich", "dan-0912345678"])}
    if len(people) < 5:
        stdout.write("  dossiers: demo officials missing; skipped")
        return
    rng = random.Random(SEED)
    cal = services.get_calendar()
    terms_list = _usable_terms(commune)
    if not terms_list:
        stdout.write("  dossiers: no procedure with a known processing time in the catalogue; skipped")
        return
    real_now = timezone.now()
    start = real_now - timedelta(days=DAYS_BACK)
    counts: dict[str, int] = {}
    for i in tqdm(range(COUNT), desc="Demo dossiers", unit="dossier", file=getattr(stdout, "_out", None)):
        offset = (DAYS_BACK * 24 * 3600) * (i + rng.random()) / COUNT
        t0 = cal.clock_start(start + timedelta(seconds=offset), None) + timedelta(minutes=rng.randint(0, 90))
        if t0 >= real_now - timedelta(hours=1):
            continue
        terms = rng.choice(terms_list)
        scenario = _pick(rng, SCENARIOS)
        try:
            state = _simulate(rng, cal, terms, scenario, t0, real_now, centre, people, i)
        except DossierError as exc:  # a refused demo step is a bug in the demo: say so
            raise RuntimeError(f"demo dossier {i}: {exc.messages}") from exc
        counts[state] = counts.get(state, 0) + 1
    summary = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
    stdout.write(f"  dossiers: {sum(counts.values())} created ({summary})")


def _usable_terms(commune):
    from xaso.catalog.models import ProcedureVersion

    vhxh = Unit.objects.filter(code="ngoc-lien-vhxh").first()
    out = []
    for v in ProcedureVersion.objects.filter(valid_to__isnull=True).select_related("procedure", "field").order_by("procedure__code"):
        try:
            t = services.terms_from_version(v, commune)
        except DossierError:
            continue
        if t.competent_unit == vhxh and (t.days or 0) <= 20:
            out.append(t)
    return out


def _applicant(rng, people, i):
    if i % 9 == 0:
        c = people["dan-0912345678"]
        return Applicant(name=c.full_name, id_number=c.national_id or "", address=c.address, phone=c.phone or "", account=c)
    name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    phone = "09" + "".join(str(rng.randint(0, 9)) for _ in range(8))
    # A valid personal identification number: Thanh Hóa (038), born 1960–1999 (century-sex
    # digit 0 or 1: men and women of the 20th century).
    pid = "038" + rng.choice("01") + f"{rng.randint(60, 99):02d}" + "".join(str(rng.randint(0, 9)) for _ in range(6))
    agent = {}
    if rng.random() < 0.1:
        agent = {"agent_name": f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}", "agent_phone": "03" + "".join(str(rng.randint(0, 9)) for _ in range(8)), "authorisation_document": "Giấy ủy quyền (dữ liệu mẫu)"}
    return Applicant(name=name, id_number=pid, address=f"{rng.choice(VILLAGES)}, xã Ngọc Liên", phone=phone, email="" if rng.random() < 0.6 else f"dan{i}@example.vn", **agent)


def _components(rng, terms, online):
    comps = []
    for j, d in enumerate(terms.documents):
        if not d["mandatory"] and rng.random() < 0.5:
            continue
        reused = rng.random() < 0.35
        scanned = not reused and rng.random() < 0.8
        f = ContentFile(PDF, name=f"tp{j + 1}.pdf") if scanned and rng.random() < 0.1 else None
        comps.append(ComponentIn(name=d["name"], mandatory=d["mandatory"], reused=reused, digitised=scanned or online, file=f))
    return comps


def _quantities(fee_rng, terms):
    """The catalogue prices these procedures per unit (per copy, per page, per case): the
    demo applicant asks for 1 to 3 units of each (priced at intake by the fee service)."""
    if terms.fee:
        return None
    per_unit = [line["line"] for line in terms.fee_lines if line["kind"] == "per_unit" and line["unit_price"]]
    return {n: fee_rng.randint(1, 3) for n in per_unit} or None


def _pay(fee_rng, d, reception, i, now, *, online):
    """Most demo applicants pay at once: cash or bank transfer at the counter (a receipt
    number), or online through the national portal or the province's gateway (recorded by
    the payment platform, a system actor); some have not paid yet."""
    if not d.fee_amount or fee_rng.random() < 0.2:
        return
    if online:
        method = PaymentMethod.NATIONAL_PORTAL if fee_rng.random() < 0.6 else PaymentMethod.LOCAL_GATEWAY
        services.record_fee_payment(d, None, amount=d.fee_amount, method=method, reference=f"GD{i + 1:08d}", now=now)
    else:
        method = PaymentMethod.CASH if fee_rng.random() < 0.8 else PaymentMethod.TRANSFER
        services.record_fee_payment(d, reception, amount=d.fee_amount, method=method, reference=f"BL-{i + 1:07d}", now=now)


def _to_leader(d, specialist, head, at, hours):
    """The specialist submits the appraised dossier: to the head of department first when the
    procedure's internal process has the head's review step, who then forwards it."""
    if d.has_head_review:
        d = services.submit_for_review(d, specialist, now=at(hours))
        # The head's review: a fixed share of the appraisal time (the demo's random stream
        # stays that of the seed).
        return services.forward_for_approval(d, head, now=at(max(0.5, hours * 0.3)))
    return services.submit_for_approval(d, specialist, now=at(hours))


def _simulate(rng, cal, terms, scenario, t0, real_now, centre, people, i):
    reception, head, leader = people["motcua"], people["truongphong"], people["chutich"]
    specialist = people["chuyenvien"] if rng.random() < 0.7 else people["vhxh"]
    clock = {"t": t0}

    def at(hours):
        t = cal.due_at(clock["t"], Duration(0, max(hours, 0.05)))
        if t >= real_now:
            raise Stop
        clock["t"] = t
        return t

    online = scenario in ("reception_refused", "reception_supplement") or rng.random() < 0.25
    applicant = _applicant(rng, people, i)
    comps = _components(rng, terms, online)
    # Fees: their own random stream, so the dossiers' other choices stay those of the seed.
    fee_rng = random.Random(SEED * 100_000 + i)
    quantities = _quantities(fee_rng, terms)
    total_h = (float(terms.days) * 8 + float(terms.hours)) or 8
    d = None
    try:
        if online:
            account = applicant.account or people["dan-0912345678"]
            d = services.submit_online(user=account, terms=terms, applicant=applicant, components=comps, receiving_unit=centre, fee_quantities=quantities, now=t0)
            if scenario not in ("reception_refused", "reception_supplement"):
                _pay(fee_rng, d, None, i, t0, online=True)
            if scenario == "reception_refused":
                services.refuse_reception(d, reception, reasons="Hồ sơ không thuộc thẩm quyền giải quyết của xã (dữ liệu mẫu).", now=at(2))
                return "reception_refused"
            if scenario == "reception_supplement":
                services.reception_supplement(d, reception, items=["Bản chụp giấy tờ rõ nét, đủ các trang"], reason="Ảnh chụp giấy tờ bị mờ.", now=at(1.5))
                return "reception_supplement"
            d = services.receive(d, reception, now=at(rng.uniform(0.5, 4)))
        else:
            channel = 3 if rng.random() < 0.05 else 1
            d = services.intake(officer=reception, terms=terms, applicant=applicant, components=comps, receiving_unit=centre, channel=channel, fee_quantities=quantities, now=t0)
            _pay(fee_rng, d, reception, i, t0 + timedelta(minutes=2), online=False)
        d = services.transfer(d, reception, now=at(rng.uniform(0.2, 1.5)))
        if scenario == "not_assigned":
            return "transferred"
        d = services.assign(d, head, specialist=specialist, now=at(rng.uniform(0.3, 2)))
        if scenario == "in_progress":
            return "in_progress"
        late = scenario in ("late_apology", "late_no_apology")
        if scenario == "stopped":
            services.stop(d, reception, reasons="Người nộp đề nghị rút hồ sơ để bổ sung giấy tờ khác.", now=at(total_h * 0.3))
            return "stopped"
        if scenario == "supplement":
            d = services.request_supplement(d, specialist, items=["Giấy xác nhận thông tin về cư trú"], reason="Thiếu giấy tờ chứng minh nơi cư trú.", now=at(total_h * 0.3))
            clock["t"] = clock["t"] + timedelta(days=rng.uniform(2, 12))
            if clock["t"] >= real_now:
                return "supplement"
            clock["t"] = cal.clock_start(clock["t"], None)
            if clock["t"] >= real_now:
                return "supplement"
            d = services.supplement_received(d, reception, note="Đã nhận bản bổ sung tại quầy.", now=clock["t"])
        if scenario == "interagency":
            d = services.send_interagency(d, specialist, agency="Công an xã Ngọc Liên", note="Xác minh thông tin cư trú.", now=at(total_h * 0.2))
            d = services.interagency_back(d, specialist, note="Đã có kết quả xác minh.", now=at(total_h * 0.3))
        if late:
            due = d.due_at
            if scenario == "late_apology":
                before = due - timedelta(days=2)
                if before > clock["t"] and before < real_now:
                    clock["t"] = before
                    new_due = cal.due_at(due, Duration(3, 0))
                    services.apologise(d, head, reason="Cần xác minh thêm thông tin với cơ quan khác.", new_due_at=new_due, official=specialist, now=before)
            clock["t"] = max(clock["t"], due)
            d = _to_leader(d, specialist, head, at, rng.uniform(2, 10))
        else:
            d = _to_leader(d, specialist, head, at, total_h * rng.uniform(0.1, 0.4))
        if scenario == "awaiting_approval":
            return "awaiting_approval"
        if scenario == "refused":
            services.refuse(
                d, leader, reasons="Không đủ điều kiện theo quy định (dữ liệu mẫu).",
                legal_basis="Các điều kiện quy định tại văn bản quy phạm pháp luật của thủ tục (dữ liệu mẫu).", now=at(total_h * 0.1),
            )
            return "refused"
        d = services.approve(d, leader, now=at(total_h * rng.uniform(0.05, 0.15)))
        number = f"{i + 1}/{terms.code[-4:]}"
        d = services.result_ready(d, specialist, result_number=number, result_file=ContentFile(PDF, name=f"ket-qua-{i + 1}.pdf"), summary="Kết quả giải quyết (dữ liệu mẫu).", now=at(total_h * 0.05))
        d = services.return_result(d, reception, delivery=d.delivery, now=at(rng.uniform(0.5, 16)))
        return scenario if scenario in ("late_apology", "late_no_apology") else "returned"
    except Stop:
        return Dossier.objects.get(pk=d.pk).status if d else "none"
