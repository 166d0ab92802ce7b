from django.contrib import admin
from django.urls import include, path

from ballots.live.views import live_state
from config import views

admin.site.site_header = "Ledenstem beheer"
# The admin's own login form would check only a password: no rate limit, no second factor.
admin.site.login = views.admin_login
admin.site.site_title = "Ledenstem"
# 403 and 404 are Django's own views rendering templates/403.html and 404.html (they extend
# base.html); the 500 page is rendered without the request (config.views.server_error).
handler500 = "config.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/", include("allauth.urls")),
    path("bestuur/", include("members.urls")),
    path("faq/", include("faq.urls")),
    path("stemmingen/", include("ballots.urls")),
    path("vergaderingen/", include("meetings.urls")),
    path("api/ballots/<int:pk>/live", live_state, name="ballot_live_state"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("beheer/", admin.site.urls),
]
