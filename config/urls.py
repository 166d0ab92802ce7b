from django.contrib import admin
from django.urls import include, path

from ballots.live.views import live_state
from config import views

admin.site.site_header = "Ledenstem beheer"
# The admin's own login form would check only a password: no rate limit, no second factor.
admin.site.login = views.admin_login
admin.site.site_title = "Ledenstem"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("bestuur/", include("members.urls")),
    path("faq/", include("faq.urls")),
    path("stemmingen/", include("ballots.urls")),
    path("api/ballots/<int:pk>/live", live_state, name="ballot_live_state"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("beheer/", admin.site.urls),
]
