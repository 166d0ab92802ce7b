"""Meetings in the Django admin: for a superuser only (the board role holds no permission on
these models, so a board member's staff account gets 403 here). The board prepares and runs
meetings in its own pages; attendance, stand-ins and paper proxies are read-only here because
they change only through their services (meetings.attendance, .standins, .proxies), which
apply them to the meeting's ballots."""

from django.contrib import admin

from meetings.models import (
    AgendaBallot,
    AgendaItem,
    Meeting,
    MeetingAttendance,
    PaperProxy,
    StandIn,
)


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    fields = ["order", "title"]
    extra = 1
    show_change_link = True


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "starts_at", "mode", "status"]
    list_filter = ["kind", "status", "mode"]
    fields = ["kind", "title", "starts_at", "place", "mode", "max_proxies_held"]
    inlines = [AgendaItemInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class AgendaBallotInline(admin.TabularInline):
    model = AgendaBallot
    raw_id_fields = ["ballot"]
    extra = 1


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    list_display = ["__str__", "meeting"]
    list_filter = ["meeting"]
    fields = ["meeting", "order", "title", "text", "questions", "papers"]
    filter_horizontal = ["questions", "papers"]
    inlines = [AgendaBallotInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MeetingAttendance)
class MeetingAttendanceAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "user", "presence", "changed_by", "changed_at"]
    list_filter = ["meeting", "presence"]


@admin.register(StandIn)
class StandInAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "region", "ambassador", "deputy", "approved_by", "withdrawn_at"]


@admin.register(PaperProxy)
class PaperProxyAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "grantor", "holder", "recorded_by", "revoked_at"]
