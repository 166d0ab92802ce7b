"""Emails about ballots: opened (to every elector), reminder, closed (to the board).

Plain text plus HTML, in Dutch, and never a vote: only the question, times and a link.
Called after commit, so a rolled-back open or close sends nothing.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from ballots.models import Ballot, Elector, Participation
from members.roles import BOARD_GROUP_NAME


def _send(template: str, context: dict, recipients: list[str]) -> int:
    if not recipients:
        return 0
    # In Dutch whoever's request sends it: a board member browsing in English opened the
    # ballot, and the dates came out as "Wednesday 2 December" in a Dutch email.
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"ballots/email/{template}_subject.txt", context).strip()
        text = render_to_string(f"ballots/email/{template}.txt", context)
        html = render_to_string(f"ballots/email/{template}.html", context)
    messages = []
    for address in recipients:  # one message each: electors never see each other's address
        message = EmailMultiAlternatives(subject=subject, body=text, to=[address])
        message.attach_alternative(html, "text/html")
        messages.append(message)
    with mailers.default as connection:
        return connection.send_messages(messages) or 0


def _context(ballot: Ballot) -> dict:
    return {
        "ballot": ballot,
        "url": settings.SITE_URL + ballot.get_absolute_url(),
        "association_name": settings.ASSOCIATION_NAME,
    }


def ballot_opened(ballot_id: int) -> int:
    ballot = Ballot.objects.get(pk=ballot_id)
    emails = list(Elector.objects.filter(ballot=ballot).values_list("user__email", flat=True))
    return _send("opened", _context(ballot), emails)


def reminder(ballot_id: int) -> int:
    ballot = Ballot.objects.get(pk=ballot_id)
    voted = Participation.objects.filter(ballot=ballot).values("elector_id")
    emails = list(
        Elector.objects.filter(ballot=ballot)
        .exclude(pk__in=voted)
        .values_list("user__email", flat=True)
    )
    return _send("reminder", _context(ballot), emails)


def ballot_closed(ballot_id: int) -> int:
    from django.contrib.auth import get_user_model

    ballot = Ballot.objects.get(pk=ballot_id)
    board = get_user_model().objects.filter(groups__name=BOARD_GROUP_NAME, is_active=True)
    return _send("closed", _context(ballot), list(board.values_list("email", flat=True)))


def result_certified(ballot_id: int) -> int:
    """To every elector: the outcome and a link to the results and the signed document."""
    ballot = Ballot.objects.get(pk=ballot_id)
    context = {
        **_context(ballot),
        "results_url": settings.SITE_URL + reverse("ballots:results", args=[ballot.pk]),
        "explanation": (ballot.final_result or {}).get("outcome", {}).get("explanation", ""),
    }
    emails = list(Elector.objects.filter(ballot=ballot).values_list("user__email", flat=True))
    return _send("certified", context, emails)
