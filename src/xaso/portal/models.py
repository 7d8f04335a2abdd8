"""The citizen portal's own data: submission drafts, the guided finder, saved checklists
and the link of an account to the national identity service.

Invariants kept here and in ``services.py``:
- a draft belongs to one account and is reached only through it (another account's draft
  is "not found"); it carries the submission key (``request_key``) that makes the dossier
  it becomes unique: submitting it twice gives the same dossier;
- a draft's files are kept in the order sent, per required document;
- a personal identification number is linked to at most one account.
"""
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _key():
    return uuid.uuid4().hex


class Draft(models.Model):
    """An online submission being prepared, saved at every step (``data``: the applicant,
    the choice per required document, the delivery and the fee quantities)."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drafts", verbose_name=_("account"))
    procedure = models.ForeignKey("catalog.Procedure", on_delete=models.CASCADE, related_name="+", verbose_name=_("procedure"))
    version = models.ForeignKey("catalog.ProcedureVersion", on_delete=models.PROTECT, related_name="+", verbose_name=_("procedure version"))
    step = models.CharField(_("last step"), max_length=20, default="applicant")
    data = models.JSONField(_("answers"), default=dict, blank=True)
    request_key = models.CharField(_("submission key"), max_length=64, default=_key, editable=False)
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("dossier submitted"),
    )
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    updated_at = models.DateTimeField(_("saved"), auto_now=True)

    class Meta:
        verbose_name = _("submission draft")
        verbose_name_plural = _("submission drafts")
        ordering = ["-updated_at", "-id"]

    def __str__(self):
        return f"{self.procedure_id} ({self.owner_id})"

    @property
    def submitted(self) -> bool:
        return self.dossier_id is not None


def draft_upload_to(instance, filename):
    return f"portal/drafts/{instance.draft.public_id.hex}/{uuid.uuid4().hex}{PurePosixPath(filename).suffix.lower()[:8]}"


class DraftFile(models.Model):
    """A file sent for one required document of a draft (already checked; a photo already
    downscaled and without metadata)."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="files")
    document = models.PositiveSmallIntegerField(_("required document (position)"))
    position = models.PositiveSmallIntegerField(_("order"))
    file = models.FileField(_("file"), upload_to=draft_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    is_photo = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["draft", "document", "position", "id"]


class LifeEvent(models.Model):
    """A life event ("sinh con", "kết hôn"…) leading to procedures, with questions that
    narrow them down. Edited by administrators."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    procedure_codes = models.TextField(
        _("procedures always suggested"), blank=True, help_text=_("Procedure codes, one per line (codes not in the catalogue are skipped)."),
    )
    keywords = models.TextField(_("other words people use"), blank=True, help_text=_("One per line; the finder's search looks at them too."))
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("shown"), default=True)

    class Meta:
        verbose_name = _("life event")
        verbose_name_plural = _("life events")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class FinderQuestion(models.Model):
    life_event = models.ForeignKey(LifeEvent, on_delete=models.CASCADE, related_name="questions", verbose_name=_("life event"))
    text = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("explanation"), max_length=300, blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("finder question")
        verbose_name_plural = _("finder questions")
        ordering = ["life_event", "sort_order", "id"]

    def __str__(self):
        return self.text


class FinderAnswer(models.Model):
    question = models.ForeignKey(FinderQuestion, on_delete=models.CASCADE, related_name="answers", verbose_name=_("question"))
    text = models.CharField(_("answer"), max_length=200)
    procedure_codes = models.TextField(_("procedures this answer adds"), blank=True, help_text=_("Procedure codes, one per line."))
    note = models.CharField(_("note shown with this answer"), max_length=300, blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("finder answer")
        verbose_name_plural = _("finder answers")
        ordering = ["question", "sort_order", "id"]

    def __str__(self):
        return self.text


class Checklist(models.Model):
    """A personal list of the documents to prepare for a procedure, kept in the account and
    printable (``items``: [{"name", "rule", "copies", "have"}])."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checklists", verbose_name=_("account"))
    procedure = models.ForeignKey("catalog.Procedure", on_delete=models.CASCADE, related_name="+", verbose_name=_("procedure"))
    life_event = models.ForeignKey(LifeEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("life event"))
    title = models.CharField(_("name of the list"), max_length=500)
    items = models.JSONField(_("documents"), default=list)
    created_at = models.DateTimeField(_("saved"), default=timezone.now)

    class Meta:
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title


class NationalIdentity(models.Model):
    """The account's link to the national identity service (VNeID through OpenID Connect):
    the personal identification number the provider vouched for and the assurance level of
    the last login. ``User.identity_verified`` follows the level (the national portal's
    ``TaiKhoanDuocXacThucVoiVNeID``)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="national_identity", verbose_name=_("account"))
    id_number = models.CharField(_("personal identification number"), max_length=12, unique=True)
    subject = models.CharField(_("subject at the provider"), max_length=255)
    issuer = models.CharField(_("provider"), max_length=255, blank=True)
    level = models.PositiveSmallIntegerField(_("identity level"), default=0, help_text=_("1: registered online; 2: registered in person with the police."))
    first_verified_at = models.DateTimeField(_("first verified"), default=timezone.now)
    last_verified_at = models.DateTimeField(_("last verified"), default=timezone.now)

    class Meta:
        verbose_name = _("national identity link")
        verbose_name_plural = _("national identity links")

    def __str__(self):
        return f"{self.user_id} ({self.level})"
