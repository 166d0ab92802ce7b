from django.urls import path

from ballots import (
    views,
    views_box,
    views_exports,
    views_kinds,
    views_live,
    views_paper,
    views_results,
)
from ballots import views_workspace as ws

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
    path("<int:pk>/zaal/", views_paper.paper_votes, name="paper_votes"),
    path("<int:pk>/zaal/<int:tally_pk>/", views_paper.paper_decide, name="paper_decide"),
    path("<int:pk>/aanwezigheid/qr/", views.checkin_display, name="checkin_display"),
    path("<int:pk>/inchecken/<str:token>/", views.checkin, name="checkin"),
    path("<int:pk>/export.<str:fmt>", views_exports.download, name="download"),
    path("<int:pk>/vaststellen/", views_results.approve, name="approve"),
    path("<int:pk>/tweede-ronde/", views_kinds.second_round, name="second_round"),
    path("<int:pk>/proces-verbaal.pdf", views_results.document, name="document"),
    path("<int:pk>/stembus.json", views_box.box_download, name="box"),
    path("<int:pk>/stembus/openbaar/", views_box.box_publicity, name="box_publicity"),
    path("stembus-controleren/", views_box.how_to_verify, name="how_to_verify"),
    path("ledenstem-verify.tar.gz", views_box.verifier_download, name="verifier_package"),
    path("certificaat.pem", views_box.certificate_download, name="certificate"),
    path("controleren/", views_results.verify, name="verify"),
    # The board's workspace (issue #14): drafts, preview, duplicate, templates.
    path("werkruimte/", ws.workspace, name="workspace"),
    path("werkruimte/nieuw/", ws.workspace_new, name="workspace_new"),
    path("werkruimte/sjablonen/", ws.workspace_templates, name="workspace_templates"),
    path("werkruimte/toelichting/", ws.workspace_markdown, name="workspace_markdown"),
    path("werkruimte/lees-eerst/", ws.workspace_links, name="workspace_links"),
    path("werkruimte/<int:pk>/", ws.workspace_edit, name="workspace_edit"),
    path("werkruimte/<int:pk>/als-kiezer/", ws.workspace_preview, name="workspace_preview"),
    path("werkruimte/<int:pk>/dupliceren/", ws.workspace_duplicate, name="workspace_duplicate"),
    path("werkruimte/<int:pk>/verwijderen/", ws.workspace_delete, name="workspace_delete"),
]
