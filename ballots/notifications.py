"""Emails about ballots: opened (to every elector), reminder, closed (to the board), result
certified (to every elector, with their own result line), proxy received (to the holder).

Plain text plus HTML, in Dutch, one message per person, greeted by name on behalf of the
association (settings.ASSOCIATION_NAME), links from settings.SITE_URL. A secret ballot's
email never holds a choice. Called after commit, so a rolled-back change sends nothing.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from ballots.models import Ballot, Elector, Participation, Proxy, Vote
from members.roles import BOARD_GROUP_NAME


def _render(template: str, context: dict) -> tuple[str, str, str]:
    subject = render_to_string(f"ballots/email/{template}_subject.txt", context).strip()
    text = render_to_string(f"ballots/email/{template}.txt", context)
    html = render_to_string(f"ballots/email/{template}.html", context)
    return subject, text, html


def _send(template: str, context: dict, recipients: list[tuple[str, str, dict]]) -> int:
    """recipients: (address, name, what only this person's email says)."""
    if not recipients:
        return 0
    messages = []
    # In Dutch whoever's request sends it: a board member browsing in English opened the
    # ballot, and the dates came out as "Wednesday 2 December" in a Dutch email.
    with translation.override(settings.LANGUAGE_CODE):
        for address, name, own in recipients:  # one each: nobody sees another's address
            subject, text, html = _render(template, {**context, **own, "recipient_name": name})
            message = EmailMultiAlternatives(subject=subject, body=text, to=[address])
            message.attach_alternative(html, "text/html")
            messages.append(message)
    with mailers.default as connection:
        return connection.send_messages(messages) or 0


def _name(user) -> str:
    return user.full_name or ""


def _context(ballot: Ballot) -> dict:
    return {
        "ballot": ballot,
        "url": settings.SITE_URL + ballot.get_absolute_url(),
        "association_name": settings.ASSOCIATION_NAME,
        "site_url": settings.SITE_URL,
    }


def _electors(queryset) -> list[tuple[str, str, dict]]:
    return [(e.user.email, _name(e.user), {}) for e in queryset.select_related("user")]


def ballot_opened(ballot_id: int) -> int:
    ballot = Ballot.objects.get(pk=ballot_id)
    return _send("opened", _context(ballot), _electors(Elector.objects.filter(ballot=ballot)))


def reminder(ballot_id: int) -> int:
    ballot = Ballot.objects.get(pk=ballot_id)
    voted = Participation.objects.filter(ballot=ballot).values("elector_id")
    waiting = Elector.objects.filter(ballot=ballot).exclude(pk__in=voted)
    return _send("reminder", _context(ballot), _electors(waiting))


def ballot_closed(ballot_id: int) -> int:
    from django.contrib.auth import get_user_model

    ballot = Ballot.objects.get(pk=ballot_id)
    board = get_user_model().objects.filter(groups__name=BOARD_GROUP_NAME, is_active=True)
    return _send("closed", _context(ballot), [(u.email, _name(u), {}) for u in board])


def own_result_line(ballot: Ballot, elector: Elector, voted: set[int]) -> str:
    """One sentence on this elector's own part: named ballots say how they voted; a secret
    ballot only that the vote was counted (the choice is linked to nobody)."""
    if elector.pk not in voted:
        return "U heeft bij deze stemming niet gestemd."
    if ballot.is_secret:
        return "Uw stem is meegeteld. Bij deze geheime stemming weet niemand wat u stemde."
    rows = (
        Vote.objects.filter(ballot=ballot, elector=elector, withdrawn=False)
        .values("choice__label", "choice__order")
        .annotate(weight=Sum("weight"))
        .order_by("choice__order")
    )
    parts = [
        f"{r['choice__label']} (gewicht {r['weight']})"
        if ballot.is_weighted
        else r["choice__label"]
        for r in rows
    ]
    return f"U stemde: {', '.join(parts)}." if parts else "Uw stem is meegeteld."


def result_certified(ballot_id: int) -> int:
    """To every elector: the outcome, their own result line and a link to the results and
    the signed document."""
    ballot = Ballot.objects.get(pk=ballot_id)
    context = {
        **_context(ballot),
        "results_url": settings.SITE_URL + reverse("ballots:results", args=[ballot.pk]),
        "explanation": (ballot.final_result or {}).get("outcome", {}).get("explanation", ""),
    }
    voted = set(Participation.objects.filter(ballot=ballot).values_list("elector_id", flat=True))
    recipients = [
        (e.user.email, _name(e.user), {"own_line": own_result_line(ballot, e, voted)})
        for e in Elector.objects.filter(ballot=ballot).select_related("user")
    ]
    return _send("certified", context, recipients)


def proxy_received(proxy_id: int) -> int:
    """To the holder: who gave them a proxy, for which ballot, until when."""
    proxy = Proxy.objects.select_related("ballot", "grantor__user", "holder__user").get(pk=proxy_id)
    holder = proxy.holder.user
    context = {**_context(proxy.ballot), "grantor_name": proxy.grantor.user.get_full_name()}
    return _send("proxy_received", context, [(holder.email, _name(holder), {})])


def after_proxy_granted(ballot: Ballot, holder_user) -> None:
    """Called by the proxy view once grant_proxy succeeded: email the holder after commit."""
    proxy = (
        Proxy.objects.filter(ballot=ballot, holder__user=holder_user, revoked=False)
        .order_by("-pk")
        .first()
    )
    if proxy is not None:
        transaction.on_commit(lambda: proxy_received(proxy.pk))
