from django.contrib import admin

from faq.models import Question, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["label", "question", "topic", "status", "visibility", "updated_at"]
    list_filter = ["status", "visibility", "topic"]
    search_fields = ["question", "answer"]
