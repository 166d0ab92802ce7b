"""WebSocket routes of every app, gathered in one place (the apps add theirs here)."""

websocket_urlpatterns: list = []
