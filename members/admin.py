from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from members.models import Mandate, Membership, Region, User
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
        return str(weight) if mandate.weight is not None else f"{weight} ({_('automatisch')})"
