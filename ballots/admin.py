"""Creating and editing draft ballots. Once a ballot is scheduled or open its settings are
fixed; lifecycle actions live on the board's ballot page (ballots:manage)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ballots.models import Ballot, BallotStatus, Choice
from ballots.services import add_default_choices


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.status == BallotStatus.DRAFT

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


@admin.register(Ballot)
class BallotAdmin(admin.ModelAdmin):
    list_display = [
        "question",
        "electorate",
        "secrecy",
        "status",
        "opens_at",
        "closes_at",
        "manage_link",
    ]
    list_filter = ["status", "electorate", "secrecy"]
    search_fields = ["question"]
    inlines = [ChoiceInline]
    filter_horizontal = ["read_first_questions", "read_first_papers", "regions"]
    exclude = ["status", "created_by", "final_seal", "final_result"]

    @admin.display(description=_("beheer"))
    def manage_link(self, ballot):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("ballots:manage", args=[ballot.pk]),
            _("openen / sluiten"),
        )

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.status == BallotStatus.DRAFT)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or obj.status == BallotStatus.DRAFT
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        add_default_choices(form.instance)  # Voor / Tegen / Onthouding unless choices given
