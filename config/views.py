"""Site-wide pages that draw on several apps (config may depend on all of them)."""

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from ballots.selectors import open_ballots_for
from faq.selectors import latest_changes


def home(request):
    return render(
        request,
        "home.html",
        {
            "open_ballots": open_ballots_for(request.user),
            "faq_changes": latest_changes(user=request.user, limit=5),
        },
    )


def healthz(request):
    """For the reverse proxy and the process supervisor: the app answers and reaches its
    database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
