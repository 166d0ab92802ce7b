from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("", views.board_dashboard, name="board"),
    path("ledenregister/", views.register_import_upload, name="register_import"),
    path("ledenregister/controle/", views.register_import_preview, name="register_import_preview"),
    path(
        "ledenregister/bevestigen/", views.register_import_confirm, name="register_import_confirm"
    ),
]
