"""One voice on every page of every role (issue #16): anonymous, a member, an ambassador and
a board member (both with a second factor) open every page they may (tests/every_page.py,
built on the authorisation matrix's URL list) in Dutch and in English. Dutch pages say "u",
never je/jij/jouw/jullie, and carry no English left untranslated; English pages carry no
Dutch. Account pages after a form was posted, and every email, are in tests/test_voice.py.
"""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from tests.every_page import PAGE_ROLES, every_page
from tests.security.test_authorisation_matrix import world  # noqa: F401 - a fixture
from tests.test_voice import VisibleText

pytestmark = pytest.mark.django_db

INFORMAL = re.compile(r"\b(je|jij|jouw|jullie)\b", re.IGNORECASE)
# English that has no place on a Dutch page (none of these is also a Dutch word).
ENGLISH = re.compile(
    r"\b(the|your|you|please|sign in|and|with|this|have|for|not|password|email|"
    r"recovery|security|cancel|confirm|remove|add|ballots?|votes?|voted|voting|results?|"
    r"submit|save|search|question|answer|turnout|closed|draft|members?|board|approve|"
    r"approved|rejected|proxy|back|next|previous|download|show|hide|none|yes|"
    r"choice|choices|weight|region|close|opens|closes|ranked|round|elected|"
    r"attendance|present|receipt|check|edit|delete|new|settings|help)\b",
    re.IGNORECASE,
)
# Dutch that has no place on an English page (none of these is also an English word).
DUTCH = re.compile(
    r"\b(het|een|uw|niet|wordt|heeft|inloggen|uitloggen|wachtwoord|beste|goedendag|"
    r"inlogcode|stemming|stemmingen|stemmen|stem|uitslag|opslaan|keuze|keuzes|verder|"
    r"terug|bevestigen|voorstel|aangenomen|verworpen|opkomst|volmacht|volmachten|"
    r"gesloten|vastgesteld|bestuur|vraag|vragen|zoeken|leden|lid|kiezers?|aanwezig|"
    r"ontvangstcode|goedkeuren|ronde|gekozen|geen|nog|ook|naar|voor|tegen|onthouding|"
    r"standpunt|standpunten|regio|gewicht|verdelen|bekijken|sluiten|openen|wijzigen|"
    r"verwijderen|toevoegen|ja|nee|alle|deze|dit|zijn|wordt|worden|kunt|u)\b",
    re.IGNORECASE,
)
# Words that are the same in both languages and appear on both (the language switcher names
# each language in its own words; the product's name).
SHARED = re.compile(r"\b(Nederlands|English|Ledenstem|Xorq\b[^.?<]*)", re.IGNORECASE)


def wrong_words(text: str, language: str) -> list[str]:
    text = SHARED.sub(" ", text)
    if language == "nl":
        found = INFORMAL.findall(text) + ENGLISH.findall(text)
    else:
        found = DUTCH.findall(text)
    return sorted({word.lower() for word in found})


class PageText(VisibleText):
    """The visible text (tests/test_voice.py), without code (column names, hashes) and
    without parts marked as Dutch with lang="nl": the sealed result's wording, recorded in
    Dutch by ballots.kinds and ledenstem_verify.rules (see the report on issue #16)."""

    def __init__(self, skip_dutch: bool):
        super().__init__()
        self.skip_dutch = skip_dutch
        self._skipping: list[str] = []  # the tag being skipped, once per open element

    def handle_starttag(self, tag, attrs):
        if self._skipping:
            if tag == self._skipping[0]:
                self._skipping.append(tag)
            return
        if tag in ("code", "kbd", "samp") or (self.skip_dutch and dict(attrs).get("lang") == "nl"):
            self._skipping.append(tag)
            return
        super().handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if self._skipping:
            if tag == self._skipping[0]:
                self._skipping.pop()
            return
        super().handle_endtag(tag)

    def handle_data(self, data):
        if not self._skipping:
            super().handle_data(data)


def page_text(html: str, language: str) -> str:
    parser = PageText(skip_dutch=language == "en")
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def in_context(text: str, words: list[str]) -> list[str]:
    return [
        f"{m.group(0)}: ...{text[max(0, m.start() - 40) : m.end() + 40]}..."
        for word in words
        for m in re.finditer(rf"\b{re.escape(word)}\b", text, re.IGNORECASE)
    ][:4]


def _client(role: str, people, language: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(people[role])
    if language == "en":
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def pages(world):  # noqa: F811
    yield world[0], every_page(world)
    translation.deactivate()


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("role", PAGE_ROLES)
def test_every_page_speaks_with_one_voice(pages, role, language):
    people, every = pages
    client = _client(role, people, language)
    wrong, seen = {}, 0
    for what, path in every[role]:
        response = client.get(path)
        assert response.status_code == 200, (role, what, path, response.status_code)
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        seen += 1
        text = page_text(response.content.decode(), language)
        if words := wrong_words(text, language):
            wrong[f"{what} {path}"] = in_context(SHARED.sub(" ", text), words)
    assert seen >= (10 if role == "anonymous" else 25), seen
    assert wrong == {}, "\n".join(f"{k}: {v}" for k, v in wrong.items())


@pytest.mark.parametrize("language", ["nl", "en"])
def test_error_pages_speak_with_one_voice(pages, language):
    people, _every = pages
    client = _client("member", people, language)
    wrong = {}
    for path, status in (("/bestuur/", 403), ("/bestaat-niet/", 404)):
        response = client.get(path)
        assert response.status_code == status
        text = page_text(response.content.decode(), language)
        if words := wrong_words(text, language):
            wrong[path] = in_context(text, words)
    assert wrong == {}, wrong


def _posted_pages(people, every) -> list[tuple[str, str, str, dict]]:
    """(role, what, path, data): the pages a form shows after it was posted."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from ballots.models import Ballot

    def path_of(role, what):
        return next(path for name, path in every[role] if name == what)

    split = Ballot.objects.get(pk=path_of("ambassador", "split vote form").split("/")[2])
    first, second = split.choices.order_by("order")[:2]
    proposal = Ballot.objects.get(pk=path_of("member", "proposal ballot").split("/")[2])
    region = people["member"].membership.region
    csv = (
        "membership_number,name,email,region,role,weight\n"
        f"M-99001,Xorq Q,xorq.q@example.nl,{region.code},member,\n"
        f"M-99002,Xorq R,xorq-adres,{region.code},member,\n"
    ).encode()
    return [
        (
            "member",
            "review step",
            reverse("ballots:vote", args=[proposal.pk]),
            {"step": "review", "choice": proposal.choices.order_by("order").first().pk},
        ),
        (
            "ambassador",
            "split with a wrong sum",
            reverse("ballots:vote", args=[split.pk]),
            {"step": "review", f"part_{first.pk}": "200", f"part_{second.pk}": "150"},
        ),
        ("member", "ask without a question", reverse("faq:ask"), {"text": ""}),
        (
            "board",
            "register import preview",
            reverse("members:register_import"),
            {"file": SimpleUploadedFile("xorq.csv", csv, content_type="text/csv")},
        ),
    ]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_forms_after_posting_speak_with_one_voice(pages, language):
    people, every = pages
    wrong = {}
    for role, what, path, data in _posted_pages(people, every):
        response = _client(role, people, language).post(path, data, follow=True)
        assert response.status_code in (200, 400), (what, response.status_code)  # 400: errors
        text = page_text(response.content.decode(), language)
        if words := wrong_words(text, language):
            wrong[what] = in_context(SHARED.sub(" ", text), words)
    assert wrong == {}, "\n".join(f"{k}: {v}" for k, v in wrong.items())
