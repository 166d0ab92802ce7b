from django.urls import path

from ballots import views

app_name = "ballots"

urlpatterns = [
    path("", views.ballot_index, name="index"),
]
