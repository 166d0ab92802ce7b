"""WebSocket routes of every app, gathered in one place."""

from ballots.live.routing import websocket_urlpatterns as ballot_live
from meetings.routing import websocket_urlpatterns as meeting_live

websocket_urlpatterns: list = [*ballot_live, *meeting_live]
