"""Baseline views: what the same server stack costs for (almost) nothing.

`hello`: a plain response, no session cookie sent by the bench: the floor of the stack
(nginx, gunicorn, Django's middleware). `ping`: the minimal authenticated view: the session
is loaded from the database and the user with it, like every member page.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


def hello(request):
    return HttpResponse("hello", content_type="text/plain")


@login_required
def ping(request):
    return HttpResponse("ok", content_type="text/plain")
