"""The WebSocket origin check: only this site's own pages may open a socket.

channels' AllowedHostsOriginValidator compared host names only, so a page served on any other
port of an allowed host (another service on the same machine, a development server) could open
a socket with the member's session cookie (issue #13). This compares host AND port, as Django's
CSRF check compares a form's Origin with the request's own host.
"""

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host


def origin_allowed(origin: str, host: str, *, secure: bool) -> bool:
    """Whether a socket asked for at `host` (its Host header, one of ALLOWED_HOSTS) from a
    page at `origin` comes from this site: exactly that host and port, or an origin listed in
    CSRF_TRUSTED_ORIGINS. Over wss only an https page counts; over ws either (behind a proxy
    that ends TLS the socket may arrive as ws)."""
    origin, host = origin.lower(), host.lower()
    if origin in {trusted.lower() for trusted in settings.CSRF_TRUSTED_ORIGINS}:
        return True
    schemes = ("https",) if secure else ("http", "https")
    if origin not in {f"{scheme}://{host}" for scheme in schemes}:
        return False
    domain, _port = split_domain_port(host)
    return bool(domain) and validate_host(domain, settings.ALLOWED_HOSTS)


class SameOriginValidator:
    """ASGI middleware: refuses a WebSocket whose Origin is not this site (see above)."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        headers: dict[bytes, list[bytes]] = {}
        for name, value in scope.get("headers", []):
            headers.setdefault(name.lower(), []).append(value)
        origins, hosts = headers.get(b"origin", []), headers.get(b"host", [])
        if (
            scope["type"] == "websocket"
            and len(origins) == 1
            and len(hosts) == 1
            and origin_allowed(
                origins[0].decode("latin-1"),
                hosts[0].decode("latin-1"),
                secure=scope.get("scheme") == "wss",
            )
        ):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)
