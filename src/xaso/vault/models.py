"""The personal document vault (Kho quản lý dữ liệu điện tử của tổ chức, cá nhân; NĐ 45/2020
Điều 16 as amended by NĐ 118/2025 Điều 40 k8; vn-rules 5).

Invariants kept here and in ``services.py``:
- every digitised document of a person (uploaded by them, scanned at the counter, a result
  issued to them) is kept once per owner: the same content (SHA-256) is one ``Document``;
- a document's type comes from a controlled list (``DocumentType``) that the catalogue's
  required documents map to by keywords;
- reuse copies nothing: the dossier component points at the same stored file and is marked
  reused (``Reuse`` records which component, for the access log and for deletion);
- a document still used by a dossier is only hidden when its owner deletes it (the dossier
  keeps its file); only what the owner uploaded can be deleted by them;
- files are stored through Django's storage API and never given a public URL: every
  download is a permission-checked view.
"""
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DocumentType(models.Model):
    """A kind of personal document (Căn cước, Giấy khai sinh, Giấy chứng sinh…). A required
    document of a procedure is of the first type (in order) one of whose keywords appears in
    its name, accents and case ignored."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    keywords = models.TextField(
        _("keywords"), blank=True,
        help_text=_("One per line. A required document whose name contains one of them (accents and case ignored) is of this type."),
    )
    reusable = models.BooleanField(
        _("reusable"), default=True,
        help_text=_("Offered for reuse in a new dossier. Forms filled in for one dossier (declarations, applications) are not."),
    )
    has_expiry = models.BooleanField(
        _("has an expiry date"), default=False, help_text=_("Ask for the date until which the document is valid."),
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0, help_text=_("Types are matched in this order: put narrower types first."))
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("document type")
        verbose_name_plural = _("document types")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    def keyword_list(self) -> list[str]:
        from .selectors import words

        return [words(line) for line in self.keywords.splitlines() if words(line)]


def document_upload_to(instance, filename):
    # Not guessable and without the person's name; never served by URL anyway.
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"vault/{instance.owner_id}/{uuid.uuid4().hex}{suffix}"


class Document(models.Model):
    class Source(models.TextChoices):
        UPLOAD = "upload", _("Uploaded by you")
        COUNTER = "counter", _("Scanned at the counter")
        RESULT = "result", _("Result issued to you")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="vault_documents", verbose_name=_("owner"),
    )
    doc_type = models.ForeignKey(DocumentType, on_delete=models.PROTECT, related_name="documents", verbose_name=_("document type"))
    title = models.CharField(_("name of the document"), max_length=500, help_text=_("What the document is, as the owner or the dossier names it."))
    number = models.CharField(_("document number"), max_length=100, blank=True)
    issuer = models.CharField(_("issued by"), max_length=255, blank=True)
    issued_on = models.DateField(_("date of issue"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True, help_text=_("Empty: no expiry."))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    source_dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("dossier it came from"),
    )
    file = models.FileField(_("file"), upload_to=document_upload_to, max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64, editable=False, help_text=_("Digest of the content: the same file is kept once per owner."))
    created_at = models.DateTimeField(_("added on"), default=timezone.now)
    deleted_at = models.DateTimeField(
        _("deleted by the owner"), null=True, blank=True,
        help_text=_("Hidden from the owner; the file is kept while a dossier uses it."),
    )

    class Meta:
        verbose_name = _("vault document")
        verbose_name_plural = _("vault documents")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "sha256"], condition=Q(deleted_at__isnull=True), name="vault_document_once_per_owner"),
        ]
        indexes = [models.Index(fields=["owner", "doc_type"], name="vault_owner_type_idx")]

    def __str__(self):
        return self.title

    def is_valid(self, on=None) -> bool:
        """Still valid on ``on`` (default: today): no expiry date, or not past it."""
        on = on or timezone.localdate()
        return self.valid_until is None or self.valid_until >= on

    @property
    def deletable(self) -> bool:
        """The owner may delete what they uploaded themselves, not what was issued to them or
        scanned by an officer."""
        return self.source == self.Source.UPLOAD

    @property
    def filename(self) -> str:
        return PurePosixPath(self.file.name).name


class Reuse(models.Model):
    """A dossier component that reuses a vault document instead of a new upload (TT 01/2023;
    Decision 766 item 4.3, ``DuocLayTuKhoDMQG``): the component's file is the document's
    stored file, nothing is copied."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="reuses", verbose_name=_("vault document"))
    component = models.OneToOneField("dossiers.Component", on_delete=models.CASCADE, related_name="vault_reuse", verbose_name=_("dossier component"))
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="+", verbose_name=_("dossier"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("reused by"),
    )
    at = models.DateTimeField(_("reused on"), default=timezone.now)

    class Meta:
        verbose_name = _("reuse of a vault document")
        verbose_name_plural = _("reuses of vault documents")
        ordering = ["-at", "-id"]
