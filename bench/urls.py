"""The project's URLs, then the bench's baseline views after them (so no project URL resolves
any differently)."""

from django.urls import path

from bench import views
from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    *project_urlpatterns,
    path("bench/hello", views.hello),
    path("bench/ping", views.ping),
]
