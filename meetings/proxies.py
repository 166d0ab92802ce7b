"""Written proxies handed in on paper at a meeting, recorded by a board member.

The same limits as the online proxies (ballots.services.grant_proxy): one per grantor, never
to oneself, at most `max_proxies_held` per holder, no passing on (a holder gives none, a
grantor holds none), and not for someone who takes part themselves. For every ballot of the
meeting that allows proxies it becomes that ballot's proxy, checked again by grant_proxy,
with the recorder's name in the ballot's ledger (meetings.sync).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings import live, selectors, sync
from meetings.errors import PaperProxyRefused
from meetings.models import Meeting, MeetingStatus, PaperProxy


def record_paper_proxy(*, meeting: Meeting, grantor, holder, by) -> tuple[PaperProxy, list]:
    """Record a paper proxy from `grantor` to `holder`; returns it and the open ballots that
    refused it, as (ballot, reason). Locks the meeting row, so two proxies recorded at two
    desks at once cannot pass the holder's maximum."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status == MeetingStatus.ENDED:
            raise PaperProxyRefused(_("De vergadering is afgelopen."))
        if grantor.pk == holder.pk:
            raise PaperProxyRefused(_("Een volmacht aan zichzelf kan niet."))
        if not selectors.may_vote_at(meeting, grantor.pk):
            raise PaperProxyRefused(
                _("De volmachtgever is geen stemgerechtigde van deze vergadering.")
            )
        if not selectors.may_vote_at(meeting, holder.pk):
            raise PaperProxyRefused(
                _("De gevolmachtigde is geen stemgerechtigde van deze vergadering.")
            )
        proxies = selectors.active_paper_proxies(meeting)
        if proxies.filter(grantor=grantor).exists():
            raise PaperProxyRefused(_("Deze persoon heeft al een volmacht gegeven."))
        if proxies.filter(holder=grantor).exists():
            raise PaperProxyRefused(
                _("De volmachtgever houdt zelf een volmacht; doorgeven kan niet.")
            )
        if proxies.filter(grantor=holder).exists():
            raise PaperProxyRefused(
                _("De gevolmachtigde heeft zelf een volmacht gegeven en kan er geen aannemen.")
            )
        if proxies.filter(holder=holder).count() >= meeting.max_proxies_held:
            raise PaperProxyRefused(
                _("De gevolmachtigde heeft al het maximum van %(n)s volmacht(en).")
                % {"n": meeting.max_proxies_held}
            )
        if selectors.is_present(meeting, grantor.pk):
            raise PaperProxyRefused(
                _("De volmachtgever is aangemeld als aanwezig en stemt zelf; meld eerst af.")
            )
        if selectors.active_stand_ins(meeting).filter(ambassador=grantor).exists():
            raise PaperProxyRefused(
                _("Voor deze ambassadeur staat een plaatsvervanger in; een volmacht kan niet.")
            )
        paper = PaperProxy.objects.create(
            meeting=meeting,
            grantor=grantor,
            holder=holder,
            recorded_by=by,
            recorded_at=timezone.now(),
        )
        refused = sync.for_open_ballots(
            meeting,
            lambda ballot: sync.grant_paper_proxy(ballot, paper) if ballot.proxies_allowed else "",
        )
        live.announce_attendance(meeting.pk)
    return paper, refused


def revoke_paper_proxy(*, paper: PaperProxy, by) -> tuple[PaperProxy, list]:
    """Revoke a paper proxy; in open ballots its proxy is revoked unless it was used."""
    with transaction.atomic():
        Meeting.objects.select_for_update().get(pk=paper.meeting_id)
        paper = PaperProxy.objects.select_for_update().get(pk=paper.pk)
        if paper.revoked_at is not None:
            raise PaperProxyRefused(_("Deze volmacht is al ingetrokken."))
        paper.revoked_at = timezone.now()
        paper.revoked_by = by
        paper.save(update_fields=["revoked_at", "revoked_by"])
        refused = sync.for_open_ballots(
            paper.meeting, lambda ballot: sync.revoke_paper_proxy_in(ballot, paper, by=by)
        )
        live.announce_attendance(paper.meeting_id)
    return paper, refused
