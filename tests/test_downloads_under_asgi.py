"""Files under ASGI (make run serves everything through uvicorn): static files and downloads
go out as whole bytes, never as a synchronous stream that Django reads through
sync_to_async(list) after the view. That path warned "StreamingHttpResponse must consume
synchronous iterators" on every static file and PDF, and the log showed "CurrentThreadExecutor
already quit" after it (issue #16). Warnings are errors here, so the old path fails the test.
"""

import asyncio
import warnings

import pytest
from asgiref.sync import async_to_sync
from django.core.asgi import get_asgi_application
from django.core.files.base import ContentFile
from django.urls import reverse

from tests.factories import PositionPaperFactory
from tests.faq.test_validators import real_pdf

pytestmark = pytest.mark.django_db(transaction=True)


def asgi_get(path: str) -> tuple[int, dict[str, str], bytes]:
    """GET `path` through Django's real ASGI handler, as uvicorn would call it."""
    application = get_asgi_application()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    messages = []
    requested = False

    async def receive():
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.sleep(3600)  # the client stays connected until the response ends

    async def send(message):
        messages.append(message)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        async_to_sync(application)(scope, receive, send)
    start = next(m for m in messages if m["type"] == "http.response.start")
    headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return start["status"], headers, body


def test_static_file_is_sent_whole(settings):
    status, headers, body = asgi_get("/static/css/site.css")
    assert status == 200
    assert headers["content-type"].startswith("text/css")
    assert b"--brand" in body
    assert int(headers["content-length"]) == len(body)


def test_position_paper_pdf_is_sent_whole(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    paper = PositionPaperFactory(visibility="public")
    pdf = real_pdf()  # with a fresh document id each time
    paper.pdf.save("standpunt.pdf", ContentFile(pdf))
    status, headers, body = asgi_get(reverse("faq:paper_pdf", args=[paper.slug]))
    assert status == 200
    assert headers["content-type"] == "application/pdf"
    assert body == pdf
