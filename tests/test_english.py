"""English as the second language: the switcher works and the catalogue is complete.

The interface is written in Dutch; locale/en/LC_MESSAGES/django.po carries the English. These
tests check that a visitor who picks English gets it, that Dutch stays the default, and that
the catalogue has no untranslated or fuzzy entries and is compiled.
"""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO_FILE = CATALOGUE / "django.po"
MO_FILE = CATALOGUE / "django.mo"


@pytest.fixture(autouse=True)
def _back_to_default_language():
    # The language middleware activates the chosen language in this thread; leave no English
    # behind for the tests that run after these.
    yield
    translation.deactivate()


@pytest.fixture
def english_client(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.url == "/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    return client


def test_dutch_is_the_default(client):
    html = client.get("/").content.decode()
    assert '<html lang="nl">' in html
    assert "Open stemmingen" in html
    assert "Open ballots" not in html


def test_home_page_in_english(english_client):
    response = english_client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "en"
    assert '<html lang="en">' in html
    assert "Welcome to Ledenstem" in html
    assert "Open ballots" in html
    assert "Log in to see the ballots." in html  # issue #16, item 5: not "no open ballots"
    assert "Skip to content" in html
    assert "Position papers" in html
    assert "Sign in" in html
    for dutch in ["Open stemmingen", "Welkom bij Ledenstem", "Naar de inhoud", "Inloggen"]:
        assert dutch not in html


def test_faq_page_in_english(english_client):
    html = english_client.get("/faq/").content.decode()
    assert '<html lang="en">' in html
    assert "Frequently asked questions about the IZA" in html
    assert "Search the FAQ and position papers" in html
    assert "No questions have been published yet." in html
    for dutch in ["Veelgestelde vragen", "Zoeken in FAQ", "Er zijn nog geen vragen gepubliceerd"]:
        assert dutch not in html


def test_login_page_in_english(english_client):
    html = english_client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in html
    # The project's own strings (in allauth's words: "sign in", "sign-in code") ...
    assert "<h1>Sign in</h1>" in html
    assert "Send me a sign-in code" in html
    assert "Forgotten your password, or not set one yet" in html
    # ... and allauth's, from its own catalogue.
    assert "Password" in html
    for dutch in ["Inloggen", "Stuur mij een inlogcode", "Wachtwoord"]:
        assert dutch not in html


def test_switching_back_to_dutch(english_client):
    english_client.post(reverse("set_language"), {"language": "nl", "next": "/"})
    html = english_client.get("/").content.decode()
    assert '<html lang="nl">' in html
    assert "Open stemmingen" in html


# --- The catalogue ------------------------------------------------------------------------


def parse_po(path: Path) -> list[dict]:
    """The entries of a .po file: each a dict with "flags" and the msgid/msgstr fields."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8").strip()):
        entry: dict = {"flags": set()}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                entry[key] += ast.literal_eval(line)
            else:
                key, value = line.split(" ", 1)
                entry[key] = ast.literal_eval(value)
        if "msgid" in entry:
            entries.append(entry)
    return entries


def messages() -> list[dict]:
    return [entry for entry in parse_po(PO_FILE) if entry["msgid"]]


def msgstrs(entry: dict) -> list[str]:
    return [value for key, value in entry.items() if key.startswith("msgstr")]


def placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\(\w+\)[sd]", text))


def test_catalogue_has_messages():
    assert len(messages()) > 100


def test_catalogue_has_no_empty_translation():
    empty = [entry["msgid"] for entry in messages() if not all(msgstrs(entry))]
    assert empty == []


def test_catalogue_has_no_fuzzy_entry():
    fuzzy = [entry["msgid"] for entry in parse_po(PO_FILE) if "fuzzy" in entry["flags"]]
    assert fuzzy == []


def test_translations_keep_their_placeholders():
    wrong = []
    for entry in messages():
        expected = placeholders(entry["msgid"])
        for value in msgstrs(entry):
            # A singular form may spell out the count instead of using it.
            if placeholders(value) != expected and not (
                "msgid_plural" in entry and set(placeholders(value)) <= set(expected)
            ):
                wrong.append((entry["msgid"], value))
    assert wrong == []


def test_compiled_catalogue_matches_the_po_file():
    with MO_FILE.open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = []
    for entry in messages():
        if "msgid_plural" in entry:
            got = [compiled.ngettext(entry["msgid"], entry["msgid_plural"], n) for n in (1, 2)]
            want = [entry["msgstr[0]"], entry["msgstr[1]"]]
        else:
            got, want = compiled.gettext(entry["msgid"]), entry["msgstr"]
        if got != want:
            stale.append(entry["msgid"])
    assert stale == [], "run: manage.py compilemessages -l en"


def python_msgids() -> set[str]:
    """Every string the project's Python code marks for translation with _("...")."""
    found = set()
    root = Path(settings.BASE_DIR)
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).parts
        if parts[0] in {".venv", "tests", "node_modules", "var"} or "migrations" in parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", "") in {"_", "gettext", "gettext_lazy"}
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return found


def test_every_message_the_code_marks_is_in_the_catalogue():
    """A message marked in the code but never extracted stays Dutch on English pages: the
    ballot services' refusals did ("U heeft in de zaal gestemd" to an English voter)."""
    translated = {entry["msgid"] for entry in messages() if all(msgstrs(entry))}
    assert sorted(python_msgids() - translated) == []


def test_a_refusal_of_the_ballot_service_reaches_an_english_voter_in_english(english_client):
    from ballots import services
    from tests.factories import choice, member, open_ballot

    voter = member()
    ballot = open_ballot()
    services.close_ballot(ballot, notify=False)
    english_client.force_login(voter)
    page = english_client.post(
        reverse("ballots:vote", args=[ballot.pk]),
        {"step": "cast", "choice": choice(ballot, "Voor").pk},
        follow=True,
    ).content.decode()
    dutch = "De stemming is gesloten; uw stem is niet meegeteld."
    with translation.override("en"):
        english = translation.gettext(dutch)
    assert english != dutch
    assert english in page and dutch not in page
