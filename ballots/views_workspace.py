"""The board's ballot workspace (/stemmingen/werkruimte/): list, create and edit drafts,
preview as a voter, duplicate, delete, templates. Thin: the rules live in
ballots.definitions (what a definition may be) and ballots.drafts (what may change)."""

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ballots import definitions, drafts, read_first
from ballots.electorate import eligible_electors
from ballots.errors import BallotError
from ballots.forms import ProxyForm, VoteForm
from ballots.models import Ballot, BallotStatus, Elector
from ballots.workspace_forms import (
    OPTIONS_PREFIX,
    OptionFormSet,
    WorkspaceForm,
    initial_for,
    initial_from_post,
    option_rows,
    posted_rows,
    rearranged,
)
from faq.markdown import render_markdown
from faq.models import PositionPaper, Question, Status
from members.permissions import permission_required

MANAGE = "ballots.manage_ballot"
STATUS_ORDER = [s for s, _label in BallotStatus.choices]


@permission_required(MANAGE)
def workspace(request):
    ballots = Ballot.objects.annotate(
        elector_count=Count("electors", distinct=True),
        voted=Count("participations", distinct=True),
    ).order_by("-opens_at")
    groups = {status: [] for status in STATUS_ORDER}
    for ballot in ballots:
        if ballot.status in (BallotStatus.DRAFT, BallotStatus.SCHEDULED):
            # Not frozen yet: who would vote if it opened now.
            ballot.elector_count = len(eligible_electors(ballot))
            ballot.turnout = None
        elif ballot.elector_count:
            ballot.turnout = round(100 * ballot.voted / ballot.elector_count)
        groups[ballot.status].append(ballot)
    sections = [(status, label, groups[status]) for status, label in BallotStatus.choices]
    return render(request, "ballots/workspace/index.html", {"sections": sections})


def _editor(request, ballot: Ballot | None):
    """New draft (ballot None) or an existing draft: the same form and rules."""
    if request.method == "POST":
        form = WorkspaceForm(request.POST)
        rows = rearranged(request.POST)
        if rows is not None or "search_links" in request.POST:
            # A row or search button: show the form again with what was typed, no errors yet.
            form = WorkspaceForm(initial=initial_from_post(form))
            if rows is None:
                rows = posted_rows(request.POST)
            formset = OptionFormSet(initial=rows, prefix=OPTIONS_PREFIX)
            return _render_editor(request, ballot, form, formset, search=request.POST)
        formset = OptionFormSet(request.POST, prefix=OPTIONS_PREFIX)
        saved = _save(request, ballot, form, formset)
        if saved is not None:
            messages.success(request, _("Het concept is opgeslagen."))
            return redirect("ballots:workspace_edit", pk=saved.pk)
        return _render_editor(request, ballot, form, formset)
    form = WorkspaceForm(initial=initial_for(ballot))
    formset = OptionFormSet(initial=option_rows(ballot), prefix=OPTIONS_PREFIX)
    return _render_editor(request, ballot, form, formset)


def _save(request, ballot, form, formset) -> Ballot | None:
    if not (form.is_valid() and formset.is_valid()):
        return None
    rows = [f.cleaned_data for f in formset.forms]
    date_problems = drafts.date_problems(
        form.cleaned_data["opens_at"], form.cleaned_data["closes_at"]
    )
    try:
        checked = definitions.check(form.definition(rows))
    except definitions.DefinitionError as bad:
        form.option_problems = form.add_problems(bad.problems, formset)
        checked = None
    for field, message in date_problems.items():
        form.add_error(field, message)
    if checked is None or date_problems:
        return None
    dates = {"opens_at": form.cleaned_data["opens_at"], "closes_at": form.cleaned_data["closes_at"]}
    try:
        if ballot is None:
            saved = drafts.create_draft(checked, by=request.user, **dates)
        else:
            saved = drafts.update_draft(ballot, checked, **dates)
    except BallotError as refused:
        form.add_error(None, str(refused))
        return None
    return drafts.set_amended_motion(saved, form.cleaned_data.get("amends"))


def _render_editor(request, ballot, form, formset, search=None):
    query = (search or {}).get("link_query", "")
    return render(
        request,
        "ballots/workspace/edit.html",
        {
            "ballot": ballot,
            "form": form,
            "formset": formset,
            "option_problems": getattr(form, "option_problems", []),
            "selected_questions": _selected(form, "questions", Question),
            "selected_papers": _selected(form, "papers", PositionPaper),
            "link_query": query,
            "link_results": _link_matches(query, form) if search is not None else None,
            "description_preview": render_markdown(str(form["description"].value() or "")),
        },
    )


def _selected(form, name, model):
    value = form[name].value() or []
    pks = [int(v) for v in value if str(v).isascii() and str(v).isdigit()]
    return list(model.objects.filter(pk__in=pks, status=Status.PUBLISHED))


def _link_matches(query: str, form=None) -> dict:
    """Published FAQ questions and position papers matching `query` (not those already
    linked)."""
    query = " ".join(query.split())[:200]
    if not query:
        return {"query": "", "questions": [], "papers": []}
    taken_q = {q.pk for q in _selected(form, "questions", Question)} if form else set()
    taken_p = {p.pk for p in _selected(form, "papers", PositionPaper)} if form else set()
    questions = (
        Question.objects.filter(status=Status.PUBLISHED)
        .filter(
            Q(question__icontains=query) | Q(label__iexact=query) | Q(topic__name__icontains=query)
        )
        .exclude(pk__in=taken_q)
        .select_related("topic")[:10]
    )
    papers = (
        PositionPaper.objects.filter(status=Status.PUBLISHED)
        .filter(
            Q(title__icontains=query) | Q(organisation__icontains=query) | Q(slug__icontains=query)
        )
        .exclude(pk__in=taken_p)[:10]
    )
    return {"query": query, "questions": list(questions), "papers": list(papers)}


@permission_required(MANAGE)
@require_http_methods(["GET", "POST"])
def workspace_new(request):
    return _editor(request, None)


@permission_required(MANAGE)
@require_http_methods(["GET", "POST"])
def workspace_edit(request, pk: int):
    ballot = get_object_or_404(Ballot, pk=pk)
    if ballot.status != BallotStatus.DRAFT:
        messages.info(
            request,
            _(
                "Alleen een concept kan bewerkt worden. Deze stemming is %(status)s; dupliceer "
                "haar voor een nieuw concept."
            )
            % {"status": ballot.get_status_display()},
        )
        return redirect("ballots:manage", pk=ballot.pk)
    return _editor(request, ballot)


@permission_required(MANAGE)
@require_POST
def workspace_markdown(request):
    """htmx: the explanation as a voter will see it (faq's sanitising renderer)."""
    return HttpResponse(render_markdown(request.POST.get("description", "")[:100_000]))


@permission_required(MANAGE)
@require_GET
def workspace_links(request):
    """htmx: published FAQ questions and position papers to link, as checkboxes."""
    form = WorkspaceForm(request.GET)
    return render(
        request,
        "ballots/workspace/_link_results.html",
        {"link_results": _link_matches(request.GET.get("link_query", ""), form)},
    )


@permission_required(MANAGE)
def workspace_preview(request, pk: int):
    """'Bekijk als kiezer': the real ballot page and vote form, as a member entitled to vote
    sees them once the ballot is open. Nothing is saved; the vote form cannot submit (its
    button is disabled, and the vote URL answers 404 for a draft)."""
    ballot = get_object_or_404(Ballot, pk=pk)
    actual_status = ballot.get_status_display()
    is_draft = ballot.status == BallotStatus.DRAFT
    ballot.status = BallotStatus.OPEN  # in memory only, never saved
    weight = _sample_weight(ballot)
    elector = Elector(ballot=ballot, weight=weight)
    context = {
        "ballot": ballot,
        "elector": elector,
        "voted": False,
        "proxies": {"given": None, "held": []},
        "proxy_votes": [],
        "form": VoteForm(ballot=ballot, weight=weight),
        "proxy_form": ProxyForm(),
        # What a member sees (published items), rendered now: never from the shared cache.
        "read_first_html": read_first.render(
            ballot.read_first_papers.filter(status=Status.PUBLISHED),
            ballot.read_first_questions.filter(status=Status.PUBLISHED),
        ),
        "consultations": [],
        "live": None,
        "group_minimum": settings.REPORTING_GROUP_MINIMUM,
        # What a voter sees: no board links in the page or the menu.
        "perms": {},
        "user_is_board": False,
        "preview": True,
        "actual_status": actual_status,
        "is_draft": is_draft,
    }
    return render(request, "ballots/workspace/preview.html", context)


def _sample_weight(ballot: Ballot) -> int:
    if not ballot.is_weighted:
        return 1
    eligible = eligible_electors(ballot)
    return max((e.weight for e in eligible), default=1)


@permission_required(MANAGE)
@require_POST
def workspace_duplicate(request, pk: int):
    ballot = get_object_or_404(Ballot, pk=pk)
    try:
        copy = drafts.duplicate(ballot, by=request.user)
    except (BallotError, definitions.DefinitionError) as refused:
        messages.error(request, str(refused))
        return redirect("ballots:workspace")
    messages.success(
        request, _("Kopie gemaakt als nieuw concept. Controleer de data voordat u plant.")
    )
    return redirect("ballots:workspace_edit", pk=copy.pk)


@permission_required(MANAGE)
@require_http_methods(["GET", "POST"])
def workspace_delete(request, pk: int):
    ballot = get_object_or_404(Ballot, pk=pk)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            drafts.delete_draft(ballot)
        except BallotError as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("Het concept is verwijderd."))
        return redirect("ballots:workspace")
    if ballot.status != BallotStatus.DRAFT:
        messages.error(
            request,
            _("Alleen een concept kan verwijderd worden; deze stemming is %(status)s.")
            % {"status": ballot.get_status_display()},
        )
        return redirect("ballots:workspace")
    return render(request, "ballots/workspace/delete.html", {"ballot": ballot})


@permission_required(MANAGE)
@require_http_methods(["GET", "POST"])
def workspace_templates(request):
    """'Nieuw vanuit sjabloon': the association's recurring ballots (JSON files in
    ballots/definition_templates/), each becoming a new draft."""
    if request.method == "POST":
        text = definitions.template_text(request.POST.get("template", ""))
        if text is None:
            raise Http404
        try:
            ballot = drafts.create_draft(definitions.load(text), by=request.user)
        except definitions.DefinitionError as bad:
            # A template that no longer fits (e.g. a linked FAQ item was withdrawn).
            for problem in bad.problems:
                messages.error(request, str(problem))
            return redirect("ballots:workspace_templates")
        messages.success(
            request, _("Nieuw concept uit het sjabloon. Controleer alles en zet de data.")
        )
        return redirect("ballots:workspace_edit", pk=ballot.pk)
    templates = []
    for name in definitions.template_names():
        try:
            checked = definitions.load(definitions.template_text(name))
        except definitions.DefinitionError as bad:
            templates.append({"name": name, "problems": bad.problems})
            continue
        templates.append(
            {"name": name, "definition": checked.definition, "summary": _summary(checked)}
        )
    return render(request, "ballots/workspace/templates.html", {"templates": templates})


def _summary(checked: definitions.Checked) -> list[str]:
    d = checked.definition
    fields = {f.name: f for f in Ballot._meta.get_fields()}
    shown = [str(checked.kind.label)]
    for name in ("electorate", "secrecy", "majority", "base"):
        shown.append(str(dict(fields[name].choices)[d[name]]))
    if d["quorum_percent"] is not None:
        shown.append(_("quorum %(percent)s%%") % {"percent": d["quorum_percent"]})
    return shown
