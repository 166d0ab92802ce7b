"""Position paper PDFs are served by a view that checks who may see the paper (they were
linked as /media/ files, which production does not serve at all, and which would have
bypassed the members-only rule)."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from tests.factories import PositionPaperFactory, member
from tests.faq.test_validators import real_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def paper(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    paper = PositionPaperFactory(visibility="members")
    paper.pdf.save("standpunt.pdf", ContentFile(real_pdf()))
    return paper


def test_members_only_pdf_is_refused_to_anonymous_and_served_to_members(client, paper):
    url = reverse("faq:paper_pdf", args=[paper.slug])
    assert client.get(url).status_code == 404
    client.force_login(member())
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    # Whole bytes, not a stream: see test_downloads_under_asgi.py.
    assert not response.streaming and response.content.startswith(b"%PDF-")
    page = client.get(reverse("faq:paper", args=[paper.slug])).content.decode()
    assert f'href="{url}"' in page and "/media/" not in page


def test_behind_nginx_the_file_is_sent_by_the_proxy_after_the_check(client, paper, settings):
    settings.MEDIA_ACCEL_REDIRECT = "/_protected/media/"
    client.force_login(member())
    response = client.get(reverse("faq:paper_pdf", args=[paper.slug]))
    assert response["X-Accel-Redirect"] == f"/_protected/media/{paper.pdf.name}"
    assert response.content == b""


def test_paper_without_pdf_has_none(client):
    paper = PositionPaperFactory(visibility="public")
    assert client.get(reverse("faq:paper_pdf", args=[paper.slug])).status_code == 404
