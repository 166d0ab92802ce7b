"""Ballot pages: thin views over ballots.services (writes) and ballots.selectors (reads)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from ballots import ballot_box, notifications, read_first, results_page, selectors, services
from ballots.checkin import TOKEN_MAX_AGE, checkin_token, qr_svg, token_is_valid
from ballots.electorate import eligible_electors, summary_by_region
from ballots.errors import BallotError
from ballots.exports import FORMATS, roll_call
from ballots.forms import ProxyForm, ReceiptCheckForm, VoteForm, cast_choice
from ballots.kinds import method_paragraph
from ballots.models import Ballot, BallotStatus, Elector, Proxy, Vote
from ballots.receipts import receipt_hash
from ballots.tally import outcome, tally
from ballots.views_live import live_context
from ledenstem_verify import box as box_format
from members.models import Region
from members.permissions import permission_required

MANAGE = "ballots.manage_ballot"


def _visible_ballot(pk: int) -> Ballot:
    ballot = get_object_or_404(Ballot, pk=pk)
    if ballot.status == BallotStatus.DRAFT:
        raise Http404
    return ballot


@login_required
def ballot_index(request):
    return render(
        request, "ballots/index.html", {"overview": selectors.ballots_overview(request.user)}
    )


@login_required
def ballot_detail(request, pk: int):
    ballot = _visible_ballot(pk)
    return render(request, "ballots/detail.html", _detail_context(request, ballot))


def _detail_context(request, ballot: Ballot, *, bound: VoteForm | None = None, grantor=None):
    """The ballot page; `bound` is a vote form that failed its checks, shown again with what
    the voter typed and why (issue #16, item 6: a wrong sum cleared every field)."""
    state = selectors.voter_state(ballot, request.user)
    elector, proxies = state.elector, state.proxies

    def form_for(weight, prefix=None, of=None):
        if bound is not None and (grantor.pk if grantor else None) == (of.pk if of else None):
            return bound
        return VoteForm(ballot=ballot, weight=weight, prefix=prefix)

    return {
        "ballot": ballot,
        "elector": elector,
        "voted": state.voted,
        "proxies": proxies,
        "proxy_votes": [
            (p, form_for(p.grantor.weight, f"p{p.grantor_id}", p.grantor))
            for p in proxies["held"]
            if not p.used
        ],
        "form": form_for(elector.weight) if elector else None,
        "proxy_form": ProxyForm(),
        # Only what this member may read: a draft linked to the ballot showed its title here.
        "read_first_html": read_first.html(ballot, request.user),
        "consultations": (
            selectors.consultation_for_region(ballot, elector.region_id)
            if elector and ballot.is_weighted
            else []
        ),
        "live": live_context(ballot, request.user),
        "group_minimum": settings.REPORTING_GROUP_MINIMUM,
    }


@login_required
@require_POST
@never_cache
@sensitive_post_parameters()  # an error report must never carry a choice
def vote(request, pk: int):
    """Two steps: 'review' shows the choice for confirmation, 'cast' stores it and shows the
    receipt code, once (the response is not cached and the code is stored only as a hash)."""
    if request.POST.get("step") == "cast" and not request.POST.get("on_behalf_of"):
        return _cast_own_vote(request, pk)
    ballot = _visible_ballot(pk)
    elector = selectors.elector_of(ballot, request.user)
    if elector is None:
        messages.error(request, _("U bent geen kiesgerechtigde bij deze stemming."))
        return redirect(ballot)
    on_behalf_of = request.POST.get("on_behalf_of") or None
    weight, prefix, grantor = elector.weight, None, None
    if on_behalf_of:
        # Only the grantor of a live proxy held by this voter: never reveal other electors.
        proxy = (
            Proxy.objects.filter(
                ballot=ballot,
                holder=elector,
                revoked=False,
                # grantor__pk, not grantor_id: a number too large for the column is "no such
                # proxy" there, not an OverflowError on SQLite; ASCII digits only ("²" is a digit
                # to isdigit(), not to int()). Both were 500s found by tests/abuse.
                grantor__pk=on_behalf_of
                if on_behalf_of.isascii() and on_behalf_of.isdigit()
                else None,
            )
            .select_related("grantor__user")
            .first()
        )
        grantor = proxy.grantor if proxy else None
        if grantor is None:
            messages.error(request, _("U heeft geen geldige volmacht van deze kiezer."))
            return redirect(ballot)
        weight, prefix = grantor.weight, f"p{grantor.pk}"
    form = VoteForm(request.POST, ballot=ballot, weight=weight, prefix=prefix)
    if not form.is_valid():
        context = _detail_context(request, ballot, bound=form, grantor=grantor)
        return render(request, "ballots/detail.html", context, status=400)
    if request.POST.get("step") != "cast":
        chosen = form.cleaned_choice()
        labels = form.labels
        if isinstance(chosen, dict):
            summary = [(labels.get(k, "?"), v) for k, v in chosen.items()]
        elif isinstance(chosen, list) and ballot.input_shape == "order":
            summary = [(f"{n}. {labels.get(k, '?')}", weight) for n, k in enumerate(chosen, 1)]
        elif isinstance(chosen, list):
            summary = [(labels.get(k, "?"), weight) for k in chosen]
        else:
            summary = [(labels.get(chosen, "?"), weight)]
        return render(
            request,
            "ballots/confirm.html",
            {
                "ballot": ballot,
                "summary": summary,
                "post": request.POST,
                "grantor": grantor,
            },
        )
    try:
        receipt = services.cast_vote(
            ballot_id=ballot.pk,
            user=request.user,
            choice=form.cleaned_choice(),
            on_behalf_of=on_behalf_of,
        )
    except BallotError as refused:
        messages.error(request, str(refused))
        return redirect(ballot)
    return render(
        request, "ballots/receipt.html", {"ballot": ballot, "receipt": receipt, "grantor": grantor}
    )


def _cast_own_vote(request, pk: int):
    """The confirm step of one's own vote: the hot path when an assembly votes in the same
    minute. cast_vote reads and checks everything under the ballot's vote gate; nothing is
    read here before it."""
    try:
        receipt = services.cast_vote(
            ballot_id=pk, user=request.user, choice=cast_choice(request.POST)
        )
    except BallotError as refused:
        messages.error(request, str(refused))
        return redirect("ballots:detail", pk=pk)
    return render(request, "ballots/receipt.html", {"receipt": receipt, "grantor": None})


@login_required
@require_POST
def grant_proxy(request, pk: int):
    ballot = _visible_ballot(pk)
    form = ProxyForm(request.POST)
    if form.is_valid():
        # Looked up among this ballot's electors only (issue #13): an address without an
        # account and one outside the electorate both give None, which grant_proxy refuses
        # with its one message at the same point of its checks, so the answer never tells
        # who has an account, nor names anyone but an elector.
        electorate = Elector.objects.filter(ballot=ballot).values("user")
        holder = (
            get_user_model()
            .objects.filter(email__iexact=form.cleaned_data["holder_email"], pk__in=electorate)
            .first()
        )
        try:
            services.grant_proxy(ballot=ballot, grantor_user=request.user, holder_user=holder)
        except BallotError as refused:
            messages.error(request, str(refused))
        else:
            notifications.after_proxy_granted(ballot, holder)  # the holder is told (#16)
            messages.success(
                request, _("Volmacht gegeven aan %(name)s.") % {"name": holder.get_full_name()}
            )
    else:
        messages.error(request, _("Vul een geldig e-mailadres in."))
    return redirect(ballot)


@login_required
@require_POST
def revoke_proxy(request, pk: int, proxy_pk: int):
    ballot = _visible_ballot(pk)
    proxy = get_object_or_404(Proxy, pk=proxy_pk, ballot=ballot)
    try:
        services.revoke_proxy(proxy=proxy, by_user=request.user)
    except BallotError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Volmacht ingetrokken; u kunt weer zelf stemmen."))
    return redirect(ballot)


@login_required
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("code")
def check_receipt(request, pk: int):
    ballot = _visible_ballot(pk)
    form = ReceiptCheckForm(request.POST or None)
    found = box_at = None
    if ballot.status not in (BallotStatus.CLOSED, BallotStatus.CERTIFIED):
        form = None
    elif request.method == "POST" and form.is_valid():
        digest = receipt_hash(ballot.pk, form.cleaned_data["code"])
        found = (
            Vote.objects.filter(
                ballot=ballot, receipt_hash=digest, withdrawn=False, ledger_entry__isnull=False
            )
            .select_related("ledger_entry")
            .first()
        )
        found = found or False
        if found and ballot.is_counted:
            position = ballot_box.receipt_position(ballot, digest)
            box_at = {"position": position, "line": box_format.vote_line(position)}
    return render(
        request,
        "ballots/check_receipt.html",
        {"ballot": ballot, "form": form, "found": found, "box_at": box_at},
    )


@login_required
def results(request, pk: int):
    ballot = _visible_ballot(pk)
    counted = tally(ballot)
    show_tally = selectors.may_see_tally(ballot, request.user)
    closed = ballot.status in (BallotStatus.CLOSED, BallotStatus.CERTIFIED)
    # While open only a "voorlopige stand": never an outcome sentence (issue #16, item 3).
    final = show_tally and closed
    roll = roll_call(ballot) if final else []
    merged = final and not ballot.is_secret and results_page.one_elector_per_region(ballot)
    return render(
        request,
        "ballots/results.html",
        {
            "ballot": ballot,
            "tally": counted,
            "show_tally": show_tally,
            "choices": results_page.choice_rows(ballot, counted) if show_tally else [],
            "paper_rows": results_page.paper_rows(counted) if show_tally else [],
            "turnout": results_page.turnout(counted),
            # An ambassador ballot's roll call is its result per region: shown once.
            "breakdown": results_page.breakdown_rows(ballot, counted)
            if final and not merged
            else [],
            "outcome": outcome(ballot, counted) if final else None,
            "roll_call": roll,
            "non_voters": results_page.non_voters(ballot) if final else [],
            "own_vote": results_page.own_vote(ballot, request.user),
            "approvals": ballot.approvals.filter(withdrawn_at__isnull=True).select_related(
                "approver"
            )
            if closed
            else [],
            "closed": closed,
            "counting": ballot.status == BallotStatus.CLOSED and not ballot.is_counted,
            "group_minimum": settings.REPORTING_GROUP_MINIMUM,
            "method_paragraph": "" if ballot.is_proposal else method_paragraph(ballot),
        },
    )


@permission_required(MANAGE)
def manage(request, pk: int):
    ballot = get_object_or_404(Ballot, pk=pk)
    context = {"ballot": ballot, "tally": tally(ballot), "formats": FORMATS}
    if ballot.status in (BallotStatus.DRAFT, BallotStatus.SCHEDULED):
        names = dict(Region.objects.values_list("pk", "name"))
        summary = summary_by_region(eligible_electors(ballot))
        context["preview"] = sorted(((names[r], n, w) for r, (n, w) in summary.items()))
        context["preview_total"] = (
            sum(n for _r, n, _w in context["preview"]),
            sum(w for _r, _n, w in context["preview"]),
        )
    else:
        context["turnout"] = _turnout_by_region(ballot)
    return render(request, "ballots/manage.html", context)


def _turnout_by_region(ballot: Ballot) -> list[tuple[str, int, int, int]]:
    from django.db.models import Count, Exists, OuterRef, Q

    from ballots.models import Participation

    voted = Participation.objects.filter(ballot=ballot, elector=OuterRef("pk"))
    rows = (
        Elector.objects.filter(ballot=ballot)
        .annotate(has_voted=Exists(voted))
        .values("region__name")
        .annotate(electors=Count("pk"), voted=Count("pk", filter=Q(has_voted=True)))
        .order_by("region__name")
    )
    return [
        (r["region__name"], r["electors"], r["voted"], round(100 * r["voted"] / r["electors"]))
        for r in rows
    ]


LIFECYCLE = {
    "schedule": (services.schedule_ballot, gettext_lazy("plannen")),
    "open": (services.open_ballot, gettext_lazy("nu openen")),
    "close": (services.close_ballot, gettext_lazy("nu sluiten")),
}


@permission_required(MANAGE)
@require_http_methods(["GET", "POST"])
def lifecycle(request, pk: int, action: str):
    """Schedule / open now / close now, each after an explicit confirmation."""
    ballot = get_object_or_404(Ballot, pk=pk)
    if action not in LIFECYCLE:
        raise Http404
    service, label = LIFECYCLE[action]
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            service(ballot, by=request.user)
        except BallotError as refused:
            messages.error(request, str(refused))
        else:
            messages.success(
                request, _("De stemming is bijgewerkt: %(action)s.") % {"action": label}
            )
        return redirect("ballots:manage", pk=ballot.pk)
    return render(
        request, "ballots/confirm_action.html", {"ballot": ballot, "action": action, "label": label}
    )


@permission_required(MANAGE)
@require_http_methods(["GET", "POST"])
def attendance(request, pk: int):
    ballot = get_object_or_404(Ballot, pk=pk)
    if request.method == "POST":
        # A non-number was a ValueError, a 500 (found by tests/abuse): it is no such elector.
        elector_id = request.POST.get("elector", "")
        elector = get_object_or_404(
            Elector,
            pk=elector_id if elector_id.isascii() and elector_id.isdigit() else None,
            ballot=ballot,
        )
        try:
            services.set_presence(
                ballot=ballot,
                elector=elector,
                present=request.POST.get("present") == "1",
                by=request.user,
            )
        except BallotError as refused:
            messages.error(request, str(refused))
        # Back to the same row and the same search, not to the top (issue #16, item 11).
        query = request.POST.get("q", "")[:100]
        target = reverse("ballots:attendance", args=[ballot.pk])
        return redirect(
            f"{target}?{urlencode({'q': query})}#elector-{elector.pk}"
            if query
            else f"{target}#elector-{elector.pk}"
        )
    query = request.GET.get("q", "").strip()[:100]
    everyone = Elector.objects.filter(ballot=ballot)
    electors = everyone.select_related("user", "region").order_by("region__name", "user__full_name")
    if query:
        electors = electors.filter(
            Q(user__full_name__icontains=query)
            | Q(region__name__icontains=query)
            | Q(user__email__icontains=query)
        )
    return render(
        request,
        "ballots/attendance.html",
        {
            "ballot": ballot,
            "electors": electors,
            "query": query,
            "total": everyone.count(),
            "present": everyone.filter(present=True).count(),
        },
    )


@permission_required(MANAGE)
def checkin_display(request, pk: int):
    """The projector page: a QR code that electors in the hall scan to check in."""
    ballot = get_object_or_404(Ballot, pk=pk, attendance_required=True)
    # The public address, not the request's host: the beamer laptop may reach the site by
    # another name than the phones in the hall (issue #16, one setting for every link).
    url = settings.SITE_URL + reverse("ballots:checkin", args=[ballot.pk, checkin_token(ballot.pk)])
    return render(
        request,
        "ballots/checkin_display.html",
        {"ballot": ballot, "qr": mark_safe(qr_svg(url)), "refresh": TOKEN_MAX_AGE // 2},
    )


@login_required
@require_http_methods(["GET", "POST"])
def checkin(request, pk: int, token: str):
    """An elector who scanned the hall's QR code confirms their presence (POST, so a link
    preview or prefetch does not check anyone in)."""
    ballot = _visible_ballot(pk)
    valid = token_is_valid(ballot.pk, token)
    elector = selectors.elector_of(ballot, request.user)
    if request.method == "POST" and valid and elector is not None:
        try:
            services.set_presence(
                ballot=ballot, elector=elector, present=True, by=request.user, how="qr"
            )
        except BallotError as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("U bent aangemeld als aanwezig. U kunt nu stemmen."))
            return redirect(ballot)
    return render(
        request, "ballots/checkin.html", {"ballot": ballot, "valid": valid, "elector": elector}
    )
