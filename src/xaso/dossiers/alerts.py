"""The daily deadline alert (OpenCPS has one; ours also covers missing apologies).

For each official: the dossiers waiting for them (their open steps and the dossiers their
roles must act on) that are overdue or due within one working day; and, for heads of
units, every overdue dossier of their unit without an apology (vn-rules 1.6: the apology is
due at the latest one working day before the due date). One e-mail and one SMS per official
per day, through the outbox (``dedup_key`` makes a second run the same day a no-op).
"""
from collections import defaultdict

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core.models import Membership, Role, User
from xaso.notifications.services import enqueue_email, enqueue_sms

from . import selectors, services
from .models import Dossier
from .states import Status


def daily_alerts(now=None) -> dict:
    now = now or timezone.now()
    cal = services.get_calendar()
    today = timezone.localtime(now).date()
    active = Dossier.objects.filter(status__in=selectors.ACTIVE, received_at__isnull=False)
    per_user: dict[int, dict] = defaultdict(lambda: {"overdue": [], "soon": [], "no_apology": []})
    officials = User.objects.filter(kind=User.Kind.OFFICIAL, is_active=True, memberships__is_active=True).distinct()
    for user in officials:
        rows = selectors.with_clocks(active.filter(selectors.my_work_q(user)), cal, now=now)
        for row in rows:
            if row.level == "overdue":
                per_user[user.pk]["overdue"].append(row.dossier.code)
            elif row.level in ("today", "soon"):
                per_user[user.pk]["soon"].append(row.dossier.code)
    heads = Membership.objects.filter(role=Role.UNIT_HEAD, is_active=True).select_related("user", "unit")
    for m in heads:
        codes = list(selectors.overdue_without_apology(m.unit.descendant_ids(), now=now).values_list("code", flat=True)[:50])
        per_user[m.user_id]["no_apology"].extend(c for c in codes if c not in per_user[m.user_id]["no_apology"])
    sent = 0
    users = User.objects.in_bulk(per_user.keys())
    for uid, info in per_user.items():
        if not any(info.values()):
            continue
        user = users[uid]
        body = _("Dossiers overdue: %(overdue)s. Due within one working day: %(soon)s. Overdue without an apology: %(noap)s.") % {
            "overdue": ", ".join(info["overdue"][:20]) or "0",
            "soon": ", ".join(info["soon"][:20]) or "0",
            "noap": ", ".join(info["no_apology"][:20]) or "0",
        }
        key = f"dossier-alert:{uid}:{today.isoformat()}"
        if user.email:
            enqueue_email(user.email, _("Dossier deadlines for %(date)s") % {"date": today.strftime("%d/%m/%Y")}, body, event="dossier.daily_alert", dedup_key=key + ":email")
        if user.phone:
            enqueue_sms(user.phone, body[:300], event="dossier.daily_alert", dedup_key=key + ":sms")
        sent += 1
    return {"officials_alerted": sent, "working_day": cal.is_working_day(today)}
