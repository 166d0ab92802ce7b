"""The meeting pages: agenda for members, console, desk (htmx), stand-ins, paper proxies."""

import pytest
from django.test import Client
from django.urls import reverse

from ballots import services
from ballots.models import BallotStatus
from meetings.models import MeetingAttendance, MeetingStatus, PaperProxy, StandIn
from tests.factories import AgendaItemFactory, RegionFactory, agenda_ballot, member

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def board(chair):
    return _client(chair)


def test_members_see_the_agenda_with_markdown_and_links(meeting):
    from tests.factories import PositionPaperFactory, QuestionFactory

    item = AgendaItemFactory(meeting=meeting, title="Het akkoord", text="Lees **dit** eerst.")
    item.questions.add(QuestionFactory(question="Wat staat er in het akkoord?"))
    item.papers.add(PositionPaperFactory(title="Standpunt van de werkgroep"))
    page = _client(member()).get(reverse("meetings:detail", args=[meeting.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<strong>dit</strong>" in html
    assert "Wat staat er in het akkoord?" in html and "Standpunt van de werkgroep" in html
    assert f'data-meeting-ws="/ws/meetings/{meeting.pk}/live/"' in html
    listing = _client(member()).get(reverse("meetings:index")).content.decode()
    assert meeting.title in listing


def test_markdown_in_an_item_is_sanitised(meeting):
    AgendaItemFactory(meeting=meeting, text='<script>alert(1)</script><a href="javascript:x">y</a>')
    html = _client(member()).get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "<script>alert" not in html and "javascript:x" not in html


def test_console_runs_the_meeting(meeting, board):
    RegionFactory()
    member()
    first = AgendaItemFactory(meeting=meeting, order=1, title="Opening")
    second = AgendaItemFactory(meeting=meeting, order=2, title="Stemming over het akkoord")
    ballot = agenda_ballot(second, question="Tekenen wij?")
    url = reverse("meetings:console", args=[meeting.pk])

    def act(action, target=""):
        response = board.post(
            reverse("meetings:chair_action", args=[meeting.pk, action]), {"target": target}
        )
        assert response.status_code == 302 and response["Location"] == url
        meeting.refresh_from_db()

    act("start")
    assert meeting.current_item == first
    assert "Volgend punt: Stemming over het akkoord" in board.get(url).content.decode()
    act("next")
    page = board.get(url).content.decode()
    assert "Stemming openen: Tekenen wij?" in page
    act("open", ballot.pk)
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.OPEN
    page = board.get(url).content.decode()
    assert "Stemming sluiten: Tekenen wij?" in page and "data-live-ws" in page
    act("end")  # refused: the ballot is open
    assert meeting.status == MeetingStatus.IN_PROGRESS
    assert "Sluit eerst de stemmingen" in board.get(url).content.decode()
    act("close", ballot.pk)
    act("end")
    assert meeting.status == MeetingStatus.ENDED


def test_chair_action_with_rubbish_changes_nothing(meeting, board):
    AgendaItemFactory(meeting=meeting)
    assert (
        board.post(reverse("meetings:chair_action", args=[meeting.pk, "explode"])).status_code
        == 404
    )
    board.post(reverse("meetings:chair_action", args=[meeting.pk, "start"]))
    response = board.post(
        reverse("meetings:chair_action", args=[meeting.pk, "goto"]), {"target": "9" * 30}
    )
    assert response.status_code == 404
    response = board.post(
        reverse("meetings:chair_action", args=[meeting.pk, "open"]), {"target": "abc"}
    )
    assert response.status_code == 302


def test_desk_search_and_check_in_without_a_reload(meeting, board, chair):
    north = RegionFactory(name="Noord")
    anna = member(region=north, user__full_name="Anna de Vries", membership_number="M-4242")
    member(region=north, user__full_name="Anneke Bos")
    desk = reverse("meetings:desk", args=[meeting.pk])
    fragment = board.get(desk, {"q": "vries"}, **HTMX)
    html = fragment.content.decode()
    assert "<html" not in html and "Anna de Vries" in html and "Anneke Bos" not in html
    response = board.post(
        reverse("meetings:desk_set", args=[meeting.pk]),
        {"person": anna.pk, "presence": "hall", "q": "vries"},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "Anna de Vries: in de zaal." in html
    assert 'aria-pressed="true" aria-label="Anna de Vries: in de zaal"' in html
    attendance = MeetingAttendance.objects.get(meeting=meeting, user=anna)
    assert (attendance.presence, attendance.changed_by) == ("hall", chair)
    counts = board.get(reverse("meetings:desk_counts", args=[meeting.pk])).content.decode()
    assert "1 aanwezig (1 in de zaal, 0 online), 2 afwezig" in counts  # the chair is a member


def test_enter_checks_in_the_only_match_by_membership_number(meeting, board):
    anna = member(membership_number="M-1234")
    member(user__full_name="Anna Twee")
    set_url = reverse("meetings:desk_set", args=[meeting.pk])
    board.post(set_url, {"first": "1", "q": "m-1234", "presence": "hall"}, **HTMX)
    assert MeetingAttendance.objects.get(meeting=meeting, user=anna).presence == "hall"
    none = board.post(set_url, {"first": "1", "q": "M-0000", "presence": "hall"}, **HTMX)
    assert "Niemand gevonden" in none.content.decode()
    assert MeetingAttendance.objects.count() == 1


def test_desk_without_javascript_renders_the_whole_page(meeting, board):
    anna = member()
    response = board.post(
        reverse("meetings:desk_set", args=[meeting.pk]),
        {"person": anna.pk, "presence": "online", "q": ""},
    )
    assert response.status_code == 200 and "<html" in response.content.decode()
    assert MeetingAttendance.objects.get(user=anna).presence == "online"


def test_desk_refusal_is_shown_and_changes_nothing(meeting, board):
    from members.models import Membership

    gone = member()
    Membership.objects.filter(user=gone).update(status="ended")
    response = board.post(
        reverse("meetings:desk_set", args=[meeting.pk]),
        {"person": gone.pk, "presence": "hall"},
        **HTMX,
    )
    assert "presentielijst" in response.content.decode()
    assert not MeetingAttendance.objects.exists()


def test_stand_in_page_approves_and_withdraws(assembly, chair):
    client = _client(chair)
    url = reverse("meetings:stand_ins", args=[assembly["meeting"].pk])
    page = client.get(url).content.decode()
    assert 'for="id_ambassador"' in page and 'for="id_deputy"' in page
    response = client.post(
        url, {"ambassador": assembly["ambassador"].pk, "deputy": assembly["deputy"].pk}
    )
    assert response.status_code == 302
    stand_in = StandIn.objects.get()
    assert stand_in.approved_by == chair
    page = client.get(url).content.decode()
    assert "De vervanging is goedgekeurd." in page
    client.post(url, {"withdraw": stand_in.pk})
    stand_in.refresh_from_db()
    assert stand_in.withdrawn_by == chair


def test_stand_in_page_shows_a_refusal(assembly, chair):
    client = _client(chair)
    url = reverse("meetings:stand_ins", args=[assembly["meeting"].pk])
    response = client.post(
        url, {"ambassador": assembly["other_ambassador"].pk, "deputy": assembly["deputy"].pk}
    )
    assert response.status_code == 200
    assert "geen plaatsvervanger van de regio Zuid" in response.content.decode()
    assert not StandIn.objects.exists()


def test_paper_proxy_page_records_by_membership_number(meeting, chair):
    anna = member(membership_number="M-1")
    bert = member(membership_number="M-2")
    client = _client(chair)
    url = reverse("meetings:paper_proxies", args=[meeting.pk])
    response = client.post(url, {"grantor": "m-1", "holder": "M-2"})
    assert response.status_code == 302
    paper = PaperProxy.objects.get()
    assert (paper.grantor, paper.holder, paper.recorded_by) == (anna, bert, chair)
    page = client.get(url).content.decode()
    assert chair.get_full_name() in page
    refused = client.post(url, {"grantor": "M-1", "holder": "M-404"})
    assert "Geen lid met dit lidnummer." in refused.content.decode()
    client.post(url, {"revoke": paper.pk})
    paper.refresh_from_db()
    assert paper.revoked_by == chair


def test_projector_shows_the_current_ballot_as_members_see_it(meeting, board):
    RegionFactory()
    member()
    item = AgendaItemFactory(meeting=meeting, title="Het akkoord")
    ballot = agenda_ballot(item, secrecy="named", result_visibility="board")
    services.open_ballot(ballot, notify=False)
    meeting.status, meeting.current_item = MeetingStatus.IN_PROGRESS, item
    meeting.save()
    html = board.get(reverse("meetings:projector", args=[meeting.pk])).content.decode()
    assert "Het akkoord" in html
    assert f"/ws/ballots/{ballot.pk}/live/?audience=public" in html
    assert "data-meeting-reload" in html


def test_live_state_json(meeting):
    state = _client(member()).get(reverse("meetings:live_state", args=[meeting.pk])).json()
    assert state["type"] == "meeting" and state["status"] == "planned"
    assert _client(member()).get(reverse("meetings:live_state", args=[99999])).status_code == 404


def test_the_admin_is_for_a_superuser_only(meeting, chair):
    from django.contrib.auth import get_user_model

    from tests.factories import add_totp

    root = get_user_model().objects.create_superuser(email="root@example.nl", password="x")
    add_totp(root)
    add = reverse("admin:meetings_meeting_add")
    assert _client(root).get(add).status_code == 200
    assert _client(chair).get(add).status_code == 403
    attendance = reverse("admin:meetings_meetingattendance_changelist")
    assert _client(root).get(attendance).status_code == 200
    assert _client(chair).get(attendance).status_code == 403
