"""Admin: the form templates an administrator uploads to replace the built-in ones
(receipt, supplement request, refusal, apology, stop notice, process-control sheet). Every
change goes through ``services`` (checked, audited); earlier versions are kept."""
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from xaso.core.models import Unit

from . import services
from .models import FormTemplate


class FormTemplateForm(forms.ModelForm):
    class Meta:
        model = FormTemplate
        fields = ["kind", "format", "local_government", "file", "note"]
        help_texts = {
            "file": _("Start from the built-in template (download it at /ho-so/mau-bieu/) and keep its {{ … }} tags. "
                      "PDF forms: an HTML file; Word forms: a .docx file. At most 2 MB."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "local_government" in self.fields:
            self.fields["local_government"].queryset = Unit.objects.filter(kind__in=Unit.LOCAL_GOVERNMENTS).order_by("name")

    user = None  # set by the admin for the request

    def clean(self):
        data = super().clean()
        if self.user is not None and not services.may_manage_form_templates(self.user, data.get("local_government")):
            raise ValidationError(_("Only an administrator of this commune may change its form templates; "
                                    "a template for every commune needs a superuser."))
        upload = data.get("file")
        if upload and data.get("format"):
            try:
                services.check_form_template(data["format"], upload.read())
            except services.DossierError as exc:
                self.add_error("file", ValidationError(exc.messages))
            finally:
                upload.seek(0)
        return data


@admin.register(FormTemplate)
class FormTemplateAdmin(admin.ModelAdmin):
    form = FormTemplateForm
    list_display = ("kind", "format", "local_government", "active", "uploaded_at", "uploaded_by", "note")
    list_filter = ("kind", "format", "active", "local_government")
    actions = ["use_selected", "stop_using_selected"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def get_readonly_fields(self, request, obj=None):
        # A stored version never changes: upload a new one (the old one is kept).
        if obj is not None:
            return ["kind", "format", "local_government", "file", "note", "active", "uploaded_at", "uploaded_by"]
        return []

    def get_fields(self, request, obj=None):
        if obj is not None:
            return ["kind", "format", "local_government", "file", "note", "active", "uploaded_at", "uploaded_by"]
        return ["kind", "format", "local_government", "file", "note"]

    def save_model(self, request, obj, form, change):
        if change:
            return
        cd = form.cleaned_data
        saved = services.upload_form_template(
            request.user, kind=cd["kind"], fmt=cd["format"], file=cd["file"], local_government=cd.get("local_government"), note=cd.get("note", "")
        )
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False  # versions are kept: stop using one instead

    @admin.action(description=_("Use the selected versions"))
    def use_selected(self, request, queryset):
        self._set(request, queryset, True)

    @admin.action(description=_("Stop using the selected versions (the next one in line applies)"))
    def stop_using_selected(self, request, queryset):
        self._set(request, queryset, False)

    def _set(self, request, queryset, in_use):
        for tpl in queryset:
            try:
                services.set_form_template_in_use(request.user, tpl, in_use)
            except services.DossierError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
                return
        self.message_user(request, _("Done."), messages.SUCCESS)
