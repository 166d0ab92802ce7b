"""Site-wide pages that draw on several apps (config may depend on all of them)."""

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpResponsePermanentRedirect, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language

from ballots.selectors import open_ballots_for
from faq import page_cache
from faq.selectors import latest_changes


def home(request):
    def render_faq_changes() -> str:
        changes = latest_changes(user=request.user, limit=5)
        return render_to_string("faq/_latest_changes.html", {"faq_changes": changes})

    faq_changes = page_cache.part(
        "latest",
        audience=page_cache.audience_of(request.user),
        language=get_language(),
        render=render_faq_changes,
    )
    return render(
        request,
        "home.html",
        {"open_ballots": open_ballots_for(request.user), "faq_changes_html": faq_changes},
    )


def healthz(request):
    """For the reverse proxy and the process supervisor: the app answers and reaches its
    database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def admin_login(request, extra_context=None):
    """Stands in for the admin's login form: everyone logs in through allauth (rate limits,
    second factor), then comes back; a logged-in member without admin rights gets a 403."""
    target = request.GET.get(REDIRECT_FIELD_NAME, "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = ""
    target = target or reverse("admin:index")
    if not request.user.is_authenticated:
        return redirect_to_login(target)
    if not request.user.is_staff:
        raise PermissionDenied
    return redirect(target)


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says (PDFs, old bookmarks): send them
    to the SVG icon that base.html links (its hashed name in production)."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


def server_error(request):
    """The 500 page in the site's look, rendered without the request: no context processors,
    no user, no session and no database, since any of them may be what just failed."""
    page = loader.get_template("500.html").render({"association_name": settings.ASSOCIATION_NAME})
    return HttpResponseServerError(page)
