"""Board editing of the FAQ and positions, with a Markdown preview and explicit publishing.

Every save goes through faq.revisions.save_with_revision, so a published version is never
overwritten without being kept.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from faq.models import MemberQuestion, PositionPaper, Question, Revision, Status, Tag, Topic
from faq.revisions import save_with_revision, set_status


class MarkdownPreviewMedia:
    js = ["faq/admin_preview.js"]
    css = {"all": ["faq/admin_preview.css"]}


class RevisionSavingAdmin(admin.ModelAdmin):
    readonly_fields = ["status", "updated_at"]
    actions = ["publish", "unpublish"]

    def save_model(self, request, obj, form, change):
        save_with_revision(obj, user=request.user)

    @admin.action(description=_("Publiceren"), permissions=["change"])
    def publish(self, request, queryset):
        for item in queryset.exclude(status=Status.PUBLISHED):
            set_status(item, Status.PUBLISHED, user=request.user)
        self.message_user(request, _("Gepubliceerd."), messages.SUCCESS)

    @admin.action(description=_("Depubliceren (terug naar concept)"), permissions=["change"])
    def unpublish(self, request, queryset):
        for item in queryset.filter(status=Status.PUBLISHED):
            set_status(item, Status.DRAFT, user=request.user)
        self.message_user(request, _("Gedepubliceerd."), messages.SUCCESS)


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Question)
class QuestionAdmin(RevisionSavingAdmin):
    list_display = ["label", "question", "topic", "status", "visibility", "updated_at"]
    list_filter = ["status", "visibility", "topic"]
    search_fields = ["question", "answer"]
    filter_horizontal = ["related_papers"]
    fields = [
        "topic",
        "label",
        "question",
        "answer",
        "footnotes",
        "visibility",
        "order",
        "related_papers",
        "status",
        "updated_at",
    ]
    Media = MarkdownPreviewMedia


@admin.register(PositionPaper)
class PositionPaperAdmin(RevisionSavingAdmin):
    list_display = ["title", "organisation", "stance", "published_on", "status", "visibility"]
    list_filter = ["stance", "status", "organisation_code", "visibility"]
    search_fields = ["title", "summary", "body", "organisation"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["tags"]
    Media = MarkdownPreviewMedia


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ["content_type", "object_id", "changed_at", "changed_by", "changed_fields"]
    list_filter = ["content_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the history is the point: nobody edits it


@admin.register(MemberQuestion)
class MemberQuestionAdmin(admin.ModelAdmin):
    list_display = ["asked_at", "asked_by", "status", "text"]
    list_filter = ["status"]
    readonly_fields = [
        "asked_by",
        "text",
        "asked_at",
        "status",
        "response",
        "faq_question",
        "handled_by",
        "handled_at",
    ]

    def has_add_permission(self, request):
        return False
