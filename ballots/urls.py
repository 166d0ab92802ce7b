from django.urls import path

from ballots import views, views_exports, views_live, views_results

app_name = "ballots"

urlpatterns = [
    path("", views.ballot_index, name="index"),
    path("<int:pk>/", views.ballot_detail, name="detail"),
    path("<int:pk>/stemmen/", views.vote, name="vote"),
    path("<int:pk>/volmacht/", views.grant_proxy, name="grant_proxy"),
    path("<int:pk>/volmacht/<int:proxy_pk>/intrekken/", views.revoke_proxy, name="revoke_proxy"),
    path("<int:pk>/ontvangstcode/", views.check_receipt, name="check_receipt"),
    path("<int:pk>/uitslag/", views.results, name="results"),
    path("<int:pk>/beheer/", views.manage, name="manage"),
    path("<int:pk>/live/", views_live.live_dashboard, name="live_dashboard"),
    path("<int:pk>/projectie/", views_live.projector, name="projector"),
    path("<int:pk>/beheer/<slug:action>/", views.lifecycle, name="lifecycle"),
    path("<int:pk>/aanwezigheid/", views.attendance, name="attendance"),
    path("<int:pk>/aanwezigheid/qr/", views.checkin_display, name="checkin_display"),
    path("<int:pk>/inchecken/<str:token>/", views.checkin, name="checkin"),
    path("<int:pk>/export.<str:fmt>", views_exports.download, name="download"),
    path("<int:pk>/vaststellen/", views_results.approve, name="approve"),
    path("<int:pk>/proces-verbaal.pdf", views_results.document, name="document"),
    path("controleren/", views_results.verify, name="verify"),
]
