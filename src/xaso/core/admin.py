"""Admin registrations of the core app. Calendar and audit admins live in their own
modules, imported here."""
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import admin_audit, admin_calendar  # noqa: F401
from .identifiers import mask_national_id, mask_phone
from .models import LoginCode, Membership, ScheduledJob, Unit, User


def _two_factor_admin_login(request, extra_context=None):
    """The admin has no login of its own: it goes through the staff login (password + TOTP,
    lockout)."""
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"), login_url=reverse("two_factor:login"))


admin.site.login = _two_factor_admin_login

_django_admin_view = admin.site.admin_view


def _admin_view(view, cacheable=False):
    """Every admin view, with an empty ``_to_field`` parameter dropped: Django's change and
    delete views look up a field named "" for it and fail (a server error)."""
    from functools import wraps

    wrapped = _django_admin_view(view, cacheable)

    @wraps(wrapped)
    def inner(request, *args, **kwargs):
        for name in ("GET", "POST"):
            values = getattr(request, name)
            if "_to_field" in values and not values.get("_to_field"):
                values = values.copy()
                del values["_to_field"]
                setattr(request, name, values)
        return wrapped(request, *args, **kwargs)

    return inner


admin.site.admin_view = _admin_view
# The product's name, not Django's, in the administration's header and window titles.
admin.site.site_header = _("Digital commune — administration")
admin.site.site_title = _("Digital commune administration")
admin.site.index_title = _("Administration")

# Third-party admins register after this module (INSTALLED_APPS order): their section titles
# are put in Vietnamese when the site's URLs are built, once every admin is registered.
_site_get_urls = admin.site.get_urls


def _localised_get_urls():
    from .admin_vi import localise_admin

    localise_admin(admin.site)
    return _site_get_urls()


admin.site.get_urls = _localised_get_urls


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("unit",)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "parent", "identifier", "code", "is_active", "sort_order")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "short_name", "code", "identifier")
    autocomplete_fields = ("parent",)
    prepopulated_fields = {"code": ("name",)}


class XasoUserCreationForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "full_name", "kind")


class XasoUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = XasoUserChangeForm
    add_form = XasoUserCreationForm
    list_display = ("username", "display_name", "kind", "masked_phone", "masked_national_id", "is_active", "is_staff")
    list_filter = ("kind", "is_active", "is_staff", "is_superuser", "identity_verified")
    search_fields = ("username", "full_name", "organisation_name", "phone", "national_id", "tax_code")
    ordering = ("kind", "username")
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("username", "password", "kind")}),
        (
            _("Person or organisation"),
            {"fields": ("full_name", "organisation_name", "national_id", "date_of_birth", "tax_code", "phone", "email", "address", "identity_verified")},
        ),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "full_name", "kind", "password1", "password2")}),
    )
    readonly_fields = ("last_login", "date_joined")

    @admin.display(description=_("mobile phone"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)

    @admin.display(description=_("personal identification number"))
    def masked_national_id(self, obj):
        return mask_national_id(obj.national_id)


@admin.register(ScheduledJob)
class ScheduledJobAdmin(admin.ModelAdmin):
    """Read-only: the periodic jobs of ``xaso scheduler`` and how their last run ended."""

    list_display = ("name", "last_started_at", "last_finished_at", "last_ok", "runs")
    fields = ("name", "anchor", "last_started_at", "last_finished_at", "last_ok", "runs", "last_output")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LoginCode)
class LoginCodeAdmin(admin.ModelAdmin):
    """Read-only: to see whether codes are requested and used (the code itself is never stored)."""

    list_display = ("masked_phone", "created_at", "expires_at", "attempts", "used_at", "ip_address")
    list_filter = (("created_at", admin.DateFieldListFilter),)
    fields = ("created_at", "expires_at", "attempts", "used_at", "ip_address")
    readonly_fields = fields

    @admin.display(description=_("phone"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
