"""The board prepares a meeting in its own pages: details, agenda items (add, edit, move,
delete), FAQ and position-paper links, ballots attached and detached (meetings.agenda and
meetings.views_agenda). Refusals change nothing; only the board may do any of it."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from ballots import services
from meetings import agenda, attendance
from meetings.errors import AgendaRefused
from meetings.models import AgendaBallot, AgendaItem, Meeting, MeetingKind, MeetingStatus
from tests.factories import (
    AgendaItemFactory,
    BallotFactory,
    MandateFactory,
    MeetingFactory,
    PositionPaperFactory,
    QuestionFactory,
    agenda_ballot,
    member,
)

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def board(chair):
    return _client(chair)


def _details(**changes) -> dict:
    data = {
        "kind": "members",
        "title": "Algemene ledenvergadering voorjaar",
        "starts_at": "2031-04-12T19:30",
        "place": "Utrecht, Jaarbeurs",
        "mode": "hybrid",
        "max_proxies_held": "2",
    }
    data.update(changes)
    return data


def _orders(meeting) -> list[tuple[int, str]]:
    return list(meeting.items.order_by("order").values_list("order", "title"))


# --- the meeting ----------------------------------------------------------------------------


def test_board_creates_a_meeting_in_amsterdam_time(board, chair):
    response = board.post(reverse("meetings:meeting_new"), _details())
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:agenda_editor", args=[meeting.pk])
    assert meeting.starts_at == datetime.datetime(2031, 4, 12, 19, 30, tzinfo=AMSTERDAM)
    assert (meeting.kind, meeting.mode, meeting.max_proxies_held) == ("members", "hybrid", 2)
    assert meeting.status == MeetingStatus.PLANNED and meeting.created_by == chair


def test_a_meeting_without_a_title_is_not_created_and_the_page_says_why(board):
    response = board.post(reverse("meetings:meeting_new"), _details(title=""))
    assert response.status_code == 200
    assert "Vul de titel van de vergadering in." in response.content.decode()
    assert not Meeting.objects.exists()


def test_a_planned_meetings_date_and_kind_can_change(board, meeting):
    response = board.post(
        reverse("meetings:meeting_edit", args=[meeting.pk]),
        _details(kind="ambassadors", starts_at="2031-05-01T10:00", mode="online"),
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.kind == MeetingKind.AMBASSADORS and meeting.mode == "online"
    assert meeting.starts_at == datetime.datetime(2031, 5, 1, 10, 0, tzinfo=AMSTERDAM)


def test_a_started_meeting_keeps_its_date_and_kind_in_the_form(board, meeting):
    meeting.status = MeetingStatus.IN_PROGRESS
    meeting.save()
    starts = meeting.starts_at
    page = board.get(reverse("meetings:meeting_edit", args=[meeting.pk])).content.decode()
    assert "De vergadering is begonnen: dit ligt vast." in page
    board.post(
        reverse("meetings:meeting_edit", args=[meeting.pk]),
        _details(kind="ambassadors", starts_at="2031-05-01T10:00", title="Nieuwe titel"),
    )
    meeting.refresh_from_db()
    assert meeting.title == "Nieuwe titel"  # other details may change
    assert meeting.kind == MeetingKind.MEMBERS and meeting.starts_at == starts


def test_the_service_refuses_a_new_date_for_a_started_meeting(meeting, chair):
    meeting.status = MeetingStatus.IN_PROGRESS
    meeting.save()
    with pytest.raises(AgendaRefused, match="datum, de tijd en de soort liggen vast"):
        agenda.update_meeting(
            meeting=meeting,
            kind=meeting.kind,
            title="Anders",
            starts_at=meeting.starts_at + datetime.timedelta(days=1),
            place=meeting.place,
            mode=meeting.mode,
            max_proxies_held=1,
            by=chair,
        )
    meeting.refresh_from_db()
    assert meeting.title != "Anders"


def test_the_form_cannot_change_away_from_how_people_are_already_present(board, meeting, chair):
    """Someone checked in online at a hybrid meeting: the meeting cannot become one in the hall
    only (their presence, which the ballots count, would be one the desk could not record);
    hybrid stays possible, and once they are signed off, so is the hall only."""
    online = member()
    attendance.set_attendance(meeting=meeting, user_id=online.pk, presence="online", by=chair)
    before = Meeting.objects.filter(pk=meeting.pk).values().get()
    refused = board.post(
        reverse("meetings:meeting_edit", args=[meeting.pk]), _details(mode="in_person")
    )
    assert "Er zijn al aanwezigen online gemeld" in refused.content.decode()
    assert Meeting.objects.filter(pk=meeting.pk).values().get() == before
    with pytest.raises(AgendaRefused, match="aanwezigen online"):
        _change_mode(meeting, "in_person", chair)
    attendance.set_attendance(meeting=meeting, user_id=online.pk, presence="absent", by=chair)
    assert _change_mode(meeting, "in_person", chair).mode == "in_person"


def test_the_hall_cannot_be_taken_away_from_those_checked_in_there(meeting, chair):
    in_hall = member()
    attendance.set_attendance(meeting=meeting, user_id=in_hall.pk, presence="hall", by=chair)
    with pytest.raises(AgendaRefused, match="aanwezigen in de zaal"):
        _change_mode(meeting, "online", chair)
    assert Meeting.objects.get(pk=meeting.pk).mode == "hybrid"
    assert _change_mode(meeting, "in_person", chair).mode == "in_person"  # nobody stranded


def _change_mode(meeting, mode, by):
    meeting = Meeting.objects.get(pk=meeting.pk)
    return agenda.update_meeting(
        meeting=meeting,
        kind=meeting.kind,
        title=meeting.title,
        starts_at=meeting.starts_at,
        place=meeting.place,
        mode=mode,
        max_proxies_held=meeting.max_proxies_held,
        by=by,
    )


def test_an_ended_meeting_cannot_be_edited_at_all(board, meeting, chair):
    item = AgendaItemFactory(meeting=meeting, title="Opening")
    ballot = BallotFactory()
    meeting.status = MeetingStatus.ENDED
    meeting.save()
    before = Meeting.objects.filter(pk=meeting.pk).values().get()
    response = board.post(
        reverse("meetings:meeting_edit", args=[meeting.pk]), _details(title="Gewijzigd")
    )
    assert "de gegevens en de agenda liggen vast" in response.content.decode()
    board.post(reverse("meetings:item_new", args=[meeting.pk]), {"title": "Extra punt"})
    board.post(reverse("meetings:item_edit", args=[meeting.pk, item.pk]), {"title": "Anders"})
    board.post(reverse("meetings:item_delete", args=[meeting.pk, item.pk]))
    board.post(reverse("meetings:item_ballots", args=[meeting.pk, item.pk]), {"ballot": ballot.pk})
    assert Meeting.objects.filter(pk=meeting.pk).values().get() == before
    assert _orders(meeting) == [(item.order, "Opening")]
    assert not AgendaBallot.objects.exists()
    with pytest.raises(AgendaRefused, match="afgelopen"):
        agenda.move_item(item=item, direction=agenda.DOWN, by=chair)


def test_the_kind_cannot_change_while_ballots_are_on_the_agenda(board, meeting):
    agenda_ballot(AgendaItemFactory(meeting=meeting))
    response = board.post(
        reverse("meetings:meeting_edit", args=[meeting.pk]), _details(kind="ambassadors")
    )
    assert "Haal die eerst van de agenda af" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.kind == MeetingKind.MEMBERS


# --- agenda items ---------------------------------------------------------------------------


def test_items_are_added_at_the_end_with_their_links(board, meeting):
    question, paper = QuestionFactory(), PositionPaperFactory()
    url = reverse("meetings:item_new", args=[meeting.pk])
    board.post(url, {"title": "Opening", "text": ""})
    response = board.post(
        url,
        {
            "title": "Het akkoord",
            "text": "Lees **eerst** het stuk.",
            "questions": [question.pk],
            "papers": [paper.pk],
        },
    )
    item = meeting.items.get(title="Het akkoord")
    assert response["Location"] == reverse("meetings:item_edit", args=[meeting.pk, item.pk])
    assert _orders(meeting) == [(1, "Opening"), (2, "Het akkoord")]
    assert list(item.questions.all()) == [question] and list(item.papers.all()) == [paper]
    detail = _client(member()).get(reverse("meetings:detail", args=[meeting.pk]))
    assert "<strong>eerst</strong>" in detail.content.decode()


def test_the_preview_button_shows_the_text_without_saving(board, meeting):
    response = board.post(
        reverse("meetings:item_new", args=[meeting.pk]),
        {"title": "Het akkoord", "text": "## Kop\n\n*schuin*", "preview": "1"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert ">Kop</h2>" in html and "<em>schuin</em>" in html
    assert not meeting.items.exists()


def test_the_live_preview_is_sanitised(board, meeting):
    response = board.post(
        reverse("meetings:agenda_markdown", args=[meeting.pk]),
        {"text": "**vet** <script>alert(1)</script>"},
    )
    assert "<strong>vet</strong>" in response.content.decode()
    assert "<script>" not in response.content.decode()


def test_editing_an_item_changes_its_text_and_links(board, meeting):
    item = AgendaItemFactory(meeting=meeting, title="Oud")
    item.questions.add(QuestionFactory())
    paper = PositionPaperFactory()
    board.post(
        reverse("meetings:item_edit", args=[meeting.pk, item.pk]),
        {"title": "Nieuw", "text": "Tekst", "papers": [paper.pk]},
    )
    item.refresh_from_db()
    assert (item.title, item.text) == ("Nieuw", "Tekst")
    assert not item.questions.exists() and list(item.papers.all()) == [paper]


def test_items_move_up_and_down(board, meeting):
    first = AgendaItemFactory(meeting=meeting, order=1, title="Opening")
    second = AgendaItemFactory(meeting=meeting, order=2, title="Akkoord")
    AgendaItemFactory(meeting=meeting, order=3, title="Rondvraag")
    board.post(reverse("meetings:item_move", args=[meeting.pk, second.pk]), {"direction": "up"})
    assert _orders(meeting) == [(1, "Akkoord"), (2, "Opening"), (3, "Rondvraag")]
    board.post(reverse("meetings:item_move", args=[meeting.pk, first.pk]), {"direction": "down"})
    assert _orders(meeting) == [(1, "Akkoord"), (2, "Rondvraag"), (3, "Opening")]


def test_the_first_item_cannot_move_up(board, meeting):
    first = AgendaItemFactory(meeting=meeting, order=1, title="Opening")
    AgendaItemFactory(meeting=meeting, order=2, title="Akkoord")
    response = board.post(
        reverse("meetings:item_move", args=[meeting.pk, first.pk]),
        {"direction": "up"},
        follow=True,
    )
    assert "Dit agendapunt staat al bovenaan." in response.content.decode()
    assert _orders(meeting) == [(1, "Opening"), (2, "Akkoord")]


def test_deleting_an_item_closes_the_gap_and_keeps_its_draft_ballot(board, meeting):
    AgendaItemFactory(meeting=meeting, order=1, title="Opening")
    middle = AgendaItemFactory(meeting=meeting, order=2, title="Akkoord")
    AgendaItemFactory(meeting=meeting, order=3, title="Rondvraag")
    ballot = agenda_ballot(middle)
    confirm = board.get(reverse("meetings:item_delete", args=[meeting.pk, middle.pk]))
    assert "Weet u zeker" in confirm.content.decode()
    board.post(reverse("meetings:item_delete", args=[meeting.pk, middle.pk]))
    assert _orders(meeting) == [(1, "Opening"), (2, "Rondvraag")]
    ballot.refresh_from_db()  # still there, off the agenda
    assert not AgendaBallot.objects.filter(ballot=ballot).exists()


def test_an_item_whose_ballot_opened_cannot_be_deleted(board, meeting):
    item = AgendaItemFactory(meeting=meeting, order=1, title="Akkoord")
    services.open_ballot(agenda_ballot(item), notify=False)
    response = board.post(reverse("meetings:item_delete", args=[meeting.pk, item.pk]), follow=True)
    assert "kan niet meer verwijderd worden" in response.content.decode()
    assert _orders(meeting) == [(1, "Akkoord")]


def test_the_current_item_cannot_be_deleted(meeting, chair):
    item = AgendaItemFactory(meeting=meeting)
    meeting.status, meeting.current_item = MeetingStatus.IN_PROGRESS, item
    meeting.save()
    with pytest.raises(AgendaRefused, match="huidige agendapunt"):
        agenda.delete_item(item=item, by=chair)
    assert AgendaItem.objects.filter(pk=item.pk).exists()


# --- ballots --------------------------------------------------------------------------------


def test_only_eligible_ballots_are_offered_and_attached(board, meeting):
    item = AgendaItemFactory(meeting=meeting)
    draft = BallotFactory(question="Concept van de leden?")
    scheduled = BallotFactory(question="Geplande stemming?", status="scheduled")
    weighted = BallotFactory(
        question="Stemming van ambassadeurs?", electorate="ambassadors", secrecy="named"
    )
    opened = services.open_ballot(BallotFactory(question="Al open?"), notify=False)
    elsewhere = agenda_ballot(AgendaItemFactory(), question="Op een andere agenda?")
    page = board.get(reverse("meetings:item_edit", args=[meeting.pk, item.pk])).content.decode()
    assert "Concept van de leden?" in page and "Geplande stemming?" in page
    for hidden in ("Stemming van ambassadeurs?", "Al open?", "Op een andere agenda?"):
        assert hidden not in page
    url = reverse("meetings:item_ballots", args=[meeting.pk, item.pk])
    for ineligible in (weighted, opened, elsewhere):
        response = board.post(url, {"ballot": ineligible.pk})
        assert response.status_code == 400
        assert "Deze stemming kan niet (meer) op de agenda." in response.content.decode()
    assert list(item.ballots.all()) == []
    board.post(url, {"ballot": draft.pk})
    board.post(url, {"ballot": scheduled.pk})
    assert list(item.ballot_links.values_list("ballot_id", "order")) == [
        (draft.pk, 0),
        (scheduled.pk, 1),
    ]


def test_the_service_refuses_a_ballot_of_the_other_electorate(chair):
    meeting = MeetingFactory(kind=MeetingKind.AMBASSADORS)
    item = AgendaItemFactory(meeting=meeting)
    with pytest.raises(AgendaRefused, match="alleen stemmingen van ambassadeurs"):
        agenda.attach_ballot(item=item, ballot=BallotFactory(), by=chair)
    MandateFactory()
    weighted = BallotFactory(electorate="ambassadors", secrecy="named")
    assert list(agenda.attachable_ballots(meeting)) == [weighted]
    agenda.attach_ballot(item=item, ballot=weighted, by=chair)
    with pytest.raises(AgendaRefused, match="staat al op een agenda"):
        agenda.attach_ballot(item=AgendaItemFactory(meeting=meeting), ballot=weighted, by=chair)
    assert AgendaBallot.objects.get().item == item


def test_a_draft_is_detached_but_an_opened_ballot_stays(board, meeting):
    item = AgendaItemFactory(meeting=meeting)
    draft = agenda_ballot(item, question="Nog een concept?")
    opened = agenda_ballot(item, question="Al geopend?")
    services.open_ballot(opened, notify=False)
    url = reverse("meetings:item_ballots", args=[meeting.pk, item.pk])
    page = board.get(reverse("meetings:item_edit", args=[meeting.pk, item.pk])).content.decode()
    assert f'name="detach" value="{draft.pk}"' in page
    assert f'name="detach" value="{opened.pk}"' not in page
    board.post(url, {"detach": draft.pk})
    response = board.post(url, {"detach": opened.pk}, follow=True)
    assert "Deze stemming is al geopend" in response.content.decode()
    assert list(item.ballot_links.values_list("ballot_id", flat=True)) == [opened.pk]


# --- who may ----------------------------------------------------------------------------------


def test_only_the_board_prepares_meetings(meeting):
    item = AgendaItemFactory(meeting=meeting, order=1, title="Opening")
    AgendaItemFactory(meeting=meeting, order=2, title="Akkoord")
    ballot = BallotFactory()
    someone = _client(member())
    assert someone.get(reverse("meetings:meeting_new")).status_code == 403
    posts = [
        (reverse("meetings:meeting_new"), _details()),
        (reverse("meetings:meeting_edit", args=[meeting.pk]), _details(title="Gekaapt")),
        (reverse("meetings:item_new", args=[meeting.pk]), {"title": "Extra"}),
        (reverse("meetings:item_edit", args=[meeting.pk, item.pk]), {"title": "Gekaapt"}),
        (reverse("meetings:item_move", args=[meeting.pk, item.pk]), {"direction": "down"}),
        (reverse("meetings:item_delete", args=[meeting.pk, item.pk]), {}),
        (reverse("meetings:item_ballots", args=[meeting.pk, item.pk]), {"ballot": ballot.pk}),
        (reverse("meetings:agenda_markdown", args=[meeting.pk]), {"text": "x"}),
    ]
    for url, data in posts:
        assert someone.post(url, data).status_code == 403, url
    assert Meeting.objects.count() == 1
    meeting.refresh_from_db()
    assert meeting.title != "Gekaapt"
    assert _orders(meeting) == [(1, "Opening"), (2, "Akkoord")]
    assert not AgendaBallot.objects.exists()


def test_the_board_finds_the_editor_from_the_meetings_pages(board, meeting):
    index = board.get(reverse("meetings:index")).content.decode()
    assert reverse("meetings:meeting_new") in index
    console = board.get(reverse("meetings:console", args=[meeting.pk])).content.decode()
    assert reverse("meetings:agenda_editor", args=[meeting.pk]) in console
    assert reverse("meetings:self_checkin_display", args=[meeting.pk]) in console
    listing = _client(member()).get(reverse("meetings:index")).content.decode()
    assert reverse("meetings:meeting_new") not in listing
