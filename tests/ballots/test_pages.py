"""Member and board pages of a ballot, through the real views."""

import json
import re

import pytest
from django.core import mail
from django.urls import reverse

from ballots import services
from ballots.models import BallotStatus, Elector, Participation
from tests.factories import (
    BallotFactory,
    MandateFactory,
    RegionFactory,
    add_totp,
    board_member,
    choice,
    member,
    open_ballot,
)

pytestmark = pytest.mark.django_db


def board_client(client):
    board = board_member()
    add_totp(board)
    client.force_login(board)
    return client


def vote_via_pages(client, ballot, label):
    url = reverse("ballots:vote", args=[ballot.pk])
    chosen = str(choice(ballot, label).pk)
    review = client.post(url, {"step": "review", "choice": chosen})
    assert review.status_code == 200 and label in review.content.decode()
    assert Participation.objects.filter(ballot=ballot).count() == 0  # not yet cast
    cast = client.post(url, {"step": "cast", "choice": chosen})
    assert cast.status_code == 200 and "no-store" in cast["Cache-Control"]
    return re.search(r'id="receipt-code">([A-Z0-9-]{19})<', cast.content.decode()).group(1)


def test_member_votes_with_confirmation_and_checks_receipt_after_closing(client, region):
    anna = member(region=region)
    ballot = open_ballot()
    client.force_login(anna)
    page = client.get(ballot.get_absolute_url()).content.decode()
    assert "Verder naar bevestigen" in page
    code = vote_via_pages(client, ballot, "Voor")
    assert "U heeft gestemd" in client.get(ballot.get_absolute_url()).content.decode()
    check = reverse("ballots:check_receipt", args=[ballot.pk])
    assert "na de sluiting" in client.get(check).content.decode()
    services.close_ballot(ballot)
    assert "Uw stem is meegeteld" in client.post(check, {"code": code.lower()}).content.decode()
    assert "komt niet voor" in client.post(check, {"code": "AAAA-BBBB-CCCC-DDDD"}).content.decode()
    results = client.get(reverse("ballots:results", args=[ballot.pk])).content.decode()
    assert "Aangenomen" in results


def test_second_vote_through_the_page_is_refused_with_a_message(client, region):
    anna = member(region=region)
    ballot = open_ballot()
    client.force_login(anna)
    vote_via_pages(client, ballot, "Voor")
    response = client.post(
        reverse("ballots:vote", args=[ballot.pk]),
        {"step": "cast", "choice": choice(ballot, "Tegen").pk},
        follow=True,
    )
    assert "telt maar één keer" in response.content.decode()
    assert Participation.objects.filter(ballot=ballot).count() == 1


def test_tally_hidden_while_open_unless_allowed(client, region):
    voters = [member(region=region) for _ in range(2)]
    hidden = open_ballot(result_visibility="closed")
    shown = open_ballot(result_visibility="everyone", secrecy="named")
    secret = open_ballot()  # secret: never a tally before closing (issue #12)
    for ballot in (hidden, shown, secret):
        services.cast_vote(ballot_id=ballot.pk, user=voters[0], choice=choice(ballot, "Voor").pk)
    client.force_login(voters[1])
    page = {
        b: client.get(reverse("ballots:results", args=[b.pk])).content.decode()
        for b in (hidden, shown, secret)
    }
    assert "na de sluiting" in page[hidden]
    assert '<th scope="row">Voor</th><td class="num">1</td>' in page[shown]
    assert '<th scope="row">Voor</th>' not in page[secret]
    assert "er is geen tussenstand" in page[secret]


def test_member_cannot_manage_or_export(client, region):
    member_user = member(region=region)
    ballot = BallotFactory()
    client.force_login(member_user)
    for name, kwargs in [
        ("ballots:manage", {}),
        ("ballots:lifecycle", {"action": "open"}),
        ("ballots:download", {"fmt": "json"}),
    ]:
        assert client.get(reverse(name, kwargs={"pk": ballot.pk, **kwargs})).status_code == 403
    assert (
        client.post(
            reverse("ballots:lifecycle", args=[ballot.pk, "open"]), {"confirm": "yes"}
        ).status_code
        == 403
    )
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.DRAFT


def test_board_opens_after_confirmation_and_electors_get_email(
    client, region, django_capture_on_commit_callbacks
):
    voters = [member(region=region) for _ in range(3)]
    ballot = BallotFactory()
    client = board_client(client)
    manage = client.get(reverse("ballots:manage", args=[ballot.pk])).content.decode()
    assert "Electoraat bij openen" in manage and "Utrecht" in manage
    url = reverse("ballots:lifecycle", args=[ballot.pk, "open"])
    assert "Bij het openen" in client.get(url).content.decode()
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.DRAFT  # GET only asks
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"confirm": "yes"})
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.OPEN
    electors = Elector.objects.filter(ballot=ballot).values_list("user__email", flat=True)
    assert {v.email for v in voters} <= set(electors)  # the board member is a member too
    assert sorted(m.to[0] for m in mail.outbox) == sorted(electors)
    assert all(ballot.get_absolute_url() in m.body and m.alternatives for m in mail.outbox)


def test_export_json_totals_equal_a_recount_and_rules(client, region):
    zeeland = RegionFactory(code="zeeland", name="Zeeland")
    utrecht_amb = MandateFactory(region=region, weight=300).user
    zeeland_amb = MandateFactory(region=zeeland, weight=200).user
    ballot = open_ballot(electorate="ambassadors", secrecy="named", majority="absolute")
    services.cast_vote(ballot_id=ballot.pk, user=utrecht_amb, choice=choice(ballot, "Voor").pk)
    services.cast_vote(ballot_id=ballot.pk, user=zeeland_amb, choice=choice(ballot, "Tegen").pk)
    services.close_ballot(ballot)
    client = board_client(client)
    data = json.loads(client.get(reverse("ballots:download", args=[ballot.pk, "json"])).content)
    assert {c["label"]: c["weight"] for c in data["choices"]} == {
        "Voor": 300,
        "Tegen": 200,
        "Onthouding": 0,
    }
    assert data["electorate"] == {"count": 2, "weight": 500}
    assert data["turnout"] == {"count": 2, "weight": 500}
    assert data["outcome"]["result"] == "adopted"
    # The same numbers from a direct recount of the vote table, and the same outcome from the
    # pure rules.
    from django.db.models import Sum

    from ballots.models import Vote
    from ledenstem_verify.rules import Rules, Totals, decide

    direct = dict(
        Vote.objects.filter(ballot=ballot, withdrawn=False)
        .values_list("choice__label")
        .annotate(total=Sum("weight"))
    )
    assert {c["label"]: c["weight"] for c in data["choices"] if c["weight"]} == direct
    decided = decide(
        Totals(direct.get("Voor", 0), direct.get("Tegen", 0), 0, 500),
        Rules(majority="absolute", base="valid"),
    )
    assert data["outcome"] == {"result": decided.result, "explanation": decided.explanation}
    assert {r["region"]: r["choice"] for r in data["roll_call"]} == {
        "Utrecht": "Voor",
        "Zeeland": "Tegen",
    }
    assert data["ledger_head"] == ballot.ledger.order_by("-seq").first().hash
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse("ballots:download", args=[ballot.pk, fmt]))
        assert response.status_code == 200 and len(response.content) > 100


def test_ambassador_sees_region_consultation_result(client, region):
    voters = [member(region=region) for _ in range(6)]
    ambassador = MandateFactory(region=region, weight=7).user
    add_totp(ambassador)
    assembly = open_ballot(electorate="ambassadors", secrecy="named")
    consultation = open_ballot(advises=assembly, secrecy="named")
    for n, voter in enumerate(voters):
        services.cast_vote(
            ballot_id=consultation.pk,
            user=voter,
            choice=choice(consultation, "Voor" if n < 4 else "Tegen").pk,
        )
    services.close_ballot(consultation)
    client.force_login(ambassador)
    page = client.get(assembly.get_absolute_url()).content.decode()
    # Issue #16, item 4: the region is named and the shares are shown, with their base.
    assert "Advies van de leden in regio Utrecht" in page
    assert '<th scope="row">Voor</th><td class="num">4</td>' in page
    assert "66,7%" in page and "33,3%" in page


def test_secret_consultation_shows_the_ambassador_only_their_reporting_group(
    client, region, settings
):
    """Issue #12: a secret consultation has no result per region; the ambassador sees the
    group their region belongs to, or why there is none."""
    settings.REPORTING_GROUP_MINIMUM = 3
    small = RegionFactory(name="Aa-kleinste")
    other = RegionFactory(name="Zz-groot")
    voters = [member(region=region) for _ in range(2)] + [member(region=small)]
    voters += [member(region=other) for _ in range(3)]
    ambassador = MandateFactory(region=small, weight=7).user
    add_totp(ambassador)
    assembly = open_ballot(electorate="ambassadors", secrecy="named")
    consultation = open_ballot(advises=assembly)
    group_names = sorted(consultation.reporting_groups.values_list("name", flat=True))
    assert len(group_names) == 2 and any(small.name in name for name in group_names)
    for voter in [*voters, ambassador]:
        services.cast_vote(
            ballot_id=consultation.pk, user=voter, choice=choice(consultation, "Voor").pk
        )
    services.close_ballot(consultation)
    client.force_login(ambassador)
    page = client.get(assembly.get_absolute_url()).content.decode()
    assert "Uw regio hoort bij" in page
    mine = next(name for name in group_names if small.name in name)
    assert f"Advies van de leden in {mine}" in page
    assert '<th scope="row">Voor</th><td class="num">4</td>' in page and "100%" in page


def test_draft_ballots_are_invisible_to_members(client, region):
    ballot = BallotFactory()
    client.force_login(member(region=region))
    assert client.get(ballot.get_absolute_url()).status_code == 404


def test_elector_of_one_region_cannot_vote_as_another(client, region):
    zeeland = RegionFactory(code="zeeland", name="Zeeland")
    utrecht_amb = MandateFactory(region=region, weight=300).user
    zeeland_elector_user = MandateFactory(region=zeeland, weight=200).user
    ballot = open_ballot(electorate="ambassadors", secrecy="named", proxies_allowed=True)
    zeeland_elector = Elector.objects.get(ballot=ballot, user=zeeland_elector_user)
    add_totp(utrecht_amb)
    client.force_login(utrecht_amb)
    response = client.post(
        reverse("ballots:vote", args=[ballot.pk]),
        {
            "step": "cast",
            "on_behalf_of": zeeland_elector.pk,
            f"p{zeeland_elector.pk}-choice": choice(ballot, "Voor").pk,
        },
        follow=True,
    )
    assert "geen geldige volmacht" in response.content.decode()
    assert Participation.objects.filter(ballot=ballot).count() == 0


def test_qr_checkin_marks_presence_only_with_a_fresh_token(client, region, settings):
    from ballots.checkin import checkin_token

    anna = member(region=region)
    ballot = open_ballot(attendance_required=True)
    board = board_client(client)
    display = board.get(reverse("ballots:checkin_display", args=[ballot.pk]))
    assert "<svg" in display.content.decode()
    client.force_login(anna)
    url = reverse("ballots:checkin", args=[ballot.pk, checkin_token(ballot.pk)])
    assert "Ik ben aanwezig" in client.get(url).content.decode()
    assert not Elector.objects.get(ballot=ballot, user=anna).present  # GET changes nothing
    client.post(url)
    assert Elector.objects.get(ballot=ballot, user=anna).present
    assert ballot.ledger.filter(kind="presence", payload__how="qr").count() == 1
    forged = reverse("ballots:checkin", args=[ballot.pk, "1:forged:token"])
    assert "verlopen of ongeldig" in client.get(forged).content.decode()


def test_expired_checkin_token_is_refused(client, region, monkeypatch):
    from ballots import checkin

    anna = member(region=region)
    ballot = open_ballot(attendance_required=True)
    token = checkin.checkin_token(ballot.pk)
    monkeypatch.setattr(checkin, "TOKEN_MAX_AGE", -1)
    client.force_login(anna)
    client.post(reverse("ballots:checkin", args=[ballot.pk, token]))
    assert not Elector.objects.get(ballot=ballot, user=anna).present


@pytest.mark.parametrize("value", ["abc", "12abc", "-1"])
def test_nonsense_proxy_field_is_refused_not_a_crash(client, region, value):
    anna = member(region=region)
    ballot = open_ballot(proxies_allowed=True)
    client.force_login(anna)
    response = client.post(
        reverse("ballots:vote", args=[ballot.pk]),
        {"step": "review", "on_behalf_of": value},
        follow=True,
    )
    assert response.status_code == 200
    assert "geen geldige volmacht" in response.content.decode()


def test_review_step_does_not_reveal_electors_without_a_proxy(client, region):
    anna, bert = member(region=region, user__full_name="Anna Geheim"), member(region=region)
    ballot = open_ballot(proxies_allowed=True, secrecy="named")
    anna_elector = Elector.objects.get(ballot=ballot, user=anna)
    client.force_login(bert)
    response = client.post(
        reverse("ballots:vote", args=[ballot.pk]),
        {
            "step": "review",
            "on_behalf_of": anna_elector.pk,
            f"p{anna_elector.pk}-choice": choice(ballot, "Voor").pk,
        },
        follow=True,
    )
    assert "Anna Geheim" not in response.content.decode()


def test_unpublished_reading_linked_to_a_ballot_stays_hidden(
    client, django_capture_on_commit_callbacks
):
    """Issue #13: a draft position paper or FAQ entry linked to a ballot ("lees eerst") showed
    its title on the ballot page. (The list may come from the FAQ page cache, which follows a
    change once it has committed.)"""
    from tests.factories import PositionPaperFactory, QuestionFactory

    viewer = member()
    ballot = open_ballot()
    shown = PositionPaperFactory(title="Gepubliceerd standpunt")
    hidden = PositionPaperFactory(title="Geheim conceptstandpunt", status="draft")
    ballot.read_first_papers.set([shown, hidden])
    ballot.read_first_questions.set([QuestionFactory(question="Conceptvraag?", status="draft")])
    client.force_login(viewer)
    html = client.get(ballot.get_absolute_url()).content.decode()
    assert "Gepubliceerd standpunt" in html
    assert "Geheim conceptstandpunt" not in html and "Conceptvraag?" not in html
    with django_capture_on_commit_callbacks(execute=True):
        ballot.read_first_papers.set([hidden])
    html = client.get(ballot.get_absolute_url()).content.decode()
    assert "Lees eerst" not in html  # nothing to read: no empty section either
