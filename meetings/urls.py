from django.urls import path

from meetings import views, views_agenda, views_checkin, views_record

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_index, name="index"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/stand.json", views.live_state, name="live_state"),
    path("<int:pk>/voorzitter/", views.console, name="console"),
    path("<int:pk>/voorzitter/<slug:action>/", views.chair_action, name="chair_action"),
    path("<int:pk>/aanmelden/", views.desk, name="desk"),
    path("<int:pk>/aanmelden/zetten/", views.desk_set, name="desk_set"),
    path("<int:pk>/aanmelden/telling/", views.desk_counts, name="desk_counts"),
    path("<int:pk>/vervanging/", views.stand_ins, name="stand_ins"),
    path("<int:pk>/volmachten/", views.paper_proxies, name="paper_proxies"),
    path("<int:pk>/projectie/", views.projector, name="projector"),
    path("<int:pk>/verslag/goedkeuren/", views_record.record_approve, name="record_approve"),
    path("<int:pk>/verslag.pdf", views_record.record_document, name="record_document"),
    path("<int:pk>/online-aanwezig/", views_checkin.join_online, name="join_online"),
    path("<int:pk>/inchecken/code.svg", views_checkin.self_checkin_qr, name="self_checkin_qr"),
    # Preparing a meeting and its agenda (meetings.views_agenda); QR self check-in.
    path("nieuw/", views_agenda.meeting_new, name="meeting_new"),
    path("<int:pk>/bewerken/", views_agenda.meeting_edit, name="meeting_edit"),
    path("<int:pk>/agenda/", views_agenda.agenda_editor, name="agenda_editor"),
    path("<int:pk>/agenda/nieuw/", views_agenda.item_new, name="item_new"),
    path("<int:pk>/agenda/voorbeeld/", views_agenda.agenda_markdown, name="agenda_markdown"),
    path("<int:pk>/agenda/<int:item_pk>/", views_agenda.item_edit, name="item_edit"),
    path("<int:pk>/agenda/<int:item_pk>/verplaatsen/", views_agenda.item_move, name="item_move"),
    path("<int:pk>/agenda/<int:item_pk>/weg/", views_agenda.item_delete, name="item_delete"),
    path("<int:pk>/agenda/<int:item_pk>/stemming/", views_agenda.item_ballots, name="item_ballots"),
    path("<int:pk>/inchecken/", views_checkin.self_checkin_display, name="self_checkin_display"),
    path("<int:pk>/inchecken/<str:token>/", views_checkin.self_checkin_page, name="self_checkin"),
]
