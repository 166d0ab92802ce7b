from django.urls import path

from ballots.live.consumer import BallotLiveConsumer

websocket_urlpatterns = [
    path("ws/ballots/<int:pk>/live/", BallotLiveConsumer.as_asgi(), name="ballot_live"),
]
