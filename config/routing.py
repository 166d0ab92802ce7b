"""WebSocket routes of every app, gathered in one place."""

from ballots.live.routing import websocket_urlpatterns as ballot_live

websocket_urlpatterns: list = [*ballot_live]
