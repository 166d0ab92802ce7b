"""The worker's entry points (huey): thin wrappers around ballots.scheduler."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ballots import scheduler


@db_periodic_task(crontab(minute="*"))
def every_minute():
    """Catch-up and housekeeping: also covers a worker that was down at the exact time."""
    return scheduler.tick(timezone.now())


@db_task()
def at_opening_time(ballot_id: int):
    return scheduler.open_due(timezone.now())


@db_task()
def at_closing_time(ballot_id: int):
    return scheduler.close_due(timezone.now())


def schedule_exact_times(ballot) -> None:
    """Queue the opening and closing of a planned ballot for their exact times."""
    at_opening_time.schedule(args=(ballot.pk,), eta=ballot.opens_at)
    at_closing_time.schedule(args=(ballot.pk,), eta=ballot.closes_at)
