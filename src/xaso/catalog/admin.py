"""Admin of the catalogue.

Editing rule: a saved change to a procedure version never alters that version. Saving the
form of the version in force publishes a NEW version (through
``services.publish_new_version``) and closes the old one; superseded versions are
read-only. Attaching a blank form without other changes updates the current version in
place (a form is guidance, not legal content)."""
from django.contrib import admin, messages
from django.forms.models import BaseInlineFormSet
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xaso.core import audit
from xaso.core.models import AuditRecord

from . import services
from .models import DepartmentType, Fee, Field, Procedure, ProcedureVersion, ProcessStep, RequiredDocument


@admin.register(DepartmentType)
class DepartmentTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "unit_kind", "sort_order"]


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "default_department", "green_lane_default"]
    list_editable = ["default_department", "green_lane_default"]
    prepopulated_fields = {"slug": ["name"]}


class VersionInline(admin.TabularInline):
    model = ProcedureVersion
    fields = ["number", "name", "valid_from", "valid_to", "change_reason"]
    readonly_fields = fields
    show_change_link = True
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "field", "is_frequent", "code_is_local"]
    list_filter = ["field", "is_frequent", "code_is_local"]
    search_fields = ["code", "search_text"]
    readonly_fields = ["name", "field"]
    fields = ["code", "code_is_local", "is_frequent", "name", "field"]
    inlines = [VersionInline]

    def get_search_results(self, request, queryset, search_term):
        from .text import normalise

        return super().get_search_results(request, queryset, normalise(search_term))

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields + (["code", "code_is_local"] if obj else [])

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            # only the frequently-used flag is editable here; content changes are versions
            services.set_frequent(Procedure.objects.get(pk=obj.pk), obj.is_frequent)
        else:
            super().save_model(request, obj, form, change)
            audit.record(AuditRecord.Action.CREATE, obj, changes={"code": [None, obj.code]})


class _ChildInline(admin.TabularInline):
    extra = 0

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.valid_to is None

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


class DocumentInline(_ChildInline):
    model = RequiredDocument
    fields = ["order", "name", "requirement", "submission", "originals", "copies", "blank_form"]


class FeeInline(_ChildInline):
    model = Fee
    min_num = 1
    validate_min = True
    fields = ["order", "kind", "amount", "online_amount", "unit", "description"]


class StepFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        forms = [f for f in self.forms if getattr(f, "cleaned_data", None) and not f.cleaned_data.get("DELETE")]
        total = sum(f.cleaned_data.get("share") or 0 for f in forms)
        if forms and total != 100:
            raise ValidationError(_("The shares of the internal steps sum to %(total)s%%, not 100%%.") % {"total": total})


class StepInline(_ChildInline):
    model = ProcessStep
    formset = StepFormSet
    min_num = 1
    validate_min = True
    fields = ["order", "name", "role", "share", "inter_agency", "agency_name"]


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    list_display = ["procedure", "number", "name", "valid_from", "valid_to", "process_is_default"]
    list_filter = ["field", "process_is_default", "needs_verification", "online_level"]
    search_fields = ["procedure__code", "procedure__search_text"]
    readonly_fields = ["number", "valid_from", "valid_to", "created_at", "created_by"]
    autocomplete_fields = ["procedure"]
    inlines = [DocumentInline, FeeInline, StepInline]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "source_url":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.valid_to is None)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields + (["procedure"] if obj else [])

    def save_model(self, request, obj, form, change):
        """Nothing is saved here: ``save_related`` publishes through the service."""

    def save_related(self, request, form, formsets, change):
        content = {key: form.cleaned_data[key] for key in services.SCALAR_FIELDS if key in form.cleaned_data}
        content["field"] = form.cleaned_data["field"].name
        department = form.cleaned_data.get("competent_department")
        content["competent_department"] = department.key if department else ""
        cutoff = form.cleaned_data.get("cutoff")
        content["cutoff"] = cutoff.strftime("%H:%M") if cutoff else ""
        lists = {DocumentInline.model: ("documents", services.DOCUMENT_KEYS), Fee: ("fees", services.FEE_KEYS),
                 ProcessStep: ("steps", services.STEP_KEYS)}
        blank_forms = []
        for formset in formsets:
            # nothing is saved through the formsets (the admin's change message reads these)
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            key, keys = lists[formset.model]
            items = []
            forms = sorted(
                (f for f in formset.forms if getattr(f, "cleaned_data", None) and not f.cleaned_data.get("DELETE")),
                key=lambda f: f.cleaned_data.get("order") or 0,
            )
            for child in forms:
                item = {k: child.cleaned_data.get(k) for k in keys}
                for k in ("unit", "description", "agency_name"):
                    if k in item and item[k] is None:
                        item[k] = ""
                if formset.model is RequiredDocument:
                    upload = child.cleaned_data.get("blank_form")
                    item["blank_form"] = upload or ""
                    if "blank_form" in child.changed_data and child.instance.pk:
                        blank_forms.append((child.instance, upload or None))
                items.append(item)
            content[key] = items
        obj = form.instance
        actor = request.user
        reason = form.cleaned_data.get("change_reason", "")
        try:
            if not obj.procedure.versions.exists():
                version = services.add_first_version(obj.procedure, content, actor=actor, reason=reason)
            else:
                latest = obj.procedure.latest_version()
                diff = services.differences(services.version_content(latest), {**services.version_content(latest), **content})
                if diff:
                    version = services.publish_new_version(obj.procedure, content, valid_from=timezone.now(), actor=actor, reason=reason)
                    messages.info(request, _("A new version %(n)s was published; version %(old)s is kept unchanged.") % {
                        "n": version.number, "old": latest.number})
                else:
                    version = latest
                    for document, upload in blank_forms:
                        services.attach_blank_form(document, upload)
        except ValidationError as exc:
            # the forms check what the service checks; this is a last line of defence
            messages.error(request, " ".join(exc.messages))
            raise
        form.instance = version
        obj.pk = version.pk
        obj.number = version.number
