"""Baseline views: what the same server stack costs for (almost) nothing.

`hello`: a plain response, no session cookie sent by the bench: the floor of the stack
(nginx, gunicorn, Django's middleware). `ping`: the minimal authenticated view: the session
is loaded (its copy in Redis, members.sessions; the database when Redis has none) and the
user with their role flags from the database, like every member page.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


def hello(request):
    return HttpResponse("hello", content_type="text/plain")


@login_required
def ping(request):
    return HttpResponse("ok", content_type="text/plain")
