"""What the clock does to ballots: open the due ones, close the due ones, remind electors,
seal votes, finish interrupted counts. Plain functions of `now`, called every minute by the
worker (ballots.tasks) and at the exact opening and closing times scheduled when a ballot is
planned.

Votes never wait for this: cast_vote checks the clock itself, so a vote after closes_at is
refused even before the worker has flipped the status.
"""

import datetime

from django.conf import settings
from django.db import transaction

from ballots import notifications
from ballots.counting import count_unfinished
from ballots.errors import BallotError
from ballots.models import Ballot, BallotStatus
from ballots.sealing import seal_open_ballots
from ballots.services import close_ballot, open_ballot


def open_due(now: datetime.datetime) -> list[int]:
    opened = []
    for ballot in Ballot.objects.filter(status=BallotStatus.SCHEDULED, opens_at__lte=now):
        try:
            open_ballot(ballot)
        except BallotError:
            continue  # someone opened it by hand in between, or it cannot open: left as is
        opened.append(ballot.pk)
    return opened


def close_due(now: datetime.datetime) -> list[int]:
    closed = []
    for ballot in Ballot.objects.filter(status=BallotStatus.OPEN, closes_at__lte=now):
        try:
            close_ballot(ballot)
        except BallotError:
            continue
        closed.append(ballot.pk)
    return closed


def send_reminders(now: datetime.datetime) -> list[int]:
    """Once per ballot, BALLOT_REMINDER_HOURS before closing, to electors who did not vote.

    Only for a ballot that was already open before that window began: one that opens inside
    it (an assembly's ballot, open for minutes) got its opening notice moments ago, and a
    "reminder" would go out a minute after the opening, to thousands who are voting right
    then, from the worker that shares the machine with their votes."""
    lead = datetime.timedelta(hours=settings.BALLOT_REMINDER_HOURS)
    reminded = []
    due = Ballot.objects.filter(
        status=BallotStatus.OPEN, reminder_sent=False, closes_at__lte=now + lead, closes_at__gt=now
    )
    for ballot in due:
        if ballot.opens_at >= ballot.closes_at - lead:
            continue  # opened inside the reminder window: its opening notice was the reminder
        # Claim the reminder first, so two workers never both send it.
        with transaction.atomic():
            claimed = Ballot.objects.filter(pk=ballot.pk, reminder_sent=False).update(
                reminder_sent=True
            )
        if claimed:
            notifications.reminder(ballot.pk)
            reminded.append(ballot.pk)
    return reminded


def tick(now: datetime.datetime) -> dict:
    return {
        "opened": open_due(now),
        "closed": close_due(now),
        "reminded": send_reminders(now),
        "sealed": seal_open_ballots(),
        "counted": count_unfinished(),
    }
