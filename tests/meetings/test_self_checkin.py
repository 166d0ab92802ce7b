"""QR self check-in: the hall's screen shows a code whose token rotates every minute; a
member on the roll who opens it and confirms is present in the hall, recorded as changed by
themselves. An expired or forged token, or someone not on the roll, is refused and nothing
changes (meetings.self_checkin, meetings.views_checkin)."""

import pytest
from django.test import Client
from django.urls import reverse

from meetings import self_checkin
from meetings.errors import SelfCheckInRefused
from meetings.models import (
    MeetingAttendance,
    MeetingKind,
    MeetingMode,
    MeetingStatus,
    Presence,
)
from tests.factories import MandateFactory, MeetingFactory, add_totp, member

pytestmark = pytest.mark.django_db

T0 = 1_900_000_040.0  # 20 s into a window of 60 s


@pytest.fixture
def clock(monkeypatch):
    """The time self_checkin sees; set clock.at to move it."""

    class Clock:
        at = T0

    monkeypatch.setattr(self_checkin, "now", lambda: Clock.at)
    return Clock


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(meeting, token: str) -> str:
    return reverse("meetings:self_checkin", args=[meeting.pk, token])


def test_the_token_rotates_every_minute_and_the_previous_one_still_works(meeting, clock):
    first = self_checkin.current_token(meeting.pk)
    assert self_checkin.token_is_valid(meeting.pk, first)
    clock.at = T0 + 39  # still the same window
    assert self_checkin.current_token(meeting.pk) == first
    clock.at = T0 + 40  # the next window: a new token, the old one still accepted
    second = self_checkin.current_token(meeting.pk)
    assert second != first
    assert self_checkin.token_is_valid(meeting.pk, first)
    assert self_checkin.token_is_valid(meeting.pk, second)
    clock.at = T0 + 100  # two windows on: the first has expired
    assert not self_checkin.token_is_valid(meeting.pk, first)
    assert self_checkin.token_is_valid(meeting.pk, second)


def test_a_token_is_bound_to_its_meeting_and_the_secret_key(meeting, clock, settings):
    other = MeetingFactory()
    token = self_checkin.current_token(meeting.pk)
    assert not self_checkin.token_is_valid(other.pk, token)
    assert not self_checkin.token_is_valid(meeting.pk, "0" * len(token))
    assert not self_checkin.token_is_valid(meeting.pk, "")
    settings.SECRET_KEY = "a-different-secret-key-for-this-test-only-0123456789"
    assert not self_checkin.token_is_valid(meeting.pk, token)


def test_a_member_on_the_roll_checks_in_by_themselves(meeting, clock):
    person = member()
    client = _client(person)
    url = _url(meeting, self_checkin.current_token(meeting.pk))
    page = client.get(url)
    assert "Ik ben in de zaal" in page.content.decode()
    assert not MeetingAttendance.objects.exists()  # opening the link changes nothing
    clock.at = T0 + 50  # tapped after the code on the screen changed: still accepted
    response = client.post(url)
    assert response.status_code == 200
    assert "U bent ingecheckt: aanwezig in de zaal." in response.content.decode()
    row = MeetingAttendance.objects.get()
    assert (row.meeting, row.user, row.presence, row.changed_by) == (
        meeting,
        person,
        Presence.HALL,
        person,
    )
    again = client.get(url).content.decode()
    assert "U bent al aangemeld als aanwezig." in again


def test_an_expired_token_is_refused_and_changes_nothing(meeting, clock):
    person = member()
    url = _url(meeting, self_checkin.current_token(meeting.pk))
    clock.at = T0 + 120
    client = _client(person)
    assert "verlopen of ongeldig" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 403
    assert "Deze code is verlopen of ongeldig." in response.content.decode()
    assert not MeetingAttendance.objects.exists()


def test_a_forged_token_is_refused_and_changes_nothing(meeting, clock):
    client = _client(member())
    for forged in ("0" * 32, self_checkin.current_token(MeetingFactory().pk), "x"):
        response = client.post(_url(meeting, forged))
        assert response.status_code == 403
        assert "verlopen of ongeldig" in response.content.decode()
    assert not MeetingAttendance.objects.exists()


def test_someone_not_on_the_roll_is_refused(clock):
    meeting = MeetingFactory(kind=MeetingKind.AMBASSADORS)
    outsider = member()  # a member, but no ambassador or deputy
    url = _url(meeting, self_checkin.current_token(meeting.pk))
    client = _client(outsider)
    assert "niet op de presentielijst" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 403
    assert "U staat niet op de presentielijst" in response.content.decode()
    assert not MeetingAttendance.objects.exists()
    with pytest.raises(SelfCheckInRefused):
        self_checkin.check_in_self(
            meeting=meeting, user=outsider, token=self_checkin.current_token(meeting.pk)
        )
    ambassador = MandateFactory().user  # on this roll: checks in
    add_totp(ambassador)  # ambassadors need a second factor before any page
    _client(ambassador).post(url)
    assert MeetingAttendance.objects.get().changed_by == ambassador


def test_the_desks_rules_still_apply(clock):
    """An online-only meeting has no hall; an ended meeting takes no more check-ins."""
    person = member()
    for meeting in (
        MeetingFactory(mode=MeetingMode.ONLINE),
        MeetingFactory(status=MeetingStatus.ENDED),
    ):
        response = _client(person).post(_url(meeting, self_checkin.current_token(meeting.pk)))
        assert response.status_code == 403
    assert not MeetingAttendance.objects.exists()


def test_the_hall_screen_shows_a_code_that_reloads_when_it_changes(meeting, clock, chair):
    page = _client(chair).get(reverse("meetings:self_checkin_display", args=[meeting.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html
    assert 'data-refresh-after="41"' in html  # 40 s left in this window, plus one
    assert page.context["qr"] is not None


def test_only_the_board_sees_the_hall_screen(meeting, clock):
    url = reverse("meetings:self_checkin_display", args=[meeting.pk])
    assert _client(member()).get(url).status_code == 403
    assert Client().get(url).status_code == 302


def test_the_hall_screen_of_an_online_meeting_shows_no_code(clock, chair):
    meeting = MeetingFactory(mode=MeetingMode.ONLINE)
    page = _client(chair).get(reverse("meetings:self_checkin_display", args=[meeting.pk]))
    assert "<svg" not in page.content.decode()
    assert "alleen online" in page.content.decode()


# --- joining online (hybrid and online meetings) ---------------------------------------------


def test_a_member_following_from_home_joins_online_by_themselves(client):
    from meetings.models import MeetingAttendance
    from tests.factories import MeetingFactory, member

    meeting = MeetingFactory(mode="hybrid")
    person = member()
    client.force_login(person)
    response = client.post(reverse("meetings:join_online", args=[meeting.pk]))
    assert response.status_code == 302
    row = MeetingAttendance.objects.get(meeting=meeting, user=person)
    assert row.presence == "online" and row.changed_by == person


def test_joining_online_is_refused_where_it_makes_no_sense(client):
    from meetings import attendance
    from meetings.errors import SelfCheckInRefused
    from meetings.models import MeetingAttendance
    from meetings.self_checkin import join_online
    from tests.factories import MeetingFactory, member

    person = member()
    with pytest.raises(SelfCheckInRefused, match="alleen in de zaal"):
        join_online(meeting=MeetingFactory(mode="in_person"), user=person)
    with pytest.raises(SelfCheckInRefused, match="afgelopen"):
        join_online(meeting=MeetingFactory(status="ended"), user=person)
    hybrid = MeetingFactory(mode="hybrid")
    attendance.set_attendance(meeting=hybrid, user_id=person.pk, presence="hall", by=person)
    with pytest.raises(SelfCheckInRefused, match="in de zaal"):
        join_online(meeting=hybrid, user=person)
    assert MeetingAttendance.objects.get(meeting=hybrid, user=person).presence == "hall"


def test_the_projector_shows_the_rotating_code(monkeypatch):
    from tests.factories import MeetingFactory, board_member

    chair = board_member()
    add_totp(chair)
    client = Client()
    client.force_login(chair)
    meeting = MeetingFactory(mode="hybrid")
    page = client.get(reverse("meetings:projector", args=[meeting.pk])).content.decode()
    assert reverse("meetings:self_checkin_qr", args=[meeting.pk]) in page
    monkeypatch.setattr(self_checkin, "now", lambda: 1_000_000.0)
    first = client.get(reverse("meetings:self_checkin_qr", args=[meeting.pk]))
    assert first["Content-Type"] == "image/svg+xml" and first["Cache-Control"] == "no-store"
    assert client.get(reverse("meetings:self_checkin_qr", args=[meeting.pk])).content == (
        first.content
    )
    monkeypatch.setattr(self_checkin, "now", lambda: 1_000_000.0 + 60)
    assert client.get(reverse("meetings:self_checkin_qr", args=[meeting.pk])).content != (
        first.content
    )
    online_only = MeetingFactory(mode="online")
    assert client.get(reverse("meetings:self_checkin_qr", args=[online_only.pk])).status_code == 404
