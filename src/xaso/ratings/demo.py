"""Demo ratings of Ngọc Liên: most closed demo dossiers rated by their applicants (SMS link,
account or the counter tablet), mostly satisfied, a few dissatisfied with a comment for the
unit's head (some answered); the evaluation table filled where the commune uses it; one
counter tablet registered at the centre.

Idempotent: nothing is added when demo ratings exist already."""
import random
from datetime import timedelta

from django.utils import timezone

from xaso.core.models import Unit, User

SEED = 2028
COMMENTS_BAD = ["Phải đi lại nhiều lần mới hoàn thiện hồ sơ.", "Trả kết quả chậm so với giấy hẹn.", "Hướng dẫn chưa rõ ràng."]
COMMENTS_GOOD = ["Cán bộ hướng dẫn tận tình.", "Thủ tục nhanh gọn.", ""]


def load(stdout) -> None:
    from xaso.dossiers.models import Dossier
    from xaso.dossiers.states import FINAL

    from . import services
    from .models import Invitation, Kiosk, Rating

    centre = Unit.objects.filter(code="ngoc-lien-pvhcc").first()
    if centre is None:
        stdout.write("  ratings: the Ngọc Liên units are missing; skipped")
        return
    if Rating.objects.filter(receiving_unit=centre).exists():
        stdout.write(f"  ratings: {Rating.objects.filter(receiving_unit=centre).count()} demo ratings already present; nothing added")
        return
    reception = User.objects.filter(username="motcua").first()
    if reception and not Kiosk.objects.filter(unit=centre).exists():
        Kiosk.objects.create(name="Quầy 1", unit=centre, created_by=reception)
    rng = random.Random(SEED)
    now = timezone.now()
    levels = {1: 0, 2: 0, 3: 0}
    answered = 0
    head = User.objects.filter(username="truongphong").first()
    closed = Dossier.objects.filter(receiving_unit=centre, status__in=[s.value for s in FINAL]).order_by("id")
    for d in closed:
        if rng.random() > 0.7:
            continue
        x = rng.random()
        level = 3 if x < 0.62 else (2 if x < 0.94 else 1)
        comment = rng.choice(COMMENTS_BAD) if level == 1 and rng.random() < 0.8 else (rng.choice(COMMENTS_GOOD) if rng.random() < 0.3 else "")
        end = d.returned_at or d.finished_at or d.updated_at
        when = min(end + timedelta(hours=rng.uniform(1, 48)), now - timedelta(minutes=5))
        channel = rng.choice(["link", "link", "online" if d.applicant_account_id else "link", "kiosk"])
        criteria = None
        if services.province_table():
            criteria = [rng.choice([2, 2, 2, 1]) if level > 1 else rng.choice([0, 1, 1, 2]) for _ in range(9)]
        invitation = Invitation.objects.filter(dossier=d, used_at__isnull=True).first() if channel == "link" else None
        if channel == "link" and invitation is None:
            channel = "online"
        if invitation is not None and invitation.expires_at < when:
            invitation.expires_at = when + timedelta(days=1)
            invitation.save(update_fields=["expires_at"])
        rating = services.submit(d, level=level, comment=comment, criteria=criteria, channel=channel, invitation=invitation, now=when)
        levels[level] += 1
        follow = getattr(rating, "follow_up", None)
        if follow is not None and head is not None and rng.random() < 0.5 and services.may_answer(head, follow):
            services.answer(follow, head, text="Đơn vị xin lỗi ông/bà và đã nhắc nhở bộ phận liên quan (dữ liệu mẫu).", now=min(when + timedelta(days=1), now))
            answered += 1
    stdout.write(f"  ratings: {sum(levels.values())} ratings (very satisfied {levels[3]}, satisfied {levels[2]}, dissatisfied {levels[1]}; {answered} answered); counter tablet “Quầy 1”")
