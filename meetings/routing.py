from django.urls import path

from meetings.consumers import MeetingLiveConsumer

websocket_urlpatterns = [
    path("ws/meetings/<int:pk>/live/", MeetingLiveConsumer.as_asgi(), name="meeting_live"),
]
