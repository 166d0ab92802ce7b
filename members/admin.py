from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from members.models import Mandate, Membership, Region, RoleChange, User
from members.selectors import effective_weight


class MembershipInline(admin.StackedInline):
    model = Membership
    extra = 0
    can_delete = False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["email", "full_name", "membership__membership_number"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Persoon"), {"fields": ["full_name"]}),
        (
            _("Rechten"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Data"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]}),
    ]
    # Rights, the address one logs in with, and the password are a superuser's alone (issue
    # #13): with them a staff user could make anyone (themselves included) superuser or board,
    # or set or re-point someone's login and then act as them. The board role no longer holds
    # change_user at all; this holds for any staff account that is given it.
    SUPERUSER_ONLY_FIELDS = ["email", "is_active", "is_staff", "is_superuser", "groups"]
    SUPERUSER_ONLY_FIELDS += ["user_permissions", "last_login", "date_joined"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        # Not even shown: read-only, the admin would print the password hash itself.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "password"]})
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return readonly
        # Read-only fields are left out of the form, so a posted value is ignored.
        return readonly + self.SUPERUSER_ONLY_FIELDS

    def has_add_permission(self, request):
        # A new account with a password of one's choosing is a login one holds.
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def user_change_password(self, request, *args, **kwargs):
        # Whoever sets a password can log in as that person.
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, *args, **kwargs)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["membership_number", "user", "region", "status", "joined_on", "ended_on"]
    list_filter = ["status", "region"]
    search_fields = ["membership_number", "user__email", "user__full_name"]
    list_select_related = ["user", "region"]
    autocomplete_fields = ["user"]


@admin.register(Mandate)
class MandateAdmin(admin.ModelAdmin):
    list_display = ["region", "user", "is_deputy", "weight_shown", "valid_from", "valid_to"]
    list_filter = ["region", "is_deputy"]
    search_fields = ["user__email", "user__full_name", "region__name"]
    list_select_related = ["user", "region"]
    autocomplete_fields = ["user"]

    @admin.display(description=_("stemgewicht"))
    def weight_shown(self, mandate: Mandate) -> str:
        weight = effective_weight(mandate)
        if mandate.weight is not None:
            return str(weight)
        # Not inside an f-string: makemessages cannot see a _() there (it stayed Dutch).
        return _("%(weight)s (automatisch)") % {"weight": weight}


@admin.register(RoleChange)
class RoleChangeAdmin(admin.ModelAdmin):
    """The record of roles given and taken by the register import: read-only for everyone."""

    list_display = ["changed_at", "user", "change", "changed_by"]
    list_filter = ["role"]
    search_fields = ["user__email", "user__full_name"]
    list_select_related = ["user", "changed_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
