"""The clock's work: open and close on time, remind once, and queue the exact times."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from ballots import scheduler, services
from ballots.models import Ballot, BallotStatus
from tests.factories import BallotFactory, RegionFactory, choice, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def voters():
    region = RegionFactory()
    return [member(region=region) for _ in range(3)]


def test_tick_opens_due_and_closes_due_ballots(voters, django_capture_on_commit_callbacks):
    now = timezone.now()
    due = BallotFactory(
        opens_at=now + datetime.timedelta(minutes=5), closes_at=now + datetime.timedelta(days=3)
    )  # no reminder yet
    services.schedule_ballot(due)
    assert scheduler.tick(now)["opened"] == []  # not yet
    with django_capture_on_commit_callbacks(execute=True):
        result = scheduler.tick(now + datetime.timedelta(minutes=6))
    assert result["opened"] == [due.pk]
    due.refresh_from_db()
    assert due.status == BallotStatus.OPEN
    assert len(mail.outbox) == 3  # every elector is told, with a link
    services.cast_vote(ballot_id=due.pk, user=voters[0], choice=choice(due, "Voor").pk)
    assert scheduler.tick(due.closes_at + datetime.timedelta(seconds=1))["closed"] == [due.pk]
    due.refresh_from_db()
    assert due.status == BallotStatus.CLOSED and due.final_seal


def test_reminder_goes_once_to_those_who_did_not_vote(voters):
    now = timezone.now()
    ballot = services.open_ballot(
        BallotFactory(closes_at=now + datetime.timedelta(hours=30)), notify=False
    )
    services.cast_vote(ballot_id=ballot.pk, user=voters[0], choice=choice(ballot, "Voor").pk)
    assert scheduler.send_reminders(now) == []  # 30 h before closing: too early
    later = now + datetime.timedelta(hours=7)
    assert scheduler.send_reminders(later) == [ballot.pk]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(v.email for v in voters[1:])
    assert all("Voor" not in m.body and "Tegen" not in m.body for m in mail.outbox)  # no votes
    assert scheduler.send_reminders(later) == []
    assert len(mail.outbox) == 2


def test_a_ballot_opened_inside_the_reminder_window_gets_no_reminder(voters):
    """An assembly's ballot, open for half an hour: no "reminder" a minute after the opening
    (its opening notice is moments old, and the members are voting right then)."""
    now = timezone.now()
    ballot = services.open_ballot(
        BallotFactory(opens_at=now, closes_at=now + datetime.timedelta(minutes=30)), notify=False
    )
    for minutes in (1, 2, 29):
        assert scheduler.send_reminders(now + datetime.timedelta(minutes=minutes)) == []
    assert mail.outbox == []
    ballot.refresh_from_db()
    assert not ballot.reminder_sent


def test_scheduling_queues_the_exact_opening_and_closing(
    voters, django_capture_on_commit_callbacks
):
    from huey.contrib.djhuey import HUEY

    HUEY.storage.flush_schedule()
    ballot = BallotFactory(opens_at=timezone.now() + datetime.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.schedule_ballot(ballot)
    names = sorted(task.name for task in HUEY.scheduled())
    assert names == ["at_closing_time", "at_opening_time"]
    HUEY.storage.flush_schedule()


def test_due_ballot_that_cannot_open_is_left_alone():
    now = timezone.now()
    lonely = BallotFactory(opens_at=now + datetime.timedelta(minutes=1))
    services.schedule_ballot(lonely)
    assert scheduler.open_due(now + datetime.timedelta(minutes=2)) == []  # nobody to vote
    assert Ballot.objects.get(pk=lonely.pk).status == BallotStatus.SCHEDULED
