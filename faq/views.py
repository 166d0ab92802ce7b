"""FAQ, positions, search and member questions: thin views over faq's plain modules."""

from itertools import groupby
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from faq import member_questions, page_cache
from faq.forms import (
    AnswerForm,
    AskQuestionForm,
    DeclineForm,
    MergeForm,
    PositionFilterForm,
    SearchForm,
)
from faq.markdown import render_markdown
from faq.models import (
    MemberQuestion,
    MemberQuestionStatus,
    PositionPaper,
    Question,
    Stance,
    Status,
    Visibility,
)
from faq.revisions import change_history, has_revisions
from faq.search import search
from members.permissions import permission_required

MODERATE = "faq.change_memberquestion"


def faq_index(request):
    questions = Question.objects.visible_to(request.user).select_related("topic")
    topics = [(topic, list(items)) for topic, items in groupby(questions, key=lambda q: q.topic)]
    return render(request, "faq/index.html", {"topics": topics, "search_form": SearchForm()})


def _members_only_for_visitor(request, model, **lookup):
    """For an anonymous visitor asking for a published members-only item: the way to the login
    page (and back here afterwards), since a 404 would tell a member it does not exist. Drafts
    and unknown items stay 404 for everyone. None when this does not apply."""
    if request.user.is_authenticated:
        return None
    hidden = model.objects.filter(status=Status.PUBLISHED, visibility=Visibility.MEMBERS)
    if not hidden.filter(**lookup).exists():
        return None
    messages.info(request, _("Dit deel van de FAQ is alleen voor leden. Log in om het te lezen."))
    return redirect_to_login(request.get_full_path())


def question_detail(request, pk: int):
    if login_first := _members_only_for_visitor(request, Question, pk=pk):
        return login_first

    def render_body() -> dict:
        question = get_object_or_404(
            Question.objects.visible_to(request.user).select_related("topic"), pk=pk
        )
        context = {
            "question": question,
            "papers": question.related_papers.visible_to(request.user),
            "has_changes": has_revisions(question),
            "user": request.user,
        }
        return {
            "title": question.question,
            "html": render_to_string("faq/_question_body.html", context),
        }

    # The body is the same for every member (and for every visitor): no form, no name.
    page = page_cache.part(
        f"question.{pk}",
        audience=page_cache.audience_of(request.user),
        language=get_language(),
        render=render_body,
    )
    return render(request, "faq/question.html", {"page": page})


@login_required
def question_changes(request, pk: int):
    question = get_object_or_404(Question.objects.visible_to(request.user), pk=pk)
    return render(
        request, "faq/changes.html", {"item": question, "history": change_history(question)}
    )


def positions(request):
    visible = PositionPaper.objects.visible_to(request.user).prefetch_related("tags")
    organisations = sorted(set(visible.values_list("organisation_code", "organisation")))
    form = PositionFilterForm(request.GET or None, organisations=organisations)
    papers = visible
    if form.is_valid():
        if form.cleaned_data["stance"]:
            papers = papers.filter(stance=form.cleaned_data["stance"])
        if form.cleaned_data["organisation"]:
            papers = papers.filter(organisation_code=form.cleaned_data["organisation"])
    columns = [
        (value, label, [paper for paper in papers if paper.stance == value])
        for value, label in Stance.choices
    ]
    return render(
        request,
        "faq/positions.html",
        {"form": form, "columns": columns, "found": any(c[2] for c in columns)},
    )


def paper_detail(request, slug: str):
    if login_first := _members_only_for_visitor(request, PositionPaper, slug=slug):
        return login_first
    paper = get_object_or_404(PositionPaper.objects.visible_to(request.user), slug=slug)
    return render(
        request,
        "faq/paper.html",
        {
            "paper": paper,
            "questions": paper.questions.visible_to(request.user),
            "has_changes": has_revisions(paper),
        },
    )


def paper_pdf(request, slug: str):
    """A position paper's PDF, only for who may see the paper. Behind nginx (production) the
    file is sent by nginx from an internal location (X-Accel-Redirect) after this check;
    elsewhere Django sends the bytes (at most 10 MB, faq.validators): not a FileResponse,
    whose synchronous stream ASGI (make run) reads through a thread wrapper after the view
    (see config.middleware.WholeFilesUnderASGIMiddleware)."""
    paper = get_object_or_404(PositionPaper.objects.visible_to(request.user), slug=slug)
    if not paper.pdf:
        raise Http404
    filename = f"{paper.slug}.pdf"
    if settings.MEDIA_ACCEL_REDIRECT:
        response = HttpResponse(content_type="application/pdf")
        response["X-Accel-Redirect"] = settings.MEDIA_ACCEL_REDIRECT + quote(paper.pdf.name)
    else:
        with paper.pdf.open("rb") as pdf:
            response = HttpResponse(pdf.read(), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def paper_changes(request, slug: str):
    paper = get_object_or_404(PositionPaper.objects.visible_to(request.user), slug=slug)
    return render(request, "faq/changes.html", {"item": paper, "history": change_history(paper)})


def search_page(request):
    form = SearchForm(request.GET or None)
    hits = search(form.cleaned_data["q"], user=request.user) if form.is_valid() else []
    return render(request, "faq/search.html", {"form": form, "hits": hits})


@login_required
@require_http_methods(["GET", "POST"])
def ask_question(request):
    # From a search without results the query comes along (issue #16, item 10).
    form = AskQuestionForm(
        request.POST or None, initial={"text": request.GET.get("tekst", "")[:500]}
    )
    if request.method == "POST" and form.is_valid():
        try:
            member_questions.ask_question(user=request.user, text=form.cleaned_data["text"])
        except member_questions.QuestionRefused as refused:
            form.add_error("text", str(refused))
        else:
            messages.success(
                request, _("Dank u. Uw vraag is ontvangen; u krijgt bericht per e-mail.")
            )
            return redirect("faq:my_questions")
    return render(request, "faq/ask.html", {"form": form})


@login_required
def similar_questions(request):
    """htmx: published questions resembling what the member is typing."""
    hits = search(request.GET.get("text", ""), user=request.user, limit=5)
    return render(request, "faq/_similar.html", {"hits": [h for h in hits if h.kind == "question"]})


@login_required
def my_questions(request):
    asked = MemberQuestion.objects.filter(asked_by=request.user).select_related("faq_question")
    return render(request, "faq/my_questions.html", {"asked": asked})


@permission_required(MODERATE)
def moderation_queue(request):
    queue = MemberQuestion.objects.filter(status=MemberQuestionStatus.NEW).select_related(
        "asked_by"
    )
    handled = (
        MemberQuestion.objects.exclude(status=MemberQuestionStatus.NEW)
        .select_related("asked_by", "handled_by", "faq_question")
        .order_by("-handled_at")[:20]
    )
    return render(request, "faq/moderation_queue.html", {"queue": queue, "handled": handled})


@permission_required(MODERATE)
@require_http_methods(["GET", "POST"])
def moderate_question(request, pk: int):
    member_question = get_object_or_404(MemberQuestion.objects.select_related("asked_by"), pk=pk)
    action = request.POST.get("action") if request.method == "POST" else None
    forms = {
        "answer": AnswerForm(
            request.POST if action == "answer" else None,
            initial={"question": member_question.text[:400]},
        ),
        "merge": MergeForm(request.POST if action == "merge" else None),
        "decline": DeclineForm(request.POST if action == "decline" else None),
    }
    form = forms.get(action)
    if form is not None and form.is_valid():
        try:
            _handle(action, form.cleaned_data, member_question, request.user)
        except member_questions.QuestionRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request, _("Afgehandeld; het lid is per e-mail op de hoogte gebracht.")
            )
            return redirect("faq:moderation_queue")
    similar = search(member_question.text, user=request.user, limit=5)
    return render(
        request,
        "faq/moderate.html",
        {"member_question": member_question, "forms": forms, "similar": similar},
    )


def _handle(action: str, data: dict, member_question: MemberQuestion, user) -> None:
    if action == "answer":
        publish_as = None
        if data["publish"]:
            publish_as = member_questions.NewFaqEntry(
                data["topic"], data["label"], data["question"]
            )
        member_questions.answer_question(
            member_question=member_question, answer=data["answer"], by=user, publish_as=publish_as
        )
    elif action == "merge":
        member_questions.merge_question(
            member_question=member_question, into=data["into"], by=user, note=data["note"]
        )
    else:
        member_questions.decline_question(
            member_question=member_question, reason=data["reason"], by=user
        )


@permission_required("faq.change_question")
@require_POST
def markdown_preview(request):
    """The admin's live preview: the same rendering and sanitising as the public pages."""
    return HttpResponse(render_markdown(request.POST.get("text", "")[:200_000]))
