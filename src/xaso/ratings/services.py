"""Every change to ratings: one function per business action, transactional, audited.

- ``invite_after_event``: when a dossier closes (result returned, refused, stopped), the
  applicant gets an SMS with a rating link (signed, expiring, one use);
- ``submit``: a rating, once per dossier, from the link, the owner's page, the API or a
  counter tablet; a "Không hài lòng" with a comment becomes a task for the unit's head;
- ``pair_kiosk`` / ``send_to_kiosk``: the counter tablet;
- ``answer``: the head answers a dissatisfaction.
"""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core.text import clean_line
from xaso.dossiers import services as dossier_services
from xaso.dossiers.models import Dossier, Step
from xaso.dossiers.services import DossierError
from xaso.dossiers.states import FINAL, Status
from xaso.notifications.services import enqueue_email, enqueue_sms

from . import scoring
from .models import LEVEL_VI, Channel, FollowUp, Invitation, Kiosk, KioskRequest, Level, Rating

SALT = "xaso.ratings.invitation"
COMMENT_MAX = 2000


class RatingError(DossierError):
    """A rating refused; the message is for people."""


def _now(now):
    return now or timezone.now()


def province_table() -> bool:
    return bool(getattr(settings, "XASO_RATING_PROVINCE_TABLE", False))


def ratable_refusal(dossier) -> str | None:
    if Status(dossier.status) not in FINAL:
        return _("The service can be rated once the dossier is closed (result returned, refused or stopped).")
    if Rating.objects.filter(dossier_id=dossier.pk).exists():
        return _("This dossier has already been rated. Thank you.")
    return None


# --------------------------------------------------------------------------- invitations


def token_for(invitation: Invitation) -> str:
    return signing.TimestampSigner(salt=SALT).sign(f"{signing.b62_encode(invitation.pk)}.{invitation.nonce}")


def invitation_from(token: str) -> Invitation | None:
    """The invitation of a link that is genuine and not expired (used or not)."""
    days = int(getattr(settings, "XASO_RATING_LINK_DAYS", 30))
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(token, max_age=days * 86400)
        ident, nonce = value.split(".", 1)
        pk = signing.b62_decode(ident)
    except (signing.BadSignature, ValueError):
        return None
    inv = Invitation.objects.select_related("dossier").filter(pk=pk).first()
    if inv is None or inv.nonce != nonce or inv.expires_at < timezone.now():
        return None
    return inv


def link_for(invitation: Invitation) -> str:
    return getattr(settings, "XASO_PUBLIC_BASE_URL", "").rstrip("/") + reverse("ratings:link", args=[token_for(invitation)])


CLOSING_ACTIONS = {"return_result", "refuse", "stop", "refuse_reception"}


def invite_after_event(dossier, event) -> None:
    """Hooked into the dossier's history (``dossiers.extensions``): the action that closes
    the dossier sends the applicant the rating link."""
    if event.action not in CLOSING_ACTIONS or Status(dossier.status) not in FINAL:
        return
    phones = sorted({p for p in (dossier.applicant_phone, dossier.agent_phone) if p})
    if not phones or Invitation.objects.filter(dossier_id=dossier.pk).exists():
        return
    days = int(getattr(settings, "XASO_RATING_LINK_DAYS", 30))
    sent = timezone.now()  # the link lives from when the SMS goes out
    inv = Invitation.objects.create(dossier=dossier, created_at=sent, expires_at=sent + timedelta(days=days))
    text = _("Dossier %(code)s is closed. Please rate our service (once, %(days)d days): %(url)s") % {"code": dossier.code, "days": days, "url": link_for(inv)}
    for phone in phones:
        enqueue_sms(phone, text, event="ratings.invitation", dedup_key=f"ratings:invite:{inv.pk}:{phone}", sensitive=True, returning=False)


# --------------------------------------------------------------------------- rating


def _officials(d) -> list[int]:
    ids = set(Step.objects.filter(dossier=d, assignee__isnull=False).values_list("assignee_id", flat=True))
    ids.update(x for x in (d.received_by_id, d.assignee_id) if x)
    return sorted(ids)


def clean_input(level, criteria, comment):
    try:
        level = Level(int(level))
    except (TypeError, ValueError):
        raise RatingError(_("Choose how satisfied you are: very satisfied, satisfied or dissatisfied.")) from None
    points = []
    if criteria:
        if not province_table():
            raise RatingError(_("The evaluation table is not used in this commune."))
        try:
            points = scoring.check([int(p) if not isinstance(p, bool) else p for p in criteria])
        except (TypeError, ValueError):
            raise RatingError(_("Give each of the nine criteria 0, 1 or 2 points.")) from None
    comment = clean_line(comment or "") if "\n" not in (comment or "") else "\n".join(clean_line(x) for x in (comment or "").splitlines())
    comment = comment.strip()
    if len(comment) > COMMENT_MAX:
        raise RatingError(_("The comment is at most %(n)d characters.") % {"n": COMMENT_MAX})
    return level, points, comment


def submit(dossier, *, level, comment="", criteria=None, channel: str, invitation: Invitation | None = None, user=None, kiosk: Kiosk | None = None, now=None) -> Rating:
    """Record the applicant's rating of a closed dossier, once. Ties it to the procedure,
    field, units and officials; a dissatisfaction with a comment goes to the unit's head."""
    now = _now(now)
    level, points, comment = clean_input(level, criteria, comment)
    try:
        with transaction.atomic():
            d = Dossier.objects.select_for_update().get(pk=dossier.pk)
            why = ratable_refusal(d)
            if why:
                raise RatingError(why)
            if invitation is not None:
                inv = Invitation.objects.select_for_update().get(pk=invitation.pk)
                if inv.used_at is not None or inv.dossier_id != d.pk or inv.expires_at < now:
                    raise RatingError(_("This rating link has already been used or has expired."))
                inv.used_at = now
                inv.save(update_fields=["used_at"])
            total = scoring.score(points) if points else None
            rating = Rating.objects.create(
                dossier=d, level=level, comment=comment, criteria=points, score=total, band=scoring.band(total) if total is not None else "",
                channel=channel, rated_at=now, procedure_code=d.procedure_code, field_name=d.field_name,
                receiving_unit_id=d.receiving_unit_id, competent_unit_id=d.competent_unit_id,
            )
            rating.officials.set(_officials(d))
            if kiosk is not None:
                KioskRequest.objects.filter(kiosk=kiosk, dossier=d, done_at__isnull=True).update(done_at=now)
            note = LEVEL_VI[level] + (f" · {total}/{scoring.MAX_SCORE} ({rating.band})" if total is not None else "")
            dossier_services.log_event(d, "rated", user=user if getattr(user, "pk", None) else None, note=note,
                                       data={"level": int(level), "channel": channel, "score": total}, now=now)
            if level == Level.DISSATISFIED and comment:
                _follow_up(rating, d, now)
            return rating
    except IntegrityError:
        raise RatingError(_("This dossier has already been rated. Thank you.")) from None


def _heads(unit_id):
    from xaso.core.models import Membership

    return [m.user for m in Membership.objects.filter(unit_id=unit_id, role="unit_head", is_active=True, user__is_active=True).select_related("user")]


def _follow_up(rating, d, now):
    from xaso.core.calendar import Duration
    from xaso.core.workdays import get_calendar

    unit_id = d.competent_unit_id if _heads(d.competent_unit_id) else d.receiving_unit_id
    days = int(getattr(settings, "XASO_RATING_ANSWER_DAYS", 5))
    due = get_calendar().due_at(now, Duration(days, 0))
    fu = FollowUp.objects.create(rating=rating, unit_id=unit_id, due_at=due)
    url = getattr(settings, "XASO_PUBLIC_BASE_URL", "").rstrip("/") + reverse("ratings:follow_ups")
    text = _("Dossier %(code)s was rated “Dissatisfied”: %(comment)s. Answer by %(due)s: %(url)s") % {
        "code": d.code, "comment": rating.comment[:120], "due": timezone.localtime(due).strftime("%d/%m/%Y"), "url": url}
    for head in _heads(unit_id):
        if head.email:
            enqueue_email(head.email, _("Dossier %(code)s: a dissatisfied applicant to answer") % {"code": d.code}, text,
                          event="ratings.follow_up", dedup_key=f"ratings:fu:{fu.pk}:{head.pk}:email", returning=False)
        elif head.phone:
            enqueue_sms(head.phone, text, event="ratings.follow_up", dedup_key=f"ratings:fu:{fu.pk}:{head.pk}:sms", returning=False)
    return fu


def may_answer(user, follow_up: FollowUp) -> bool:
    return bool(getattr(user, "is_official", False) and follow_up.unit_id in dossier_services.scope_ids(user, "unit_head"))


@transaction.atomic
def answer(follow_up: FollowUp, user, *, text: str, now=None) -> FollowUp:
    now = _now(now)
    fu = FollowUp.objects.select_for_update().select_related("rating__dossier").get(pk=follow_up.pk)
    if not may_answer(user, fu):
        raise RatingError(_("Only the head of the unit answers this."))
    text = (text or "").strip()
    if not text:
        raise RatingError(_("Write the answer."))
    if fu.answered_at:
        raise RatingError(_("This has already been answered."))
    fu.answer, fu.answered_by, fu.answered_at = text[:COMMENT_MAX], user, now
    fu.save()
    d = fu.rating.dossier
    dossier_services.log_event(d, "rated", user=user, note=_("Answer to the dissatisfaction: %(text)s") % {"text": text[:300]}, data={"follow_up": fu.pk}, now=now)
    for phone in sorted({p for p in (d.applicant_phone, d.agent_phone) if p}):
        enqueue_sms(phone, _("Dossier %(code)s: the answer to your rating: %(text)s") % {"code": d.code, "text": text[:300]},
                    event="ratings.answer", dedup_key=f"ratings:answer:{fu.pk}:{phone}", returning=False)
    return fu


# --------------------------------------------------------------------------- counter tablet


def kiosk_units(user) -> set[int]:
    return dossier_services.scope_ids(user, "reception") | dossier_services.scope_ids(user, "unit_head")


@transaction.atomic
def pair_kiosk(user, *, name: str, unit) -> Kiosk:
    name = clean_line(name or "")
    if not name:
        raise RatingError(_("Name the counter tablet (e.g. “Quầy 1”)."))
    if unit is None or unit.pk not in kiosk_units(user):
        raise RatingError(_("You may set up counter tablets only for your own units."))
    return Kiosk.objects.create(name=name[:100], unit=unit, created_by=user)  # audited (audit.track)


@transaction.atomic
def send_to_kiosk(dossier, user, kiosk: Kiosk, *, now=None) -> KioskRequest:
    now = _now(now)
    if not kiosk.active or kiosk.unit_id not in kiosk_units(user):
        raise RatingError(_("This counter tablet is not one of your units."))
    why = ratable_refusal(dossier)
    if why:
        raise RatingError(why)
    KioskRequest.objects.filter(kiosk=kiosk, done_at__isnull=True).update(done_at=now)
    seconds = int(getattr(settings, "XASO_RATING_KIOSK_SECONDS", 600))
    return KioskRequest.objects.create(kiosk=kiosk, dossier=dossier, requested_by=user, created_at=now, expires_at=now + timedelta(seconds=seconds))


def kiosk_request(kiosk: Kiosk, now=None) -> KioskRequest | None:
    now = _now(now)
    return KioskRequest.objects.filter(kiosk=kiosk, done_at__isnull=True, expires_at__gt=now).select_related("dossier").first()


# --------------------------------------------------------------------------- national portal


def payload_fields(dossier) -> dict:
    """The applicant's rating in the national-portal payload (``dossiers.extensions``).
    Field names UNCONFIRMED (TT 04/2025/TT-VPCP's data list was not retrieved; the 766
    item 5.4 counts dossiers with a "dislike")."""
    # Only a closed dossier can have a rating: no query for the others.
    rating = Rating.objects.filter(dossier_id=dossier.pk).first() if dossier.pk and Status(dossier.status) in FINAL else None
    if rating is None:
        return {"DanhGiaHaiLong": None}
    return {"DanhGiaHaiLong": {"MucDo": LEVEL_VI[rating.level], "KhongHaiLong": rating.level == Level.DISSATISFIED,
                                "ThoiGian": timezone.localtime(rating.rated_at).strftime("%Y%m%d%H%M%S"), "Diem": rating.score}}


def channel_label(value) -> str:
    return str(Channel(value).label)
