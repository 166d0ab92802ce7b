from django.urls import path

from faq import views

app_name = "faq"

urlpatterns = [
    path("", views.faq_index, name="index"),
    path("vraag/<int:pk>/", views.question_detail, name="question"),
    path("vraag/<int:pk>/wijzigingen/", views.question_changes, name="question_changes"),
    path("standpunten/", views.positions, name="positions"),
    path("standpunten/<slug:slug>/", views.paper_detail, name="paper"),
    path("standpunten/<slug:slug>/pdf/", views.paper_pdf, name="paper_pdf"),
    path("standpunten/<slug:slug>/wijzigingen/", views.paper_changes, name="paper_changes"),
    path("zoeken/", views.search_page, name="search"),
    path("vraag-stellen/", views.ask_question, name="ask"),
    path("vraag-stellen/vergelijkbaar/", views.similar_questions, name="similar"),
    path("mijn-vragen/", views.my_questions, name="my_questions"),
    path("moderatie/", views.moderation_queue, name="moderation_queue"),
    path("moderatie/<int:pk>/", views.moderate_question, name="moderate"),
    path("voorbeeld/", views.markdown_preview, name="markdown_preview"),
]
