"""The board's ballot workspace (issue #14, item 1): who may use it, the draft form and its
rules, duplicate, delete, preview as a voter, links and the Markdown preview."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from ballots import definitions, services
from ballots.models import Ballot, BallotStatus
from tests.factories import (
    BallotFactory,
    PositionPaperFactory,
    QuestionFactory,
    RegionFactory,
    add_totp,
    ambassador,
    board_member,
    member,
)

pytestmark = pytest.mark.django_db
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def board(client):
    user = board_member()
    add_totp(user)
    client.force_login(user)
    return user


def _local(moment: datetime.datetime) -> str:
    return moment.astimezone(AMSTERDAM).strftime("%Y-%m-%dT%H:%M")


def _post_data(**overrides) -> dict:
    opens = timezone.now() + datetime.timedelta(days=2)
    data = {
        "save": "1",
        "question": "Stemt u in met de begroting?",
        "description": "**Belangrijk**",
        "kind": "proposal",
        "electorate": "members",
        "secrecy": "secret",
        "result_visibility": "closed",
        "majority": "simple",
        "base": "valid",
        "quorum_percent": "",
        "max_proxies_held": "1",
        "opens_at": _local(opens),
        "closes_at": _local(opens + datetime.timedelta(days=3)),
        "options-TOTAL_FORMS": "3",
        "options-INITIAL_FORMS": "3",
        "options-MIN_NUM_FORMS": "0",
        "options-MAX_NUM_FORMS": "50",
        "options-0-label": "Voor",
        "options-0-role": "for",
        "options-1-label": "Tegen",
        "options-1-role": "against",
        "options-2-label": "Onthouding",
        "options-2-role": "abstain",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize("make", [member, ambassador])
def test_members_and_ambassadors_get_no_workspace(client, make):
    user = make()
    add_totp(user)
    client.force_login(user)
    draft = BallotFactory()
    for name, args in [
        ("ballots:workspace", []),
        ("ballots:workspace_new", []),
        ("ballots:workspace_templates", []),
        ("ballots:workspace_edit", [draft.pk]),
        ("ballots:workspace_preview", [draft.pk]),
        ("ballots:workspace_delete", [draft.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 403, name
    assert client.post(reverse("ballots:workspace_new"), _post_data()).status_code == 403
    assert client.post(reverse("ballots:workspace_duplicate", args=[draft.pk])).status_code == 403
    assert (
        client.post(
            reverse("ballots:workspace_delete", args=[draft.pk]), {"confirm": "yes"}
        ).status_code
        == 403
    )
    assert Ballot.objects.count() == 1


def test_board_page_links_to_the_workspace(client, board):
    page = client.get(reverse("members:board")).content.decode()
    assert reverse("ballots:workspace") in page


def test_workspace_lists_ballots_by_status_with_electorate_and_turnout(client, board):
    region = RegionFactory()
    voters = [member(region=region) for _ in range(4)]
    draft = BallotFactory(question="Concept-vraag")
    opened = BallotFactory(question="Open vraag")
    opened.regions.set([region])
    services.open_ballot(opened, notify=False)
    services.cast_vote(
        ballot_id=opened.pk, user=voters[0], choice=opened.choices.get(label="Voor").pk
    )
    page = client.get(reverse("ballots:workspace")).content.decode()
    for heading in ("Concept", "Gepland", "Open", "Gesloten", "Vastgesteld"):
        assert heading in page
    assert reverse("ballots:workspace_edit", args=[draft.pk]) in page
    assert "Opkomst: 1 van 4 kiezers (25%)" in page
    assert reverse("ballots:manage", args=[opened.pk]) in page


def test_board_creates_a_draft_with_the_form(client, board):
    region = RegionFactory()
    question = QuestionFactory()
    paper = PositionPaperFactory()
    data = _post_data(
        regions=[str(region.pk)], questions=[str(question.pk)], papers=[str(paper.pk)]
    )
    response = client.post(reverse("ballots:workspace_new"), data)
    ballot = Ballot.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("ballots:workspace_edit", args=[ballot.pk])
    assert ballot.status == BallotStatus.DRAFT and ballot.created_by == board
    assert [c.label for c in ballot.choices.order_by("order")] == ["Voor", "Tegen", "Onthouding"]
    assert list(ballot.regions.all()) == [region]
    assert list(ballot.read_first_questions.all()) == [question]
    assert list(ballot.read_first_papers.all()) == [paper]
    # The time typed is Amsterdam time.
    assert _local(ballot.opens_at) == data["opens_at"]


def test_new_form_starts_with_voor_tegen_onthouding(client, board):
    page = client.get(reverse("ballots:workspace_new")).content.decode()
    for label in ("Voor", "Tegen", "Onthouding"):
        assert f'value="{label}"' in page
    assert 'type="datetime-local"' in page


def test_rows_are_added_removed_and_moved_without_saving(client, board):
    url = reverse("ballots:workspace_new")
    data = _post_data()
    del data["save"]
    page = client.post(url, data | {"add_option": "1"})
    assert page.context["formset"].total_form_count() == 4
    page = client.post(url, data | {"remove_option": "2"})
    assert [f.initial["label"] for f in page.context["formset"]] == ["Voor", "Tegen"]
    page = client.post(url, data | {"move_up": "1"})
    assert [f.initial["label"] for f in page.context["formset"]] == ["Tegen", "Voor", "Onthouding"]
    assert Ballot.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"electorate": "ambassadors", "secrecy": "secret"}, "secrecy", "altijd hoofdelijk"),
        ({"result_visibility": "everyone"}, "result_visibility", "niemand tot de sluiting"),
        ({"vote_change_allowed": "on"}, "vote_change_allowed", "hoofdelijke stemming"),
        ({"vote_splitting": "on", "secrecy": "named"}, "vote_splitting", "ambassadeurs"),
        ({"options-1-role": "for"}, None, "ten minste één keuze"),
        ({"options-1-label": "voor"}, None, "eigen tekst"),
        ({"closes_at": "2020-01-01T10:00"}, "closes_at", "verleden"),
        ({"opens_at": "2020-01-01T10:00"}, "opens_at", "verleden"),
        ({"question": ""}, "question", "Vul de vraag in"),
    ],
)
def test_invalid_drafts_are_refused_in_dutch(client, board, overrides, field, words):
    response = client.post(reverse("ballots:workspace_new"), _post_data(**overrides))
    assert response.status_code == 200
    assert Ballot.objects.count() == 0
    page = response.content.decode()
    assert "Het concept is niet opgeslagen" in page and words in page
    if field:
        assert field in response.context["form"].errors


def test_closing_must_follow_opening(client, board):
    opens = timezone.now() + datetime.timedelta(days=5)
    data = _post_data(opens_at=_local(opens), closes_at=_local(opens - datetime.timedelta(hours=1)))
    response = client.post(reverse("ballots:workspace_new"), data)
    assert "sluiten na de opening" in response.content.decode()
    assert Ballot.objects.count() == 0


def test_board_edits_a_draft_but_not_an_opened_ballot(client, board):
    draft = BallotFactory(opens_at=timezone.now() + datetime.timedelta(days=1))
    url = reverse("ballots:workspace_edit", args=[draft.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, _post_data(question="Nieuwe vraag")).status_code == 302
    draft.refresh_from_db()
    assert draft.question == "Nieuwe vraag"
    opened = BallotFactory(question="Open")
    services.open_ballot(opened, notify=False)
    url = reverse("ballots:workspace_edit", args=[opened.pk])
    assert client.get(url)["Location"] == reverse("ballots:manage", args=[opened.pk])
    client.post(url, _post_data(question="Gekaapt"))
    opened.refresh_from_db()
    assert opened.question == "Open"


def test_delete_a_draft_after_confirmation(client, board):
    draft = BallotFactory()
    url = reverse("ballots:workspace_delete", args=[draft.pk])
    assert "Weet u zeker" in client.get(url).content.decode()
    client.post(url, {"confirm": "yes"})
    assert not Ballot.objects.filter(pk=draft.pk).exists()


@pytest.mark.parametrize("state", ["scheduled", "open", "closed"])
def test_delete_is_refused_once_a_ballot_left_draft_also_over_a_crafted_post(client, board, state):
    ballot = BallotFactory(opens_at=timezone.now() + datetime.timedelta(hours=1))
    if state == "scheduled":
        services.schedule_ballot(ballot)
    else:
        member()
        services.open_ballot(ballot, notify=False)
        if state == "closed":
            services.close_ballot(ballot)
    url = reverse("ballots:workspace_delete", args=[ballot.pk])
    assert client.get(url).status_code == 302
    response = client.post(url, {"confirm": "yes"}, follow=True)
    assert Ballot.objects.filter(pk=ballot.pk).exists()
    assert "Alleen een concept kan verwijderd worden" in response.content.decode()


def test_a_draft_that_was_ever_opened_is_never_deleted(board):
    from ballots import drafts
    from ballots.errors import NotEditable

    ballot = BallotFactory()
    member()
    services.open_ballot(ballot, notify=False)
    Ballot.objects.filter(pk=ballot.pk).update(status=BallotStatus.DRAFT)  # a tampered row
    with pytest.raises(NotEditable):
        drafts.delete_draft(ballot)
    assert Ballot.objects.filter(pk=ballot.pk).exists()


def test_duplicate_any_ballot_as_a_new_draft_without_past_dates(client, board):
    original = BallotFactory(question="Tekenen?", proxies_allowed=True)
    original.read_first_questions.set([QuestionFactory()])
    member()
    services.open_ballot(original, notify=False)
    response = client.post(reverse("ballots:workspace_duplicate", args=[original.pk]))
    copy = Ballot.objects.exclude(pk=original.pk).get()
    assert response["Location"] == reverse("ballots:workspace_edit", args=[copy.pk])
    assert copy.status == BallotStatus.DRAFT and copy.created_by == board
    assert definitions.to_dict(copy) == definitions.to_dict(original)
    assert copy.opens_at > timezone.now() and copy.closes_at > copy.opens_at
    assert not copy.electors.exists()


def test_preview_shows_the_real_vote_form_that_cannot_submit(client, board):
    draft = BallotFactory(question="Voorbeeldvraag?", description="*Lees dit*")
    page = client.get(reverse("ballots:workspace_preview", args=[draft.pk])).content.decode()
    assert "Voorbeeldvraag?" in page and "<em>Lees dit</em>" in page
    assert "Voorbeeld: zo ziet een kiezer" in page
    for label in ("Voor", "Tegen", "Onthouding"):
        assert f">{label}</label>" in page
    assert "disabled>Verder naar bevestigen" in page.replace('" disabled', " disabled")
    assert "Beheer deze stemming" not in page  # a voter has no board links
    draft.refresh_from_db()
    assert draft.status == BallotStatus.DRAFT
    # Posting the previewed form anyway: a draft takes no votes.
    vote = client.post(reverse("ballots:vote", args=[draft.pk]), {"choice": "1", "step": "review"})
    assert vote.status_code == 404


def test_link_search_returns_only_published_items(client, board):
    QuestionFactory(question="Wat betekent het akkoord voor praktijkhouders?")
    QuestionFactory(question="Wat betekent het akkoord voor waarnemers?", status="draft")
    PositionPaperFactory(title="Akkoord: ons standpunt")
    PositionPaperFactory(title="Akkoord: concepttekst", status="draft")
    page = client.get(reverse("ballots:workspace_links"), {"link_query": "akkoord"})
    text = page.content.decode()
    assert "praktijkhouders" in text and "ons standpunt" in text
    assert "waarnemers" not in text and "concepttekst" not in text
    assert 'name="questions"' in text and 'name="papers"' in text


def test_markdown_preview_is_sanitised(client, board):
    response = client.post(
        reverse("ballots:workspace_markdown"),
        {"description": "**vet** <script>alert(1)</script> [x](javascript:alert(1))"},
    )
    html = response.content.decode()
    assert "<strong>vet</strong>" in html and "<script" not in html and "javascript:" not in html


def test_new_from_template(client, board):
    page = client.get(reverse("ballots:workspace_templates")).content.decode()
    assert "Tekent de vereniging het akkoord?" in page
    response = client.post(
        reverse("ballots:workspace_templates"), {"template": "ambassadeurs-akkoord-tekenen"}
    )
    ballot = Ballot.objects.get()
    assert response["Location"] == reverse("ballots:workspace_edit", args=[ballot.pk])
    assert ballot.electorate == "ambassadors" and ballot.secrecy == "named"
    assert (
        client.post(
            reverse("ballots:workspace_templates"), {"template": "../../config/settings"}
        ).status_code
        == 404
    )


def test_board_creates_a_motion_and_its_amendment_in_the_workspace(client, board):
    """Issue #14 item 4 from the board's own screens: a motion with its text, then an
    amendment that replaces a passage of it."""
    url = reverse("ballots:workspace_new")
    client.post(
        url,
        _post_data(
            question="Motie: tekenen onder voorwaarden",
            setting_motion_text="De vereniging tekent het akkoord.",
        ),
    )
    motion = Ballot.objects.get(question="Motie: tekenen onder voorwaarden")
    assert motion.motion_text == "De vereniging tekent het akkoord."
    client.post(
        url,
        _post_data(
            question="Amendement: alleen met afspraken",
            amends=str(motion.pk),
            setting_amendment_find="tekent het akkoord",
            setting_amendment_replace="tekent het akkoord alleen met afspraken over de ANW",
        ),
    )
    amendment = Ballot.objects.get(question="Amendement: alleen met afspraken")
    assert amendment.amends == motion
    assert amendment.amendment_find == "tekent het akkoord"
    assert list(motion.amendments.all()) == [amendment]


@pytest.mark.parametrize(
    ("kind", "settings", "shape"),
    [
        ("single", {"setting_runoff": "on"}, "one"),
        ("approval", {"setting_max_choices": "2", "setting_seats": "1"}, "many"),
        ("ranked", {}, "order"),
        ("election", {"setting_seats": "2", "setting_ranked_election": "on"}, "order"),
    ],
)
def test_board_creates_every_kind_with_the_form(client, board, kind, settings, shape):
    from ballots.models import OPTION

    data = _post_data(question=f"Een {kind}-stemming", kind=kind, **settings)
    for n, label in enumerate(["Ans", "Bert", "Cor"]):
        data[f"options-{n}-label"] = label
        data[f"options-{n}-statement"] = f"Toelichting {label}" if kind == "election" else ""
    response = client.post(reverse("ballots:workspace_new"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    ballot = Ballot.objects.get(question=f"Een {kind}-stemming")
    assert ballot.kind == kind and ballot.input_shape == shape
    assert set(ballot.choices.values_list("role", flat=True)) == {OPTION}
    if kind == "election":
        assert ballot.seats == 2 and ballot.choices.get(label="Ans").statement == "Toelichting Ans"
