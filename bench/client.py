"""HTTP as a browser does it, for many members at once: cookies kept per member, forms read
from the page's HTML, an Origin header on every POST.

One connection pool (bench.http1) serves every simulated member; each request carries that
member's cookies explicitly, so no member ever sends another's.
"""

import asyncio
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from bench.http1 import Client, ProtocolError, Response


def make_client(base_url: str, connections: int) -> Client:
    url = urlsplit(base_url)
    return Client(url.hostname or "127.0.0.1", url.port or 80, connections)


@dataclass
class Browser:
    """One member's cookies (session, CSRF, messages) and the site's origin."""

    origin: str
    cookies: dict[str, str] = field(default_factory=dict)

    def header(self) -> dict[str, str]:
        if not self.cookies:
            return {"User-Agent": "ledenstem-bench"}
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {"User-Agent": "ledenstem-bench", "Cookie": cookie}

    def post_headers(self, referer: str) -> dict[str, str]:
        return {**self.header(), "Origin": self.origin, "Referer": self.origin + referer}

    def remember(self, response: Response) -> None:
        for raw in response.header_list("set-cookie"):
            parsed = SimpleCookie()
            parsed.load(raw)
            for name, morsel in parsed.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value


@dataclass
class Form:
    action: str
    fields: dict[str, str]  # hidden and preset inputs
    radios: dict[str, list[str]]  # name -> values offered


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._current: Form | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._current = Form(attributes.get("action", ""), {}, {})
            self.forms.append(self._current)
        elif tag in ("input", "button") and self._current is not None:
            name = attributes.get("name")
            if not name:
                return
            kind = attributes.get("type", "text").lower()
            if kind == "radio":
                self._current.radios.setdefault(name, []).append(attributes.get("value", ""))
            elif kind in ("hidden", "text", "number") or tag == "button":
                self._current.fields.setdefault(name, attributes.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def forms(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def find_form(html: str, action: str, **having: str) -> Form | None:
    """The form posting to `action` whose preset fields include `having` (e.g. step="cast")."""
    for form in forms(html):
        if form.action == action and all(form.fields.get(k) == v for k, v in having.items()):
            return form
    return None


class _ReceiptParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inside = False
        self.code = ""

    def handle_starttag(self, tag, attrs):
        if dict(attrs).get("id") == "receipt-code":
            self.inside = True

    def handle_endtag(self, tag):
        self.inside = False

    def handle_data(self, data):
        if self.inside:
            self.code += data.strip()


def receipt_code(html: str) -> str | None:
    """The receipt code shown after a vote (the element with id receipt-code), if any."""
    parser = _ReceiptParser()
    parser.feed(html)
    return parser.code or None


def error_kind(response: Response | None, exception: BaseException | None = None) -> str:
    """A short name for a failed request, for the errors-by-kind count."""
    if exception is not None:
        if isinstance(exception, TimeoutError):
            return "timeout"
        if isinstance(exception, ConnectionError | asyncio.IncompleteReadError | ProtocolError):
            return f"connection: {type(exception).__name__}"
        return f"client: {type(exception).__name__}"
    assert response is not None
    if response.status_code in (301, 302, 303):
        location = response.header("location")
        if "/accounts/login" in location:
            return "redirect to login"
        return "refused (redirect back)"
    if response.status_code == 403:
        return "403 (CSRF or forbidden)"
    if response.status_code >= 500:
        return f"{response.status_code} server error"
    return f"status {response.status_code}"
