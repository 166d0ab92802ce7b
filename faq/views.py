from itertools import groupby

from django.shortcuts import get_object_or_404, render

from faq.models import Question


def faq_index(request):
    questions = Question.objects.visible_to(request.user).select_related("topic")
    topics = [(topic, list(items)) for topic, items in groupby(questions, key=lambda q: q.topic)]
    return render(request, "faq/index.html", {"topics": topics})


def question_detail(request, pk: int):
    question = get_object_or_404(Question.objects.visible_to(request.user), pk=pk)
    return render(request, "faq/question.html", {"question": question})


def positions(request):
    # Position papers arrive with the FAQ issue; the page exists so the navigation holds.
    return render(request, "faq/positions.html")
