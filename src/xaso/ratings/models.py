"""Citizens' ratings of how their dossier was handled (vn-rules 6.2).

Invariants kept here and in ``services``:
- one rating per dossier (a one-to-one row), only once the dossier is closed (result
  returned, refused, stopped);
- a rating is tied to what it rates, copied when it is given: the dossier, its procedure
  and field, the receiving and competent units, the officials who handled it;
- an SMS rating link is signed, expires and serves once (``Invitation``);
- a "Không hài lòng" with a comment becomes a task for the head of the competent unit
  (``FollowUp``), answered in writing.
"""
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    # The national portal's three levels (DVCQG; the province's report part II).
    VERY_SATISFIED = 3, _("Very satisfied")
    SATISFIED = 2, _("Satisfied")
    DISSATISFIED = 1, _("Dissatisfied")


LEVEL_VI = {3: "Rất hài lòng", 2: "Hài lòng", 1: "Không hài lòng"}


class Channel(models.TextChoices):
    LINK = "link", _("SMS link")
    ONLINE = "online", _("Applicant's account")
    KIOSK = "kiosk", _("Counter tablet")


class Rating(models.Model):
    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.PROTECT, related_name="rating", verbose_name=_("dossier"))
    level = models.PositiveSmallIntegerField(_("satisfaction"), choices=Level.choices)
    comment = models.TextField(_("comment"), blank=True)
    criteria = models.JSONField(_("evaluation table points"), default=list, blank=True, help_text=_("The province's nine criteria, 0–2 points each (empty when not used)."))
    score = models.PositiveSmallIntegerField(_("evaluation table score"), null=True, blank=True)
    band = models.CharField(_("evaluation band"), max_length=20, blank=True)
    channel = models.CharField(_("given through"), max_length=10, choices=Channel.choices)
    rated_at = models.DateTimeField(_("rated"), db_index=True)
    # What was rated, copied at rating time.
    procedure_code = models.CharField(_("procedure code"), max_length=64, db_index=True)
    field_name = models.CharField(_("field"), max_length=255, blank=True)
    receiving_unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("receiving unit"))
    competent_unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("competent unit"))
    officials = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="ratings_received", verbose_name=_("officials who handled it"))

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-rated_at", "-id"]
        indexes = [models.Index(fields=["competent_unit", "rated_at"], name="ratings_unit_time_idx")]

    def __str__(self):
        return f"{self.dossier_id}: {self.get_level_display()}"

    @property
    def satisfied(self) -> bool:
        return self.level >= Level.SATISFIED


def new_nonce():
    return secrets.token_urlsafe(9)


class Invitation(models.Model):
    """The rating link sent by SMS when the dossier closed: signed, expiring, one use."""

    dossier = models.OneToOneField("dossiers.Dossier", on_delete=models.CASCADE, related_name="rating_invitation")
    nonce = models.CharField(max_length=16, default=new_nonce)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("rating invitation")
        verbose_name_plural = _("rating invitations")


class Kiosk(models.Model):
    """A counter tablet showing the rating page (no login, no navigation): paired once by
    an official, then identified by its signed cookie."""

    name = models.CharField(_("name"), max_length=100)
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    secret = models.CharField(max_length=43, default=secrets.token_urlsafe)
    active = models.BooleanField(_("in use"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("counter tablet")
        verbose_name_plural = _("counter tablets")

    def __str__(self):
        return f"{self.name} ({self.unit})"


class KioskRequest(models.Model):
    """An official put a dossier on a counter tablet for its applicant to rate."""

    kiosk = models.ForeignKey(Kiosk, on_delete=models.CASCADE, related_name="requests")
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class FollowUp(models.Model):
    """A "Không hài lòng" with a comment, for the head of the competent unit to answer."""

    rating = models.OneToOneField(Rating, on_delete=models.CASCADE, related_name="follow_up", verbose_name=_("rating"))
    unit = models.ForeignKey("core.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    due_at = models.DateTimeField(_("answer due"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("answered by"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("dissatisfaction to answer")
        verbose_name_plural = _("dissatisfactions to answer")
        ordering = ["answered_at", "due_at"]
